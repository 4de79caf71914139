"""Representative snapshots of every screen, built with the flow's own state types and
synthetic data (no real person): used by the screen gallery, the UI tests and the benchmark."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

from kiosk.domain import (
    HouseholdMember,
    NoticeKind,
    NoticeText,
    Offer,
    OfferedCertificate,
    OptionRules,
)
from kiosk.flow.events import (
    CardFacts,
    FormField,
    HonsekiMunicipality,
    RegistrationState,
    Service,
)
from kiosk.flow.state import (
    Authenticating,
    AuthPhase,
    BasketItem,
    Cancelled,
    CardState,
    CenterStatus,
    CertificateChoice,
    CheckingStatus,
    Confirmation,
    Consent,
    CopiesChoice,
    Done,
    Fault,
    Fetching,
    FetchPhase,
    FlowSettings,
    FlowState,
    IssuedDocument,
    JurisdictionChoice,
    MatchingNumberEntry,
    Money,
    MunicipalityChoice,
    OptionChoice,
    OutOfService,
    OwedSlip,
    PaperState,
    Payment,
    PinEntry,
    PinLocked,
    PlaceCard,
    Printing,
    ReadingFacts,
    Refunding,
    RegistrationDraft,
    RegistrationForm,
    RegistrationReceipt,
    RegistrationReview,
    ReturnCard,
    Screen,
    SlipState,
    StaffAccess,
    Start,
    StatusEntry,
    StatusResult,
    Submitting,
    TakeCard,
    Transaction,
    VerifyingPin,
)
from kiosk.payment.events import RejectReason
from kiosk.problems import OwedCode, Problem, ServiceStop
from printing.certificates import (
    CertificateKind,
    CertificateRequest,
    FuhyoOptions,
    JuminhyoOptions,
    Jurisdiction,
    KosekiOptions,
    KosekiScope,
    NoOptions,
    Scope,
    TaxOptions,
)

SETTINGS = FlowSettings(
    boot_id="gallery",
    hours=(time(6, 30), time(23, 0)),
    notices=(
        # The operator's notice, written in every screen language.
        NoticeText.of(
            NoticeKind.CLOSURE,
            {
                "ja": "年末年始（12月29日〜1月3日）は戸籍証明書を交付できません。",
                "en": "Family register certificates are not issued from December 29 to January 3.",
                "zh_Hans": "12月29日至1月3日（年末年初）不发放户籍证明书。",
                "zh_Hant": "12月29日至1月3日（年末年初）不核發戶籍證明書。",
                "ko": "연말연시(12월 29일~1월 3일)에는 호적 증명서를 발급하지 않습니다.",
                "es": "Del 29 de diciembre al 3 de enero no se emiten certificados del registro "
                "familiar.",
                "pt": "De 29 de dezembro a 3 de janeiro não são emitidas certidões do registro "
                "familiar.",
                "vi": "Từ ngày 29/12 đến ngày 3/1 không cấp giấy chứng nhận hộ tịch.",
            },
        ),
    ),
)

JUMINHYO_RULES = OptionRules(
    scopes=(Scope.SELF, Scope.HOUSEHOLD_ALL, Scope.HOUSEHOLD_PART),
    head_and_relationship=True,
    honseki=True,
    my_number=True,
    foreign_items=True,
    max_copies=5,
)

# The persons of the sample family register (本籍地 函館市), the resident first.
REGISTER = (
    HouseholdMember("p1", "見本　一郎"),
    HouseholdMember("p2", "見本　花子"),
    HouseholdMember("p3", "見本　次郎"),
)

OFFER = Offer(
    municipality_code="131202",
    municipality_name="練馬区",
    certificates=(
        OfferedCertificate(
            CertificateKind.JUMINHYO, Jurisdiction.RESIDENCE, 200, 300, JUMINHYO_RULES
        ),
        OfferedCertificate(
            CertificateKind.KISAI_JIKO, Jurisdiction.RESIDENCE, 200, 300, JUMINHYO_RULES
        ),
        OfferedCertificate(CertificateKind.INKAN, Jurisdiction.RESIDENCE, 200, 300),
        OfferedCertificate(
            CertificateKind.TAX_INCOME,
            Jurisdiction.RESIDENCE,
            200,
            300,
            OptionRules(fiscal_years=(2023, 2024, 2025)),
        ),
        OfferedCertificate(
            CertificateKind.TAX_PAYMENT,
            Jurisdiction.RESIDENCE,
            200,
            300,
            available=False,
            unavailable_reason="no_record",
        ),
        OfferedCertificate(
            CertificateKind.KOSEKI_FUHYO,
            Jurisdiction.RESIDENCE,
            250,
            300,
            available=False,
            unavailable_reason="weekdays_only",
        ),
        OfferedCertificate(
            CertificateKind.KOSEKI,
            Jurisdiction.HONSEKI,
            400,
            450,
            OptionRules(
                koseki_scopes=(KosekiScope.ALL, KosekiScope.INDIVIDUAL),
                persons=REGISTER,
                self_person_id="p1",
            ),
        ),
        OfferedCertificate(
            CertificateKind.KOSEKI_FUHYO,
            Jurisdiction.HONSEKI,
            250,
            300,
            OptionRules(
                koseki_scopes=(KosekiScope.ALL, KosekiScope.INDIVIDUAL),
                honseki=True,
                persons=REGISTER,
                self_person_id="p1",
            ),
        ),
    ),
    household=(
        HouseholdMember("m1", "見本　一郎"),
        HouseholdMember("m2", "見本　花子"),
        HouseholdMember("m3", "見本　次郎"),
    ),
    honseki_municipality_code="012025",
    honseki_municipality_name="函館市",
    # The municipality's notice, posted in Japanese only: marked as such on other languages.
    notices=(
        NoticeText.japanese(
            "毎月第1水曜日 06:30〜08:00 は定期保守のため交付を停止します。", NoticeKind.MAINTENANCE
        ),
    ),
)

FACTS = CardFacts("見本　花子", "東京都練馬区豊玉北６丁目１２番１号", date(1985, 4, 1), "2")

MUNICIPALITIES = (
    HonsekiMunicipality("012025", "函館市", "北海道"),
    HonsekiMunicipality("011002", "札幌市", "北海道"),
    HonsekiMunicipality("131016", "千代田区", "東京都"),
    HonsekiMunicipality("131202", "練馬区", "東京都"),
    HonsekiMunicipality("131041", "新宿区", "東京都"),
    HonsekiMunicipality("271004", "大阪市", "大阪府"),
    HonsekiMunicipality("401005", "北九州市", "福岡県"),
    HonsekiMunicipality("472018", "那覇市", "沖縄県"),
)


def _txn(**changes: object) -> Transaction:
    base = Transaction(
        txn_id="gallery-000001",
        service=Service.ISSUE,
        card=CardState.REMOVED,
        offer=OFFER,
        jurisdiction=Jurisdiction.RESIDENCE,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# One A4 sheet per copy, printed on both sides (front and the back with the scrambled image).
DOCUMENT = IssuedDocument(total_fee_yen=400, sides_per_copy=2, document_digest="gallery")
DOCUMENT_INKAN = IssuedDocument(total_fee_yen=200, sides_per_copy=2, document_digest="gallery-2")


def _ordered(options: object = None, copies: int = 2, **changes: object) -> Transaction:
    request = CertificateRequest(
        CertificateKind.JUMINHYO,
        Jurisdiction.RESIDENCE,
        options or JuminhyoOptions(Scope.HOUSEHOLD_ALL, show_head_and_relationship=True),  # type: ignore[arg-type]
        copies,
    )
    return _txn(request=request, fee_per_copy_yen=200, **changes)


def _basket(**changes: object) -> Transaction:
    """A visit with two certificates (the basket): 住民票 ×2 (400 yen) chosen first, then
    印鑑登録証明書 ×1 (200 yen) as the last item; 600 yen in one payment."""
    first = BasketItem(
        CertificateRequest(
            CertificateKind.JUMINHYO,
            Jurisdiction.RESIDENCE,
            JuminhyoOptions(Scope.HOUSEHOLD_ALL, show_head_and_relationship=True),
            2,
        ),
        200,
    )
    inkan = CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 1)
    base: dict[str, object] = {"basket": (first,), "request": inkan, "fee_per_copy_yen": 200}
    return _txn(**{**base, **changes})


def _full_basket() -> Transaction:
    """The profile's default cap, five certificates: the longest order the screen must fit."""
    tax = CertificateRequest(
        CertificateKind.TAX_INCOME, Jurisdiction.RESIDENCE, TaxOptions(2025), 1
    )
    inkan = CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 1)
    more = (BasketItem(inkan, 200), BasketItem(tax, 200), BasketItem(replace(inkan, copies=3), 200))
    txn = _basket()
    return replace(txn, basket=(*txn.basket, *more))


def _registration(**changes: object) -> Transaction:
    draft = RegistrationDraft(
        "012025",
        "函館市",
        facts=FACTS,
        honseki="北海道函館市元町１番地",
        hittosha="見本　一郎",
        phone="090-1234-5678",
    )
    return Transaction(
        txn_id="gallery-000002",
        service=Service.REGISTER,
        card=CardState.REMOVED,
        registration=replace(draft, **changes),  # type: ignore[arg-type]
    )


def _state(screen: Screen, txn: Transaction | None = None, **changes: object) -> FlowState:
    state = FlowState(settings=SETTINGS, screen=screen, txn=txn)
    return replace(state, **changes)  # type: ignore[arg-type]


def samples() -> list[tuple[str, FlowState]]:
    """(name, snapshot) for every screen and its notable variants, in flow order."""
    issue = _txn(card=CardState.NONE, offer=None, jurisdiction=None)
    paid = Money(due_yen=400, inserted_yen=1000, paid_in_yen=1000, change_yen=600, paid=True)
    basket_paid = Money(due_yen=600, inserted_yen=1000, paid_in_yen=1000, change_yen=400, paid=True)
    owed = Money(
        due_yen=400,
        inserted_yen=500,
        paid_in_yen=500,
        refunded_yen=300,
        staff_owed_yen=200,
        fee_owed_yen=200,
        owed_codes=(OwedCode.REFUND_SHORT,),
        paid=True,
    )
    return [
        ("start", _state(Start())),
        ("start-language-menu", _state(Start(), language_menu_open=True)),
        (
            "start-center-down",
            _state(Start(), center=CenterStatus(Problem.CENTER_UNREACHABLE)),
        ),
        (
            "start-center-maintenance",
            _state(
                Start(),
                center=CenterStatus(
                    Problem.CENTER_MAINTENANCE, datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
                ),
            ),
        ),
        (
            "start-kiosk-not-authorised",
            _state(Start(), center=CenterStatus(Problem.KIOSK_NOT_AUTHORISED)),
        ),
        ("start-acceptor-offline", _state(Start(), acceptor_available=False)),
        ("start-out-of-service", _state(Start(), service_stop=ServiceStop.PRINTER)),
        ("start-staff-at-work", _state(Start(), staff_access=StaffAccess.OPEN)),
        ("consent", _state(Consent(), issue)),
        ("place-card", _state(PlaceCard(), issue)),
        ("place-card-reading", _state(PlaceCard(reading=True), _txn(card=CardState.PRESENT))),
        ("place-card-problem", _state(PlaceCard(problem=Problem.CARD_UNREADABLE), issue)),
        ("pin-reading-tries", _state(PinEntry(), _txn(card=CardState.IN_USE))),
        ("pin-entry", _state(PinEntry(tries_left=3, digits="58"), _txn(card=CardState.IN_USE))),
        (
            "pin-last-try",
            _state(PinEntry(tries_left=1, digits="", wrong=True), _txn(card=CardState.IN_USE)),
        ),
        ("verifying-pin", _state(VerifyingPin(tries_left=3), _txn(card=CardState.IN_USE))),
        ("pin-locked", _state(PinLocked(), _txn(card=CardState.RELEASED))),
        ("authenticating", _state(Authenticating(AuthPhase.SIGNING), _txn(card=CardState.IN_USE))),
        ("take-card", _state(TakeCard(reminders=1), _txn(card=CardState.RELEASED))),
        ("take-card-waiting", _state(TakeCard(), _txn(card=CardState.REMOVED, offer=None))),
        ("return-card", _state(ReturnCard(), _txn(card=CardState.RELEASED))),
        ("jurisdiction", _state(JurisdictionChoice(), _txn(jurisdiction=None))),
        ("certificate", _state(CertificateChoice(), _txn())),
        (
            "options-juminhyo",
            _state(
                OptionChoice(
                    JuminhyoOptions(
                        Scope.HOUSEHOLD_PART, ("m1", "m2"), show_head_and_relationship=True
                    )
                ),
                _ordered(),
            ),
        ),
        (
            "options-my-number-warning",
            _state(OptionChoice(JuminhyoOptions(Scope.SELF), my_number_warning=True), _ordered()),
        ),
        (
            "options-tax",
            _state(
                OptionChoice(TaxOptions(2025)),
                _txn(
                    request=CertificateRequest(
                        CertificateKind.TAX_INCOME, Jurisdiction.RESIDENCE, TaxOptions(2025)
                    ),
                    fee_per_copy_yen=200,
                ),
            ),
        ),
        (
            "options-koseki",
            _state(
                # A parent asking for a child's 個人事項証明書 (戸籍抄本).
                OptionChoice(KosekiOptions(KosekiScope.INDIVIDUAL, "p3")),
                _txn(
                    jurisdiction=Jurisdiction.HONSEKI,
                    request=CertificateRequest(
                        CertificateKind.KOSEKI, Jurisdiction.HONSEKI, KosekiOptions()
                    ),
                    fee_per_copy_yen=400,
                ),
            ),
        ),
        (
            "options-fuhyo",
            _state(
                OptionChoice(FuhyoOptions(KosekiScope.INDIVIDUAL, ("p1", "p2"))),
                _txn(
                    jurisdiction=Jurisdiction.HONSEKI,
                    request=CertificateRequest(
                        CertificateKind.KOSEKI_FUHYO, Jurisdiction.HONSEKI, FuhyoOptions()
                    ),
                    fee_per_copy_yen=250,
                ),
            ),
        ),
        ("copies", _state(CopiesChoice(2), _ordered())),
        ("confirmation", _state(Confirmation(), _ordered())),
        (
            "confirmation-inkan",
            _state(
                Confirmation(),
                _txn(
                    request=CertificateRequest(
                        CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 1
                    ),
                    fee_per_copy_yen=200,
                ),
            ),
        ),
        ("confirmation-basket", _state(Confirmation(), _basket())),
        ("confirmation-basket-full", _state(Confirmation(), _full_basket())),
        (
            "certificate-basket",
            _state(
                CertificateChoice(),
                _basket(request=None, fee_per_copy_yen=0),
            ),
        ),
        (
            "certificate-basket-long",  # four in the order, the fifth to choose: the longest list
            _state(CertificateChoice(), replace(_full_basket(), request=None, fee_per_copy_yen=0)),
        ),
        ("fetching", _state(Fetching(FetchPhase.ISSUING), _ordered(journal_opened=True))),
        (
            "fetching-basket",
            _state(Fetching(FetchPhase.ISSUING, 2, 2), _basket(journal_opened=True, cursor=1)),
        ),
        (
            "payment",
            _state(
                Payment(),
                _ordered(
                    money=Money(due_yen=400, inserted_yen=100, paid_in_yen=100, accepting=True)
                ),
            ),
        ),
        (
            "payment-rejected",
            _state(
                Payment(RejectReason.NOT_ACCEPTED),
                _ordered(money=Money(due_yen=400, inserted_yen=0, accepting=True)),
            ),
        ),
        (
            "printing",
            _state(Printing(pages_done=2, pages_total=4), _ordered(money=paid, document=DOCUMENT)),
        ),
        (
            "done",
            _state(
                Done(reminders=1),
                _ordered(money=paid, copies_printed=2, change_in_tray=True, document=DOCUMENT),
            ),
        ),
        ("done-counter-ticket", _state(Done(ticket_number=12), _ordered(copies_printed=2))),
        (
            "printing-basket",
            _state(
                Printing(pages_done=0, pages_total=2, item=2, items=2),
                _basket(money=basket_paid, document=DOCUMENT_INKAN, cursor=1),
            ),
        ),
        (
            "done-basket",
            _state(
                Done(reminders=1),
                _basket(
                    basket=(replace(_basket().items[0], document=DOCUMENT, copies_printed=2),),
                    money=basket_paid,
                    copies_printed=1,
                    change_in_tray=True,
                    document=DOCUMENT_INKAN,
                ),
            ),
        ),
        (
            "done-basket-full",
            _state(
                Done(reminders=1),
                replace(
                    _full_basket(),
                    basket=tuple(
                        replace(i, document=DOCUMENT, copies_printed=i.request.copies)
                        for i in _full_basket().basket
                    ),
                    money=replace(basket_paid, due_yen=1600, inserted_yen=2000, paid_in_yen=2000),
                    copies_printed=1,
                    change_in_tray=True,
                    document=DOCUMENT_INKAN,
                ),
            ),
        ),
        (
            "refunding",
            _state(
                Refunding(Problem.PRINTER_JAM),
                _ordered(
                    money=Money(
                        due_yen=400,
                        inserted_yen=500,
                        paid_in_yen=500,
                        refund_pending_yen=500,
                        paid=True,
                    )
                ),
            ),
        ),
        (
            "cancelled",
            _state(
                Cancelled(),
                _ordered(
                    money=Money(due_yen=400, inserted_yen=300, paid_in_yen=300, refunded_yen=300)
                ),
            ),
        ),
        ("fault-refusal", _state(Fault(Problem.SUPPORT_MEASURES), _txn())),
        (
            "fault-printer",
            _state(
                Fault(Problem.PRINTER_OUT_OF_PAPER),
                _ordered(
                    money=Money(
                        due_yen=400,
                        inserted_yen=500,
                        paid_in_yen=500,
                        refunded_yen=300,
                        staff_owed_yen=200,
                        paid=True,
                    )
                ),
            ),
        ),
        ("fault-center", _state(Fault(Problem.CENTER_TIMEOUT), _txn())),
        # A session that ran out of time: not "out of hours" (issue 14).
        ("fault-session-expired", _state(Fault(Problem.SESSION_EXPIRED), _txn())),
        (
            "owed-slip",
            _state(
                OwedSlip(200, (OwedCode.REFUND_SHORT,), Fault(Problem.PRINTER_OUT_OF_PAPER)),
                _ordered(money=owed, slip_yen=200),
            ),
        ),
        (
            "owed-slip-not-printed",
            _state(
                OwedSlip(
                    200,
                    (OwedCode.REFUND_SHORT,),
                    Fault(Problem.PRINTER_OUT_OF_PAPER),
                    PaperState.FAILED,
                ),
                _ordered(money=owed, slip_yen=200),
            ),
        ),
        (
            "done-receipt",
            _state(
                Done(),
                _ordered(money=paid, copies_printed=2, receipt=PaperState.PRINTED),
            ),
        ),
        ("out-of-service", _state(OutOfService(Problem.JOURNAL_FAILED), None)),
        ("municipality-loading", _state(MunicipalityChoice(), _registration())),
        (
            "municipality-prefecture",
            _state(MunicipalityChoice(MUNICIPALITIES, loading=False), _registration()),
        ),
        (
            "municipality-city",
            _state(
                MunicipalityChoice(MUNICIPALITIES, loading=False, prefecture="東京都"),
                _registration(),
            ),
        ),
        (
            "matching-number",
            _state(MatchingNumberEntry(digits="850401", tries_left=9), _registration()),
        ),
        ("reading-facts", _state(ReadingFacts(), _registration())),
        ("registration-form", _state(RegistrationForm(), _registration(hittosha="", phone=""))),
        (
            "registration-form-invalid",
            _state(RegistrationForm(invalid=(FormField.PHONE,)), _registration(phone="090")),
        ),
        ("registration-review", _state(RegistrationReview(), _registration())),
        ("submitting", _state(Submitting(), _registration())),
        (
            "registration-receipt",
            _state(
                RegistrationReceipt(
                    "0120252604150007",
                    "函館市",
                    "登録には5開庁日ほどかかります。お問い合わせ：函館市戸籍住民課 0138-00-0000",
                    SlipState.PRINTED,
                ),
                _registration(),
            ),
        ),
        (
            "registration-receipt-slip-failed",
            _state(
                RegistrationReceipt("0120252604150007", "函館市", "", SlipState.FAILED),
                _registration(),
            ),
        ),
        ("status-entry", _state(StatusEntry("0120252604"), _txn(service=Service.STATUS))),
        ("checking-status", _state(CheckingStatus(), _txn(service=Service.STATUS))),
        (
            "status-result",
            _state(
                StatusResult(RegistrationState.REGISTERED, "登録が完了しました。"),
                _txn(service=Service.STATUS),
            ),
        ),
        (
            "status-not-found",
            _state(
                StatusResult(None, application_number="0120252604150070"),
                _txn(service=Service.STATUS),
            ),
        ),
        ("continue-prompt", _state(CertificateChoice(), _txn(), prompt=True)),
    ]


def sample(name: str) -> FlowState:
    """The sample snapshot called ``name``."""
    for key, state in samples():
        if key == name:
            return state
    raise KeyError(name)
