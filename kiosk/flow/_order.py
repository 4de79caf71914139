"""Order screens: 住所地/本籍地, certificate, options (OptionRules), copies, confirmation."""

from __future__ import annotations

from dataclasses import replace
from typing import assert_never

from kiosk.audit import AuditEvent
from kiosk.domain import OfferedCertificate, OptionRules
from kiosk.flow._base import Outcome, fail, go, note
from kiosk.flow.effects import CheckPrinter, JournalWrite
from kiosk.flow.events import (
    AddCertificate,
    Back,
    ChooseCertificate,
    ChooseJurisdiction,
    ChoosePerson,
    ConfirmMyNumber,
    ConfirmOrder,
    Event,
    Next,
    OptionItem,
    RemoveItem,
    RequestMyNumber,
    SetCopies,
    SetFiscalYear,
    SetItem,
    SetKosekiScope,
    SetScope,
    ToggleMember,
    TogglePerson,
)
from kiosk.flow.state import (
    CertificateChoice,
    Confirmation,
    CopiesChoice,
    Fetching,
    FetchPhase,
    FlowState,
    JurisdictionChoice,
    OptionChoice,
    Transaction,
)
from kiosk.journal.records import ItemAdded, TransactionOpened
from kiosk.problems import Problem
from printing.certificates import (
    CertificateRequest,
    ChosenOptions,
    FuhyoOptions,
    JuminhyoOptions,
    Jurisdiction,
    KosekiOptions,
    KosekiScope,
    NoOptions,
    OptionsShape,
    Scope,
    TaxOptions,
)


def jurisdictions(txn: Transaction) -> tuple[Jurisdiction, ...]:
    """The jurisdictions with something on the menu; 本籍地 only when registered."""
    offer = txn.offer
    if offer is None:
        return ()
    found = {line.jurisdiction for line in offer.certificates}
    if offer.honseki_municipality_code is None:
        found.discard(Jurisdiction.HONSEKI)
    return tuple(j for j in Jurisdiction if j in found)


def enter_menu(state: FlowState) -> Outcome:
    """After authentication and the card taken: the first menu screen."""
    txn = state.txn
    assert txn is not None
    choices = jurisdictions(txn)
    if not choices:
        return fail(state, Problem.NOT_OFFERED)
    if len(choices) == 1:
        return go(state, CertificateChoice(), txn=replace(txn, jurisdiction=choices[0]))
    return go(state, JurisdictionChoice())


def on_jurisdiction(state: FlowState, screen: JurisdictionChoice, event: Event) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    match event:
        case ChooseJurisdiction(jurisdiction=j) if j in jurisdictions(txn):
            return go(state, CertificateChoice(), txn=replace(txn, jurisdiction=j))
        case Back() if txn.basket and txn.request is None:
            return go(state, Confirmation(), txn=back_to_basket(txn))
        case _:
            return None


def back_to_basket(txn: Transaction) -> Transaction:
    """Leave the menu opened by "add another certificate" without choosing: the last item of
    the basket is the order's last item again."""
    last = txn.basket[-1]
    txn = replace(txn, basket=txn.basket[:-1], jurisdiction=last.request.jurisdiction)
    return txn.with_item(len(txn.basket), last)


def can_add(state: FlowState) -> bool:
    """Whether the confirmation screen offers another certificate (the profile's cap)."""
    txn = state.txn
    return txn is not None and txn.item_count < state.settings.basket_limit


def default_options(line: OfferedCertificate) -> ChosenOptions | None:
    """The options a certificate starts with (its kind's usual shape, printing.certificates),
    or None if it has none to choose."""
    rules = line.rules
    shape = line.kind.options[0]
    match shape:
        case OptionsShape.JUMINHYO:
            scope = Scope.SELF if Scope.SELF in rules.scopes else rules.scopes[0]
            return JuminhyoOptions(scope=scope)
        case OptionsShape.TAX:
            return TaxOptions(fiscal_year=max(rules.fiscal_years))
        case OptionsShape.KOSEKI:
            scopes = rules.koseki_scopes or (KosekiScope.ALL,)
            return KosekiOptions(scope=scopes[0], person_id=_own(rules, scopes[0]))
        case OptionsShape.FUHYO:
            scopes = rules.koseki_scopes or (KosekiScope.ALL,)
            own = _own(rules, scopes[0])
            return FuhyoOptions(scope=scopes[0], person_ids=(own,) if own else ())
        case OptionsShape.NONE:
            return None
        case _:
            assert_never(shape)


def _own(rules: OptionRules, scope: KosekiScope) -> str | None:
    """The resident among the register's persons, for 個人事項 / 一部 (None: no choice offered,
    the municipality certifies the resident)."""
    if scope is not KosekiScope.INDIVIDUAL or not rules.persons:
        return None
    return rules.self_person_id


def selectable(line: OfferedCertificate) -> bool:
    """Available, and the rules leave something to choose where a choice is required."""
    if not line.available or line.fee_yen < 0:
        return False
    match line.kind.options[0]:
        case OptionsShape.JUMINHYO:
            return bool(line.rules.scopes)
        case OptionsShape.TAX:
            return bool(line.rules.fiscal_years)
        case OptionsShape.KOSEKI | OptionsShape.FUHYO | OptionsShape.NONE:
            return True


def on_certificate(state: FlowState, screen: CertificateChoice, event: Event) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    match event:
        case ChooseCertificate(kind=kind):
            line = txn.offered(kind)
            if line is None or not selectable(line):
                return None  # unavailable lines are shown with their reason, not chosen
            options = default_options(line)
            txn = replace(
                txn,
                fee_per_copy_yen=line.fee_yen,
                request=CertificateRequest(kind, line.jurisdiction, options or NoOptions(), 1),
            )
            if options is None:
                return go(state, CopiesChoice(), txn=txn)
            return go(state, OptionChoice(options), txn=txn)
        case Back() if len(jurisdictions(txn)) > 1:
            return go(state, JurisdictionChoice(), txn=replace(txn, request=None))
        case Back() if txn.basket and txn.request is None:
            return go(state, Confirmation(), txn=back_to_basket(txn))
        case _:
            return None


def on_options(state: FlowState, screen: OptionChoice, event: Event) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    assert txn.request is not None
    assert txn.offer is not None
    line = txn.offered(txn.request.kind)
    assert line is not None
    rules = line.rules
    options = screen.options
    match options, event:
        case JuminhyoOptions(), SetScope(scope=scope) if scope in rules.scopes:
            if scope is Scope.HOUSEHOLD_PART and not txn.offer.household:
                return None
            return go(state, OptionChoice(replace(options, scope=scope, member_ids=())))
        case JuminhyoOptions(scope=Scope.HOUSEHOLD_PART), ToggleMember(member_id=member):
            known = [m.member_id for m in txn.offer.household]
            if member not in known:
                return None
            chosen = set(options.member_ids) ^ {member}
            ordered = tuple(m for m in known if m in chosen)
            return go(state, OptionChoice(replace(options, member_ids=ordered)))
        case JuminhyoOptions(), SetItem(item=item, on=on):
            allowed = {
                OptionItem.HEAD_AND_RELATIONSHIP: rules.head_and_relationship,
                OptionItem.HONSEKI: rules.honseki,
                OptionItem.FOREIGN_ITEMS: rules.foreign_items,
            }[item]
            if not allowed:
                return None
            if item is OptionItem.HEAD_AND_RELATIONSHIP:
                updated = replace(options, show_head_and_relationship=on)
            elif item is OptionItem.HONSEKI:
                updated = replace(options, show_honseki=on)
            else:
                updated = replace(options, show_foreign_items=on)
            return go(state, OptionChoice(updated, screen.my_number_warning))
        case JuminhyoOptions(), RequestMyNumber(on=True) if rules.my_number:
            # Product facts: choosing "yes" shows the warning and asks to confirm first.
            return go(state, OptionChoice(options, my_number_warning=True))
        case JuminhyoOptions(), RequestMyNumber(on=False):
            return go(state, OptionChoice(replace(options, show_my_number=False)))
        case JuminhyoOptions(), ConfirmMyNumber() if screen.my_number_warning:
            return go(state, OptionChoice(replace(options, show_my_number=True)))
        case TaxOptions(), SetFiscalYear(fiscal_year=year) if year in rules.fiscal_years:
            return go(state, OptionChoice(TaxOptions(fiscal_year=year)))
        case KosekiOptions(), SetKosekiScope(scope=scope) if scope in rules.koseki_scopes:
            return go(state, OptionChoice(KosekiOptions(scope, _own(rules, scope))))
        case KosekiOptions(scope=KosekiScope.INDIVIDUAL), ChoosePerson(person_id=person):
            if person not in [p.member_id for p in rules.persons]:
                return None
            return go(state, OptionChoice(replace(options, person_id=person)))
        case FuhyoOptions(), SetKosekiScope(scope=scope) if scope in rules.koseki_scopes:
            own = _own(rules, scope)
            return go(
                state,
                OptionChoice(replace(options, scope=scope, person_ids=(own,) if own else ())),
            )
        case FuhyoOptions(scope=KosekiScope.INDIVIDUAL), TogglePerson(person_id=person):
            known = [p.member_id for p in rules.persons]
            if person not in known:
                return None
            chosen = set(options.person_ids) ^ {person}
            ordered = tuple(p for p in known if p in chosen)
            return go(state, OptionChoice(replace(options, person_ids=ordered)))
        case FuhyoOptions(), SetItem(item=OptionItem.HONSEKI, on=on) if rules.honseki:
            return go(state, OptionChoice(replace(options, show_honseki=on)))
        case _, Next() if not screen.my_number_warning and options_complete(options):
            request = replace(txn.request, options=options)
            return go(state, CopiesChoice(), txn=replace(txn, request=request))
        case _, Back() if screen.my_number_warning:
            return go(state, OptionChoice(options))  # the warning closes, nothing is set
        case _, Back():
            return go(state, CertificateChoice(), txn=replace(txn, request=None))
        case _:
            return None


def options_complete(options: ChosenOptions) -> bool:
    if isinstance(options, JuminhyoOptions) and options.scope is Scope.HOUSEHOLD_PART:
        return bool(options.member_ids)
    if isinstance(options, FuhyoOptions) and options.scope is KosekiScope.INDIVIDUAL:
        return bool(options.person_ids)
    return True


def on_copies(state: FlowState, screen: CopiesChoice, event: Event) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    assert txn.request is not None
    line = txn.offered(txn.request.kind)
    assert line is not None
    match event:
        case SetCopies(copies=copies) if 1 <= copies <= line.rules.max_copies:
            return go(state, CopiesChoice(copies))
        case Next():
            request = replace(txn.request, copies=screen.copies)
            return go(state, Confirmation(), txn=replace(txn, request=request))
        case Back():
            options = txn.request.options
            if isinstance(options, NoOptions):
                return go(state, CertificateChoice(), txn=replace(txn, request=None))
            return go(state, OptionChoice(options))
        case _:
            return None


def on_confirmation(state: FlowState, screen: Confirmation, event: Event) -> Outcome | None:
    txn = state.txn
    assert txn is not None
    request = txn.request
    assert request is not None
    match event:
        case ConfirmOrder():
            return confirm(state)
        case AddCertificate() if can_add(state):
            # The order so far goes into the basket; the menu opens for the next certificate.
            txn = replace(
                txn,
                basket=txn.items,
                request=None,
                fee_per_copy_yen=0,
                document=None,
                copies_printed=0,
                print_fault=None,
                issue_requested=False,
            )
            choices = jurisdictions(txn)
            audit = note(AuditEvent.BASKET_ADD, txn_id=txn.txn_id, items=len(txn.basket))
            if len(choices) > 1:
                return go(state, JurisdictionChoice(), audit, txn=txn)
            return go(state, CertificateChoice(), audit, txn=txn)
        case RemoveItem(index=index) if txn.item_count > 1 and 0 <= index < txn.item_count:
            items = txn.items[:index] + txn.items[index + 1 :]
            kept = replace(txn, basket=(*items[:-1], items[-1]))
            kept = back_to_basket(kept)
            audit = note(AuditEvent.BASKET_REMOVE, txn_id=txn.txn_id, items=len(items))
            return go(state, Confirmation(), audit, txn=kept)
        case Back():
            return go(state, CopiesChoice(request.copies))
        case _:
            return None


def confirm(state: FlowState) -> Outcome:
    """Write-ahead: the transaction (and every further item of the basket) exists in the
    journal before anything is asked."""
    txn = state.txn
    assert txn is not None
    items = txn.items
    first = items[0].request
    opened = TransactionOpened(
        txn.txn_id,
        txn.service.value,
        first.kind.value,
        first.copies,
        items[0].fee_per_copy_yen,
    )
    added = tuple(
        JournalWrite(
            ItemAdded(
                txn.txn_id,
                number,
                item.request.kind.value,
                item.request.copies,
                item.fee_per_copy_yen,
            )
        )
        for number, item in enumerate(items[1:], start=2)
    )
    details: dict[str, str | int] = {"kind": first.kind.value, "copies": first.copies}
    if len(items) > 1:
        details["items"] = len(items)
    return go(
        state,
        Fetching(FetchPhase.PRINTER_CHECK, 1, len(items)),
        JournalWrite(opened),
        *added,
        note(AuditEvent.ISSUE_INIT, "", txn_id=txn.txn_id, **details),
        CheckPrinter(),
        txn=replace(txn, journal_opened=True, cursor=0),
    )
