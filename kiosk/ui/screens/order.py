"""Order screens: 住所地/本籍地, certificate with fees, options, copies, confirmation."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.config import MAX_CERTIFICATES_PER_VISIT
from kiosk.domain import OptionRules
from kiosk.flow._order import can_add, options_complete
from kiosk.flow.events import (
    AddCertificate,
    Back,
    ChooseCertificate,
    ChooseJurisdiction,
    ChoosePerson,
    ConfirmMyNumber,
    ConfirmOrder,
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
    BasketItem,
    CertificateChoice,
    Confirmation,
    CopiesChoice,
    FlowState,
    JurisdictionChoice,
    OptionChoice,
    Transaction,
)
from kiosk.i18n import _, format_list, format_yen, ngettext
from kiosk.ui.screens.base import IntentSink, NavAction, ScreenView
from kiosk.ui.texts import (
    ITEM_NAMES,
    MY_NUMBER_ITEM,
    SCOPE_NAMES,
    fiscal_year_name,
    fuhyo_scope_name,
    jurisdiction_name,
    kind_name,
    koseki_scope_name,
    notice_text,
    person_name,
    unavailable_reason,
)
from kiosk.ui.widgets import (
    Choice,
    ChoiceGrid,
    ReviewTable,
    Segmented,
    TouchButton,
    frame,
    label,
    metrics,
)
from printing.certificates import (
    CertificateKind,
    CertificateOptions,
    CertificateRequest,
    ChosenOptions,
    FuhyoOptions,
    JuminhyoOptions,
    Jurisdiction,
    KosekiOptions,
    KosekiScope,
    NoOptions,
    Scope,
    TaxOptions,
)


def one_line_kind(kind: CertificateKind) -> str:
    """The certificate's name on one line (translated — Japanese)."""
    return kind_name(kind).replace("\n", " — ")


def _pager(grid: ChoiceGrid) -> None:
    grid.set_captions(_("◀ Previous"), _("Next ▶"), _("Page {page} of {pages}"))


class JurisdictionScreen(ScreenView):
    handles = (JurisdictionChoice,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        self.lead = self.add_label("lead")
        self.buttons: dict[Jurisdiction, TouchButton] = {}
        for jurisdiction in Jurisdiction:
            button = TouchButton("", min_height=metrics().px(120))
            button.clicked.connect(lambda _=False, j=jurisdiction: self.send(ChooseJurisdiction(j)))
            self.buttons[jurisdiction] = button
            self.body.addWidget(button)
        self.body.addStretch(1)

    def title(self, state: FlowState) -> str:
        return _("Which municipality?")

    def show_state(self, state: FlowState) -> None:
        offer = self.txn(state).offer
        self.lead.setText(_("Which municipality's certificate do you need?"))
        names = {
            Jurisdiction.RESIDENCE: offer.municipality_name if offer else "",
            Jurisdiction.HONSEKI: (offer.honseki_municipality_name or "") if offer else "",
        }
        for jurisdiction, button in self.buttons.items():
            button.setText(f"{jurisdiction_name(jurisdiction)}\n{names[jurisdiction]}")

    def nav(self, state: FlowState) -> list[NavAction]:
        txn = self.txn(state)
        # Adding another certificate: back to the order without one more.
        return [NavAction("back", _("Back"), Back())] if txn.basket and not txn.request else []


def _basket_summary(txn: Transaction) -> str:
    """The certificates already in the order and their copies, as one list in the resident's
    language (「住民票の写し（1通）、印鑑登録証明書（2通）」)."""
    return format_list(
        [
            _("{certificate} ({copies})").format(
                certificate=kind_name(item.request.kind).split("\n")[0],
                copies=ngettext("{count} copy", "{count} copies", item.request.copies).format(
                    count=item.request.copies
                ),
            )
            for item in txn.basket
        ]
    )


class CertificateScreen(ScreenView):
    handles = (CertificateChoice,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        self.lead = self.add_label("lead")
        self.grid = ChoiceGrid(columns=2, rows=3)
        self.grid.chosen.connect(lambda key: self.send(ChooseCertificate(CertificateKind(key))))
        self.body.addWidget(self.grid, 1)
        self.notices = self.add_label("muted")

    def title(self, state: FlowState) -> str:
        if state.txn is not None and state.txn.basket:  # adding to the order
            return _("Choose another certificate")
        return _("Choose a certificate")

    def show_state(self, state: FlowState) -> None:
        txn = self.txn(state)
        offer = txn.offer
        municipality = offer.municipality_name if offer else ""
        if offer and txn.jurisdiction is Jurisdiction.HONSEKI:
            municipality = offer.honseki_municipality_name or municipality
        self.lead.setText(
            _("Certificates of {municipality}. The fee is per copy.").format(
                municipality=municipality
            )
        )
        choices = []
        for line in offer.certificates if offer else ():
            if line.jurisdiction is not txn.jurisdiction:
                continue
            if line.available and line.fee_yen >= 0:
                detail = format_yen(line.fee_yen)
            else:
                detail = unavailable_reason(line.unavailable_reason)
            choices.append(
                Choice(line.kind.value, f"{kind_name(line.kind)}\n{detail}", enabled=line.available)
            )
        self.grid.set_choices(choices)
        _pager(self.grid)
        notices = offer.notices if offer else ()
        if txn.basket:
            # Adding: what the order holds already, so that nothing is chosen twice by mistake.
            # It takes the notices' place (read on the first pass through this menu): a line
            # more above the grid squeezed its buttons in es/pt at 1280×800.
            self.notices.setText(_("In your order: {items}.").format(items=_basket_summary(txn)))
        else:
            self.notices.setText("\n".join(notice_text(notice) for notice in notices))
        self.notices.setVisible(bool(notices) or bool(txn.basket))

    def nav(self, state: FlowState) -> list[NavAction]:
        txn = self.txn(state)
        offer = txn.offer
        both = (
            offer is not None
            and offer.honseki_municipality_code is not None
            and any(line.jurisdiction is Jurisdiction.HONSEKI for line in offer.certificates)
        )
        return [NavAction("back", _("Back"), Back())] if both or txn.basket else []


MY_NUMBER_KEY = "my_number"
SHOWN_SIDES = ("off", "on")


class OptionsScreen(ScreenView):
    """Whose certificate and what it shows; the My Number warning as a dialog over it.

    Every setting is a control whose state cannot be misread (issue 14): whose entries and each
    optional item are :class:`Segmented` controls — the chosen side filled and ticked — and the
    resulting selection is said in words below them.
    """

    handles = (OptionChoice,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        columns = QHBoxLayout()
        columns.setSpacing(metrics().margin)
        left = QVBoxLayout()
        left.setSpacing(metrics().gap)
        self.left_title = label("", "field-label")
        left.addWidget(self.left_title)
        # 住民票: whose entries, one row; tax years and 戸籍 scopes: a column of choices.
        self.scope_switch = Segmented([scope.value for scope in Scope])
        self.scope_switch.chosen.connect(self._scope_chosen)
        left.addWidget(self.scope_switch)
        self.scopes = ChoiceGrid(columns=1, rows=3, checkable=True)
        self.scopes.chosen.connect(self._scope_chosen)
        left.addWidget(self.scopes)
        self.members_title = label("", "field-label")
        left.addWidget(self.members_title)
        self.members = ChoiceGrid(columns=3, rows=2, checkable=True)
        self.members.chosen.connect(self._member_chosen)
        left.addWidget(self.members)
        # The selection in words, under the choices it sums up (the right column is full).
        self.summary = frame("panel")
        summary_layout = QVBoxLayout(self.summary)
        self.summary_title = label("", "field-label")
        self.summary_text = label("", "body")
        summary_layout.addWidget(self.summary_title)
        summary_layout.addWidget(self.summary_text)
        left.addWidget(self.summary)
        left.addStretch(1)
        right = QVBoxLayout()
        right.setSpacing(metrics().gap)
        self.right_title = label("", "field-label")
        right.addWidget(self.right_title)
        items = QGridLayout()
        items.setHorizontalSpacing(metrics().gap)
        items.setVerticalSpacing(metrics().gap)
        self.item_rows: list[tuple[QLabel, Segmented]] = []
        self._item_keys: list[str] = []
        for row in range(len(OptionItem) + 1):
            name = label("", "body")
            switch = Segmented(SHOWN_SIDES)
            switch.chosen.connect(lambda side, r=row: self._item_chosen(r, side == "on"))
            items.addWidget(name, row, 0, Qt.AlignmentFlag.AlignVCenter)
            items.addWidget(switch, row, 1)
            self.item_rows.append((name, switch))
        items.setColumnStretch(0, 4)
        items.setColumnStretch(1, 5)
        right.addLayout(items)
        self.hint = label("", "muted")
        right.addWidget(self.hint)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        self.body.addLayout(columns, 1)
        self._options: ChosenOptions | None = None
        self._build_warning()

    def _build_warning(self) -> None:
        self.warning = QWidget(self)
        self.warning.setProperty("role", "scrim")
        self.warning.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        outer = QVBoxLayout(self.warning)
        pad = metrics().margin
        outer.setContentsMargins(pad * 2, pad, pad * 2, pad)
        dialog = frame("dialog")
        inner = QVBoxLayout(dialog)
        inner.setContentsMargins(pad, pad, pad, pad)
        inner.setSpacing(metrics().gap)
        box = frame("warning")
        box_layout = QVBoxLayout(box)
        self.warning_title = label("", "title")
        self.warning_text = label("", "body")
        box_layout.addWidget(self.warning_title)
        box_layout.addWidget(self.warning_text)
        inner.addWidget(box)
        self.warning_question = label("", "lead")
        inner.addWidget(self.warning_question)
        buttons = QHBoxLayout()
        self.warning_back = TouchButton("")
        self.warning_back.clicked.connect(lambda: self.send(Back()))
        self.warning_confirm = TouchButton("", "primary")
        self.warning_confirm.clicked.connect(lambda: self.send(ConfirmMyNumber()))
        buttons.addWidget(self.warning_back, 1)
        buttons.addWidget(self.warning_confirm, 1)
        inner.addLayout(buttons)
        outer.addStretch(1)
        outer.addWidget(dialog)
        outer.addStretch(1)
        self.warning.hide()

    def resizeEvent(self, event: object) -> None:
        self.warning.setGeometry(self.rect())
        super().resizeEvent(event)  # type: ignore[arg-type]

    def _scope_chosen(self, key: str) -> None:
        if isinstance(self._options, JuminhyoOptions):
            self.send(SetScope(Scope(key)))
        elif isinstance(self._options, TaxOptions):
            self.send(SetFiscalYear(int(key)))
        elif isinstance(self._options, KosekiOptions | FuhyoOptions):
            self.send(SetKosekiScope(KosekiScope(key)))

    def _member_chosen(self, key: str) -> None:
        if isinstance(self._options, JuminhyoOptions):
            self.send(ToggleMember(key))
        elif isinstance(self._options, KosekiOptions):
            self.send(ChoosePerson(key))
        elif isinstance(self._options, FuhyoOptions):
            self.send(TogglePerson(key))

    def _item_chosen(self, row: int, on: bool) -> None:
        if not isinstance(self._options, JuminhyoOptions | FuhyoOptions):
            return
        if row >= len(self._item_keys):
            return
        key = self._item_keys[row]
        if key == MY_NUMBER_KEY:
            self.send(RequestMyNumber(on))  # "on" opens the warning first (the flow decides)
        else:
            self.send(SetItem(OptionItem(key), on))

    def item_switch(self, key: str) -> Segmented | None:
        """The shown/not-shown switch of an optional item (an OptionItem value or
        ``my_number``), if the certificate offers it."""
        if key not in self._item_keys:
            return None
        return self.item_rows[self._item_keys.index(key)][1]

    def title(self, state: FlowState) -> str:
        request = self.txn(state).request
        if request is None:
            return _("Choose what the certificate shows")
        return one_line_kind(request.kind)

    def show_state(self, state: FlowState) -> None:
        screen = state.screen
        assert isinstance(screen, OptionChoice)
        txn = self.txn(state)
        options = screen.options
        self._options = options
        request = txn.request
        line = txn.offered(request.kind) if request else None
        rules = line.rules if line else None
        for grid in (self.scopes, self.members):
            _pager(grid)
        self.members_title.hide()
        self.members.hide()
        self.scope_switch.hide()
        self.scopes.hide()
        self._render_items(options, rules)
        if isinstance(options, JuminhyoOptions):
            self.left_title.setText(_("Whose entries?"))
            scopes = rules.scopes if rules else (options.scope,)
            self.scope_switch.set_texts(
                {s.value: _(SCOPE_NAMES[s]) for s in Scope}, _("Whose entries?")
            )
            self.scope_switch.set_offered([s.value for s in scopes])
            self.scope_switch.set_value(options.scope.value)
            self.scope_switch.show()
            if options.scope is Scope.HOUSEHOLD_PART:
                self.members_title.show()
                self.members_title.setText(_("Choose the members"))
                household = txn.offer.household if txn.offer else ()
                self.members.set_choices(
                    [
                        Choice(
                            m.member_id, m.display_name, selected=m.member_id in options.member_ids
                        )
                        for m in household
                    ]
                )
                self.members.show()
        elif isinstance(options, TaxOptions):
            self.left_title.setText(_("Which fiscal year?"))
            years = rules.fiscal_years if rules else (options.fiscal_year,)
            self.scopes.set_choices(
                [
                    Choice(str(year), fiscal_year_name(year), selected=year == options.fiscal_year)
                    for year in sorted(years, reverse=True)
                ]
            )
            self.scopes.show()
        else:
            fuhyo = isinstance(options, FuhyoOptions)
            self.left_title.setText(
                _("Whose entries?") if fuhyo else _("Which certificate do you need?")
            )
            koseki_scopes = (rules.koseki_scopes if rules else ()) or (options.scope,)
            names = fuhyo_scope_name if fuhyo else koseki_scope_name
            self.scopes.set_choices(
                [Choice(s.value, names(s), selected=s is options.scope) for s in koseki_scopes]
            )
            self.scopes.show()
            persons = rules.persons if rules else ()
            if options.scope is KosekiScope.INDIVIDUAL and persons:
                chosen = (
                    set(options.person_ids)
                    if isinstance(options, FuhyoOptions)
                    else {options.person_id or (rules.self_person_id if rules else None)}
                )
                self.members_title.setText(
                    _("Choose the members") if fuhyo else _("Whose individual certificate?")
                )
                self.members.set_choices(
                    [
                        Choice(
                            p.member_id,
                            person_name(p, rules.self_person_id if rules else None),
                            selected=p.member_id in chosen,
                        )
                        for p in persons
                    ]
                )
                self.members_title.show()
                self.members.show()
        # A tax year is one choice, already filled and ticked: nothing more to sum up.
        self.summary.setVisible(not isinstance(options, TaxOptions))
        self.summary_title.setText(_("Your choice"))
        self.summary_text.setText("\n".join(describe_chosen(options, txn)))
        self.warning.setVisible(screen.my_number_warning)
        if screen.my_number_warning:
            self.warning.raise_()
            self.warning_title.setText(_("Printing your My Number"))
            self.warning_text.setText(
                _(
                    "A copy that shows the Individual Number (My Number) may only be given to "
                    "the bodies entitled by law to receive it, such as your employer for tax and "
                    "social security. For most purposes a copy without it is needed."
                )
            )
            self.warning_question.setText(_("Do you really want the My Number printed?"))
            self.warning_back.setText(_("No, do not print it"))
            self.warning_confirm.setText(_("Yes, print it"))

    def _render_items(self, options: ChosenOptions, rules: OptionRules | None) -> None:
        """One row per optional item the municipality allows: its name and a 記載しない／記載する
        switch whose filled side is what the certificate will do."""
        rows: list[tuple[str, str, bool]] = []
        if isinstance(options, JuminhyoOptions) and rules is not None:
            offered = (
                (
                    OptionItem.HEAD_AND_RELATIONSHIP,
                    rules.head_and_relationship,
                    options.show_head_and_relationship,
                ),
                (OptionItem.HONSEKI, rules.honseki, options.show_honseki),
                (OptionItem.FOREIGN_ITEMS, rules.foreign_items, options.show_foreign_items),
            )
            rows = [
                (item.value, _(ITEM_NAMES[item]), on) for item, allowed, on in offered if allowed
            ]
            if rules.my_number:
                rows.append((MY_NUMBER_KEY, _(MY_NUMBER_ITEM), options.show_my_number))
        elif isinstance(options, FuhyoOptions) and rules is not None and rules.honseki:
            item = OptionItem.HONSEKI
            rows = [(item.value, _(ITEM_NAMES[item]), options.show_honseki)]
        self._item_keys = [key for key, _name, _on in rows]
        for index, (name_label, switch) in enumerate(self.item_rows):
            shown = index < len(rows)
            name_label.setVisible(shown)
            switch.setVisible(shown)
            if shown:
                _key, name, on = rows[index]
                name_label.setText(name)
                switch.set_texts({"off": _("Not shown"), "on": _("Shown")}, name)
                switch.set_value("on" if on else "off")
        self.right_title.setVisible(bool(rows))
        self.right_title.setText(_("Optional items on the certificate"))
        self.hint.setVisible(bool(rows))
        self.hint.setText(_("Show only what the office that asked for it needs."))

    def nav(self, state: FlowState) -> list[NavAction]:
        screen = state.screen
        assert isinstance(screen, OptionChoice)
        if screen.my_number_warning:
            return []
        complete = options_complete(screen.options)
        return [
            NavAction("back", _("Back"), Back()),
            NavAction("next", _("Next"), Next(), primary=True, enabled=complete),
        ]


class CopiesScreen(ScreenView):
    handles = (CopiesChoice,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        self.kind = self.add_label("lead")
        self.body.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(metrics().margin)
        self.minus = TouchButton("−", keycap=True, min_height=metrics().px(110))
        self.plus = TouchButton("+", keycap=True, min_height=metrics().px(110))
        self.count = label("", "figure", wrap=False)
        self.count.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row.addStretch(1)
        row.addWidget(self.minus, 1)
        row.addWidget(self.count, 2)
        row.addWidget(self.plus, 1)
        row.addStretch(1)
        self.body.addLayout(row)
        self.total = self.add_label("lead")
        self.total.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.limit = self.add_label("muted")
        self.limit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addStretch(1)
        self._copies = 1
        self.minus.clicked.connect(lambda: self.send(SetCopies(self._copies - 1)))
        self.plus.clicked.connect(lambda: self.send(SetCopies(self._copies + 1)))

    def title(self, state: FlowState) -> str:
        return _("How many copies?")

    def show_state(self, state: FlowState) -> None:
        screen = state.screen
        assert isinstance(screen, CopiesChoice)
        txn = self.txn(state)
        self._copies = screen.copies
        request = txn.request
        line = txn.offered(request.kind) if request else None
        maximum = line.rules.max_copies if line else 1
        self.kind.setText(one_line_kind(request.kind) if request else "")
        self.count.setText(
            ngettext("{count} copy", "{count} copies", screen.copies).format(count=screen.copies)
        )
        self.minus.setEnabled(screen.copies > 1)
        self.plus.setEnabled(screen.copies < maximum)
        self.total.setText(
            _("{fee} per copy, total {total}").format(
                fee=format_yen(txn.fee_per_copy_yen),
                total=format_yen(txn.fee_per_copy_yen * screen.copies),
            )
        )
        self.limit.setText(_("Up to {max} copies.").format(max=maximum))

    def nav(self, state: FlowState) -> list[NavAction]:
        return [
            NavAction("back", _("Back"), Back()),
            NavAction("next", _("Next"), Next(), primary=True),
        ]


def describe_options(request: CertificateRequest, txn: Transaction) -> list[str]:
    """The chosen options as lines for the confirmation and the review."""
    return describe_chosen(request.options, txn)


def describe_chosen(options: CertificateOptions, txn: Transaction) -> list[str]:
    """Options in words, one line per setting (the options screen's summary, the confirmation)."""
    lines: list[str] = []
    if isinstance(options, JuminhyoOptions):
        scope = _(SCOPE_NAMES[options.scope])
        if options.scope is Scope.HOUSEHOLD_PART and txn.offer is not None:
            names = [
                m.display_name for m in txn.offer.household if m.member_id in options.member_ids
            ]
            scope = f"{scope}: {format_list(names)}" if names else scope
        lines.append(scope)
        shown = [
            (options.show_head_and_relationship, _(ITEM_NAMES[OptionItem.HEAD_AND_RELATIONSHIP])),
            (options.show_honseki, _(ITEM_NAMES[OptionItem.HONSEKI])),
            (options.show_foreign_items, _(ITEM_NAMES[OptionItem.FOREIGN_ITEMS])),
            (options.show_my_number, _(MY_NUMBER_ITEM)),
        ]
        names_shown = [name for on, name in shown if on]
        lines.append(
            _("Also shows: {items}").format(items=format_list(names_shown))
            if names_shown
            else _("No optional items")
        )
    elif isinstance(options, TaxOptions):
        lines.extend(fiscal_year_name(options.fiscal_year).split("\n"))
    elif isinstance(options, KosekiOptions):
        lines.append(koseki_scope_name(options.scope).replace("\n", " — "))
        line = txn.offered(txn.request.kind) if txn.request else None
        people = {p.member_id: p.display_name for p in (line.rules.persons if line else ())}
        if options.person_id in people:
            lines.append(_("Of: {names}").format(names=people[options.person_id]))
    elif isinstance(options, FuhyoOptions):
        lines.append(fuhyo_scope_name(options.scope).replace("\n", " — "))
        line = txn.offered(txn.request.kind) if txn.request else None
        people = {p.member_id: p.display_name for p in (line.rules.persons if line else ())}
        names = [people[p] for p in options.person_ids if p in people]
        if names:
            lines.append(_("Of: {names}").format(names=format_list(names)))
        lines.append(
            _("Also shows: {items}").format(items=_(ITEM_NAMES[OptionItem.HONSEKI]))
            if options.show_honseki
            else _("No optional items")
        )
    elif isinstance(options, NoOptions):
        pass
    return lines


class ConfirmationScreen(ScreenView):
    """The order: one certificate in detail, or a basket as a list (each item with its fee
    and a button to remove it), the total, and 「ほかの証明書も取得する」 up to the profile's
    cap."""

    handles = (Confirmation,)

    def __init__(self, emit: IntentSink, parent: QWidget | None = None) -> None:
        super().__init__(emit, parent)
        self.lead = self.add_label("lead")
        self.table = ReviewTable(rows=5)
        self.body.addWidget(self.table)
        self.basket = frame("panel")
        basket_layout = QGridLayout(self.basket)
        pad = metrics().margin
        basket_layout.setContentsMargins(pad, pad // 2, pad, pad // 2)
        basket_layout.setHorizontalSpacing(pad)
        basket_layout.setVerticalSpacing(metrics().gap)
        self.item_rows: list[tuple[QLabel, TouchButton]] = []
        for index in range(MAX_CERTIFICATES_PER_VISIT):
            text = label("", "body")
            remove = TouchButton("")
            remove.clicked.connect(lambda _=False, i=index: self.send(RemoveItem(i)))
            self.item_rows.append((text, remove))
        self._basket_layout = basket_layout
        self._columns = 0
        self._arrange(1)
        self.body.addWidget(self.basket)
        total_row = QHBoxLayout()
        self.total_name = label("", "figure-label")
        self.total = label("", "figure", wrap=False)
        total_row.addWidget(self.total_name, 1)
        total_row.addWidget(self.total)
        self.body.addLayout(total_row)
        self.note = self.add_label("muted")
        self.body.addStretch(1)

    def _arrange(self, columns: int) -> None:
        """The basket's items one under the other (two items, with their details), or in two
        columns (three or more, one line each): five fit the smallest screen with their
        remove buttons at full touch size."""
        if columns == self._columns:
            return
        grid = self._basket_layout
        for index, (text, remove) in enumerate(self.item_rows):
            row, column = divmod(index, columns)
            grid.addWidget(text, row, 2 * column)
            grid.addWidget(remove, row, 2 * column + 1)
        for column in range(4):
            grid.setColumnStretch(column, 1 if column % 2 == 0 and column < 2 * columns else 0)
        self._columns = columns

    def title(self, state: FlowState) -> str:
        return _("Check your order")

    def show_state(self, state: FlowState) -> None:
        txn = self.txn(state)
        request = txn.request
        assert request is not None
        items = txn.items
        several = len(items) > 1
        self.table.setVisible(not several)
        self.basket.setVisible(several)
        self._arrange(2 if len(items) > 2 else 1)
        if several:
            # Two items leave room to say the payment is one; more need every line.
            self.lead.setText(
                _(
                    "Please check your order, then tap “Confirm”. One payment covers every "
                    "certificate."
                )
                if len(items) == 2
                else _("Please check your order, then tap “Confirm”.")
            )
            for index, (text, remove) in enumerate(self.item_rows):
                shown = index < len(items)
                text.setVisible(shown)
                remove.setVisible(shown)
                if shown:
                    text.setText(self._item_text(index, items[index], txn))
                    remove.setText(_("Remove"))
                    remove.set_spoken(
                        _("Remove {certificate}").format(
                            certificate=one_line_kind(items[index].request.kind)
                        )
                    )
        else:
            self.lead.setText(_("Please check your order, then tap “Confirm”."))
            self.table.show_rows(self._details(request, txn))
        self.total_name.setText(_("Total"))
        self.total.setText(format_yen(txn.total_fee_yen))
        note = _(
            "You pay after the certificate data has arrived. Nothing is charged if it cannot "
            "be issued."
        )
        limit = state.settings.basket_limit
        if limit > 1 and len(items) >= limit:
            note += "\n" + ngettext(
                "Up to {count} certificate per visit.",
                "Up to {count} certificates per visit.",
                limit,
            ).format(count=limit)
        self.note.setText(note)

    def _municipality(self, request: CertificateRequest, txn: Transaction) -> str:
        offer = txn.offer
        if offer is None:
            return ""
        name = (
            offer.honseki_municipality_name or ""
            if request.jurisdiction is Jurisdiction.HONSEKI
            else offer.municipality_name
        )
        return _("{municipality} ({jurisdiction})").format(
            municipality=name, jurisdiction=jurisdiction_name(request.jurisdiction)
        )

    def _details(self, request: CertificateRequest, txn: Transaction) -> list[tuple[str, str]]:
        return [
            (_("Certificate"), one_line_kind(request.kind)),
            (_("Municipality"), self._municipality(request, txn)),
            (_("Contents"), "\n".join(describe_options(request, txn)) or "—"),
            (
                _("Copies"),
                ngettext("{count} copy", "{count} copies", request.copies).format(
                    count=request.copies
                ),
            ),
            (_("Fee per copy"), format_yen(txn.fee_per_copy_yen)),
        ]

    def _item_text(self, index: int, item: BasketItem, txn: Transaction) -> str:
        """One basket entry: with two items, number, certificate, where from, what it shows and
        copies × fee; with more, one line each — number, name, copies and total — for five to
        fit the smallest screen (each item was checked on its own options screen)."""
        request = item.request
        fee = _("{copies} × {fee} = {total}").format(
            copies=ngettext("{count} copy", "{count} copies", request.copies).format(
                count=request.copies
            ),
            fee=format_yen(item.fee_per_copy_yen),
            total=format_yen(item.total_fee_yen),
        )
        if txn.item_count > 2:  # one line each: the name in the resident's language
            return _("{number}. {certificate}: {copies}, {total}").format(
                number=index + 1,
                certificate=kind_name(request.kind).split("\n")[0],
                copies=ngettext("{count} copy", "{count} copies", request.copies).format(
                    count=request.copies
                ),
                total=format_yen(item.total_fee_yen),
            )
        contents = describe_chosen(
            request.options, replace(txn, request=request, jurisdiction=request.jurisdiction)
        )
        head = f"{index + 1}. {one_line_kind(request.kind)}"
        detail = " / ".join([self._municipality(request, txn), *contents])
        return f"{head}\n{detail}\n{fee}"

    def nav(self, state: FlowState) -> list[NavAction]:
        actions = [NavAction("back", _("Back"), Back())]
        if can_add(state):
            actions.append(NavAction("add", _("Add another certificate"), AddCertificate()))
        actions.append(NavAction("confirm", _("Confirm"), ConfirmOrder(), primary=True))
        return actions

    def forget(self) -> None:
        self.table.forget()  # the contents may name household members
