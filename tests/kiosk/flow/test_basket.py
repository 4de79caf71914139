"""Several certificates in one visit (the basket): one authentication, one payment, the items
issued and composed one by one before the fee is asked, printed one by one, each reported as its
own issuance; a fault refunds exactly what was not printed. Every journal record is written into
a real SQLite journal, which must accept it and add up the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.audit import AuditEvent
from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow import state as fs
from kiosk.journal import (
    CloseReason,
    ItemAdded,
    Journal,
    PrintIntent,
    PrintOutcome,
    ReportIntent,
    TransactionOpened,
    item_key,
)
from kiosk.payment import ChangeDispensed, Denomination, MoneyInserted, MoneyRefunded
from printing.certificates import CertificateKind, Jurisdiction
from printing.faults import PrinterFault
from tests.kiosk.flow.conftest import Driver, journal_records, of_type, settings


class Visit:
    """A driver whose journal records go to a real journal, as the runner's do."""

    def __init__(self, tmp_path: Path, **changes: object) -> None:
        self.driver = Driver(settings(**changes))
        self.journal = Journal(tmp_path / "journal.sqlite")
        self.effects: list[fx.Effect] = []

    def send(self, *events: ev.Event | object) -> tuple[fx.Effect, ...]:
        """Send events in order; the effects of the last one (each step's are journaled)."""
        out: tuple[fx.Effect, ...] = ()
        for event in events:
            out = self.driver.send(event)  # type: ignore[arg-type]
            for record in journal_records(out):
                self.journal.write(record)
            self.effects += out
        return out

    @property
    def state(self) -> fs.FlowState:
        return self.driver.state

    @property
    def txn(self) -> fs.Transaction:
        assert self.state.txn is not None
        return self.state.txn

    def key(self, item: int) -> str:
        return item_key(self.txn.txn_id, item)

    def to_basket_confirmation(self) -> None:
        """住民票の写し (300 yen, 1 copy), then 印鑑登録証明書 (300 yen, 2 copies)."""
        self.driver.to_confirmation()
        self.send(ev.AddCertificate())
        assert isinstance(self.state.screen, fs.JurisdictionChoice)  # 住所地 and 本籍地 offered
        self.send(
            ev.ChooseJurisdiction(Jurisdiction.RESIDENCE),
            ev.ChooseCertificate(CertificateKind.INKAN),
            ev.SetCopies(2),
            ev.Next(),
        )

    def to_payment(self) -> None:
        self.to_basket_confirmation()
        self.send(ev.ConfirmOrder(), ev.PrinterReady())
        self.send(ev.CertificateIssued(self.key(1), "ISS-1", 300, 2))
        self.send(ev.CertificateReady(self.key(1), "digest-1"))
        self.send(ev.CertificateIssued(self.key(2), "ISS-2", 600, 2))
        self.send(ev.CertificateReady(self.key(2), "digest-2"))

    def reports(self) -> list[fx.ReportCompletion]:
        return of_type(self.effects, fx.ReportCompletion)


@pytest.fixture
def visit(tmp_path: Path) -> Visit:
    return Visit(tmp_path)


def test_the_confirmation_lists_every_item_and_one_total(visit: Visit) -> None:
    visit.to_basket_confirmation()
    assert isinstance(visit.state.screen, fs.Confirmation)
    items = visit.txn.items
    assert [(i.request.kind, i.request.copies, i.fee_per_copy_yen) for i in items] == [
        (CertificateKind.JUMINHYO, 1, 300),
        (CertificateKind.INKAN, 2, 300),
    ]
    assert visit.txn.total_fee_yen == 900
    # No second card, no second PIN: the same authentication.
    assert not of_type(visit.effects, fx.ReadCard)
    assert not of_type(visit.effects, fx.VerifyPin)


def test_each_item_is_journaled_issued_and_composed_before_one_payment(visit: Visit) -> None:
    visit.to_basket_confirmation()
    opened = journal_records(visit.send(ev.ConfirmOrder()))
    txn_id = visit.txn.txn_id
    assert opened == [
        TransactionOpened(txn_id, "issue", "juminhyo", 1, 300),
        ItemAdded(txn_id, 2, "inkan", 2, 300),
    ]
    issue = of_type(visit.send(ev.PrinterReady()), fx.IssueCertificate)
    assert [e.txn_id for e in issue] == [txn_id]
    assert visit.state.screen == fs.Fetching(fs.FetchPhase.ISSUING, 1, 2)
    visit.send(ev.CertificateIssued(visit.key(1), "ISS-1", 300, 2))
    second = visit.send(ev.CertificateReady(visit.key(1), "digest-1"))
    assert not of_type(second, fx.EnableAcceptor)  # not before every item is ready
    assert [e.txn_id for e in of_type(second, fx.IssueCertificate)] == [f"{txn_id}_2"]
    assert visit.state.screen == fs.Fetching(fs.FetchPhase.ISSUING, 2, 2)
    visit.send(ev.CertificateIssued(visit.key(2), "ISS-2", 600, 2))
    pay = visit.send(ev.CertificateReady(visit.key(2), "digest-2"))
    assert of_type(pay, fx.EnableAcceptor) == [fx.EnableAcceptor(900)]
    assert isinstance(visit.state.screen, fs.Payment)


def test_a_two_item_basket_prints_item_by_item_and_reports_each(visit: Visit) -> None:
    visit.to_payment()
    first = visit.send(MoneyInserted(Denomination.Y1000))
    assert of_type(first, fx.DispenseChange) == [fx.DispenseChange(100)]
    assert of_type(first, fx.PrintCertificate) == [fx.PrintCertificate(visit.key(1), 1)]
    assert visit.state.screen == fs.Printing(0, 2, 1, 2)
    second = visit.send(ev.PrintFinished(2))
    assert of_type(second, fx.PrintCertificate) == [fx.PrintCertificate(visit.key(2), 2)]
    assert visit.state.screen == fs.Printing(0, 4, 2, 2)
    visit.send(ev.PrintFinished(4), ChangeDispensed(100, 100))
    assert isinstance(visit.state.screen, fs.Done)
    reports = visit.reports()
    assert [(r.txn_id, r.outcome, r.copies_printed, r.amount_paid_yen) for r in reports] == [
        (visit.key(1), fx.Completion.PRINTED, 1, 300),
        (visit.key(2), fx.Completion.PRINTED, 2, 600),
    ]
    # The journal closes once both reports are acknowledged, not before.
    visit.send(ev.CompletionReported(visit.key(2)))
    txn_id = visit.txn.txn_id
    assert visit.journal.summary(txn_id).closed is None
    visit.send(ev.CompletionReported(visit.key(1)))
    summary = visit.journal.summary(txn_id)
    assert summary.closed is CloseReason.COMPLETED
    assert [(i.kind, i.copies_printed, i.issuance_id, i.report) for i in summary.items] == [
        ("juminhyo", 1, "ISS-1", "printed"),
        ("inkan", 2, "ISS-2", "printed"),
    ]
    assert summary.kept_yen == 900
    assert summary.unsettled_yen == 0


@pytest.mark.parametrize(
    ("sides_printed", "kept", "refund"),
    [(0, 300, 600), (2, 600, 300), (3, 600, 300)],  # 0 or 1 of item 2's 2 copies out
)
def test_a_jam_in_the_second_item_keeps_the_first_and_refunds_the_rest(
    visit: Visit, sides_printed: int, kept: int, refund: int
) -> None:
    visit.to_payment()
    visit.send(MoneyInserted(Denomination.Y1000), ChangeDispensed(100, 100))
    visit.send(ev.PrintFinished(2))
    jam = visit.send(ev.PrintFailed(PrinterFault.JAM, sides_printed))
    item2 = 1 if sides_printed >= 2 else 0
    assert journal_records(jam)[0] == PrintOutcome(visit.txn.txn_id, item2, PrinterFault.JAM, 2)
    assert of_type(jam, fx.Refund) == [fx.Refund(refund)]
    assert visit.txn.kept_yen == kept
    visit.send(MoneyRefunded(refund, refund))
    reports = visit.reports()
    assert [
        (r.outcome, r.copies_printed, r.amount_paid_yen, r.amount_refunded_yen) for r in reports
    ] == [
        (fx.Completion.PRINTED, 1, 300, 0),
        (fx.Completion.FAILED, item2, 600, refund),
    ]
    assert reports[1].print_fault is PrinterFault.JAM
    summary = visit.journal.summary(visit.txn.txn_id)
    assert summary.kept_yen == kept
    assert summary.unsettled_yen == 0


def test_a_jam_in_the_first_of_three_refunds_the_two_others(tmp_path: Path) -> None:
    visit = Visit(tmp_path)
    visit.to_basket_confirmation()
    visit.send(ev.AddCertificate(), ev.ChooseJurisdiction(Jurisdiction.RESIDENCE))
    visit.send(ev.ChooseCertificate(CertificateKind.INKAN), ev.Next())
    assert len(visit.txn.items) == 3
    visit.send(ev.ConfirmOrder(), ev.PrinterReady())
    for item, fee in ((1, 300), (2, 600), (3, 300)):
        visit.send(ev.CertificateIssued(visit.key(item), f"ISS-{item}", fee, 2))
        visit.send(ev.CertificateReady(visit.key(item), f"d{item}"))
    visit.send(MoneyInserted(Denomination.Y1000), MoneyInserted(Denomination.Y500))
    visit.send(ChangeDispensed(300, 300))
    jam = visit.send(ev.PrintFailed(PrinterFault.JAM, 0))
    assert of_type(jam, fx.Refund) == [fx.Refund(1200)]
    assert not of_type(jam, fx.PrintCertificate)
    visit.send(MoneyRefunded(1200, 1000))  # short by 200: owed by staff
    reports = visit.reports()
    split = [(r.amount_paid_yen, r.amount_refunded_yen, r.refund_pending_yen) for r in reports]
    assert split == [(300, 300, 0), (600, 600, 0), (300, 100, 200)]
    assert all(r.outcome is fx.Completion.FAILED for r in reports)


def test_a_failure_fetching_the_second_item_cancels_the_visit_and_reports_both(
    visit: Visit,
) -> None:
    visit.to_basket_confirmation()
    visit.send(ev.ConfirmOrder(), ev.PrinterReady())
    visit.send(ev.CertificateIssued(visit.key(1), "ISS-1", 300, 2))
    visit.send(ev.CertificateReady(visit.key(1), "d1"))
    visit.send(ev.CenterFailed(ev.CenterCall.ISSUE, ev.CenterFailure.SESSION_EXPIRED))
    assert visit.state.screen == fs.Fault(fs.Problem.SESSION_EXPIRED)
    assert [(r.txn_id, r.outcome) for r in visit.reports()] == [
        (visit.key(1), fx.Completion.CANCELLED),
        (visit.key(2), fx.Completion.CANCELLED),
    ]
    assert not of_type(visit.effects, fx.EnableAcceptor)


def test_the_cap_of_the_profile_holds(tmp_path: Path) -> None:
    visit = Visit(tmp_path, basket_limit=2)
    visit.to_basket_confirmation()
    visit.send(ev.AddCertificate())
    assert isinstance(visit.state.screen, fs.Confirmation)
    assert len(visit.txn.items) == 2
    off = Visit(tmp_path / "one", basket_limit=1)
    off.driver.to_confirmation()
    off.send(ev.AddCertificate())
    assert isinstance(off.state.screen, fs.Confirmation)
    assert len(off.txn.items) == 1


def test_an_item_removed_before_paying_is_gone(visit: Visit) -> None:
    visit.to_basket_confirmation()
    visit.send(ev.RemoveItem(0))
    assert [i.request.kind for i in visit.txn.items] == [CertificateKind.INKAN]
    assert visit.txn.total_fee_yen == 600
    visit.send(ev.RemoveItem(0))  # the last item stays (cancel ends the visit)
    assert len(visit.txn.items) == 1
    opened = journal_records(visit.send(ev.ConfirmOrder()))
    assert opened == [TransactionOpened(visit.txn.txn_id, "issue", "inkan", 2, 300)]


def test_back_from_the_menu_returns_to_the_basket_unchanged(visit: Visit) -> None:
    visit.to_basket_confirmation()
    before = visit.txn.items
    visit.send(ev.AddCertificate(), ev.Back())
    assert isinstance(visit.state.screen, fs.Confirmation)
    assert visit.txn.items == before
    visit.send(ev.AddCertificate(), ev.ChooseJurisdiction(Jurisdiction.RESIDENCE), ev.Back())
    visit.send(ev.Back())  # the menu → 住所地/本籍地 → the basket
    assert isinstance(visit.state.screen, fs.Confirmation)
    assert visit.txn.items == before


def test_one_report_given_up_keeps_the_visit_open_for_the_recovery(visit: Visit) -> None:
    visit.to_payment()
    visit.send(MoneyInserted(Denomination.Y500), MoneyInserted(Denomination.Y500))
    visit.send(ChangeDispensed(100, 100), ev.PrintFinished(2), ev.PrintFinished(4))
    txn_id = visit.txn.txn_id
    visit.send(
        ev.CenterFailed(ev.CenterCall.COMPLETE, ev.CenterFailure.UNREACHABLE, txn_id=visit.key(1))
    )
    visit.send(ev.CompletionReported(visit.key(2)))
    summary = visit.journal.summary(txn_id)
    assert summary.closed is None
    assert [i.report for i in summary.items] == [None, "printed"]
    assert visit.state.pending_reports == ()
    assert visit.state.reports_given_up == ()


def test_the_intents_name_their_items(visit: Visit) -> None:
    visit.to_payment()
    visit.send(MoneyInserted(Denomination.Y1000), ChangeDispensed(100, 100))
    visit.send(ev.PrintFinished(2), ev.PrintFinished(4))
    records = journal_records(visit.effects)
    txn_id = visit.txn.txn_id
    prints = [r for r in records if isinstance(r, PrintIntent)]
    assert prints == [
        PrintIntent(txn_id, 1, "digest-1", 1),
        PrintIntent(txn_id, 2, "digest-2", 2),
    ]
    reports = [r for r in records if isinstance(r, ReportIntent)]
    assert [(r.item, r.outcome) for r in reports] == [(1, "printed"), (2, "printed")]


def test_the_receipt_names_every_certificate_printed(visit: Visit) -> None:
    visit.to_payment()
    visit.send(MoneyInserted(Denomination.Y1000), ChangeDispensed(100, 100))
    visit.send(ev.PrintFinished(2), ev.PrintFinished(4))
    receipts = of_type(visit.send(ev.AskReceipt()), fx.PrintReceipt)
    assert receipts == [
        fx.PrintReceipt(
            visit.txn.txn_id, 900, CertificateKind.JUMINHYO, 1, ((CertificateKind.INKAN, 2),)
        )
    ]


def test_the_fetch_watchdog_covers_one_item_at_a_time(visit: Visit) -> None:
    visit.to_basket_confirmation()
    visit.send(ev.ConfirmOrder(), ev.PrinterReady())
    first = visit.state.timer
    assert first is not None
    assert first.name is ev.TimerName.FETCH
    visit.send(ev.CertificateIssued(visit.key(1), "ISS-1", 300, 2))
    assert visit.state.timer == first  # the same item: the same watchdog
    started = of_type(visit.send(ev.CertificateReady(visit.key(1), "d1")), fx.StartTimer)
    assert [t.name for t in started] == [ev.TimerName.FETCH]  # item 2: restarted
    assert visit.state.timer is not None
    assert visit.state.timer.serial > first.serial


def test_an_idle_resident_adding_a_certificate_loses_the_whole_basket(visit: Visit) -> None:
    """The menu's idle timer, the prompt, then the reset: personal data wiped, nothing kept of
    the basket (nothing was journaled before the confirmation)."""
    visit.to_basket_confirmation()
    visit.send(ev.AddCertificate(), ev.ChooseJurisdiction(Jurisdiction.RESIDENCE))
    assert isinstance(visit.state.screen, fs.CertificateChoice)
    visit.driver.fire()  # idle: "continue?"
    assert visit.state.prompt
    effects = visit.driver.fire()  # no answer
    assert isinstance(visit.state.screen, fs.Start)
    assert visit.state.txn is None
    assert of_type(effects, fx.WipePersonalData)
    assert visit.journal.open_transactions() == []


def test_each_issuance_and_print_is_audited_and_asked_under_its_item(visit: Visit) -> None:
    visit.to_basket_confirmation()
    visit.send(ev.ConfirmOrder(), ev.PrinterReady())
    visit.send(ev.CertificateIssued(visit.key(1), "ISS-1", 300, 2))
    assert visit.state.screen == fs.Fetching(fs.FetchPhase.COMPOSING, 1, 2)
    visit.send(ev.CertificateReady(visit.key(1), "digest-1"))
    visit.send(ev.CertificateIssued(visit.key(2), "ISS-2", 600, 2))
    visit.send(ev.CertificateReady(visit.key(2), "digest-2"))
    visit.send(MoneyInserted(Denomination.Y1000), ChangeDispensed(100, 100))
    visit.send(ev.PrintFinished(2), ev.PrintFinished(4))
    # The center checks the resident's session lasts for this item and those after it.
    assert [e.items_left for e in of_type(visit.effects, fx.IssueCertificate)] == [2, 1]
    records = [audit.record for audit in of_type(visit.effects, fx.Audit)]

    def items(event: AuditEvent) -> list[str | int | None]:
        return [dict(r.details).get("item") for r in records if r.event is event]

    assert items(AuditEvent.ISSUE_COMPLETE) == [1, 2]
    assert items(AuditEvent.PRINT_INIT) == [1, 2]
    assert items(AuditEvent.PRINT_COMPLETE) == [1, 2]
