"""Taps produce exactly the flow events expected; screens decide nothing themselves."""

from __future__ import annotations

from dataclasses import replace

from kiosk import i18n
from kiosk.flow.events import (
    Back,
    Backspace,
    Cancel,
    CenterHealthChanged,
    ChooseCertificate,
    ChooseLanguage,
    ChooseMunicipality,
    ChoosePerson,
    ChoosePrefecture,
    ChooseService,
    ClearEntry,
    CloseLanguageMenu,
    ConfirmMyNumber,
    ConfirmOrder,
    Digit,
    EditApplicationNumber,
    EditField,
    Finish,
    FormField,
    Next,
    OpenLanguageMenu,
    OptionItem,
    RequestMyNumber,
    Service,
    SetCopies,
    SetFiscalYear,
    SetItem,
    SetKosekiScope,
    SetScope,
    Submit,
    ToggleMember,
    TogglePerson,
)
from kiosk.flow.state import OptionChoice, PinEntry
from kiosk.ui.screens.card import PinScreen
from kiosk.ui.screens.order import CertificateScreen, CopiesScreen, OptionsScreen
from kiosk.ui.screens.registration import (
    MunicipalityScreen,
    RegistrationFormScreen,
    StatusEntryScreen,
)
from kiosk.ui.screens.start import StartScreen
from printing.certificates import CertificateKind, JuminhyoOptions, KosekiScope, Scope
from tests.kiosk.ui.conftest import MakeWindow, settle


def test_start_services_and_language(make_window: MakeWindow) -> None:
    window, recorder = make_window("start")
    view = window.view
    assert isinstance(view, StartScreen)
    view.services[Service.ISSUE].click()
    view.services[Service.STATUS].click()
    window.language_button.click()
    assert recorder.sent == [
        ChooseService(Service.ISSUE),
        ChooseService(Service.STATUS),
        OpenLanguageMenu(),
    ]
    assert not window.cancel_button.isVisible()  # nothing to cancel on the start screen


def test_start_offers_nothing_while_the_center_is_down(make_window: MakeWindow) -> None:
    window, recorder = make_window("start-center-maintenance", drive=True)
    view = window.view
    assert isinstance(view, StartScreen)
    assert view.unavailable.isVisible()
    assert "S-203" in view.unavailable_code.text()
    assert "15:00" in view.unavailable_message.text()  # 06:00 UTC is 15:00 in Japan
    for button in view.services.values():
        assert not button.isEnabled()
        button.click()
    assert recorder.sent == []
    # The center is back: the runner tells the flow, the screen offers its services again.
    recorder.feed(CenterHealthChanged(None))
    settle(window)
    assert not view.unavailable.isVisible()
    view.services[Service.ISSUE].click()
    assert recorder.sent == [ChooseService(Service.ISSUE)]


def test_language_menu(make_window: MakeWindow) -> None:
    window, recorder = make_window("start-language-menu")
    menu = window.language_menu
    assert menu.isVisible()
    assert menu.buttons["ja"].isChecked()
    menu.buttons["ko"].click()
    menu.close_button.click()
    assert recorder.sent == [ChooseLanguage("ko"), CloseLanguageMenu()]


def test_pin_keypad(make_window: MakeWindow) -> None:
    window, recorder = make_window("pin-entry")
    view = window.view
    assert isinstance(view, PinScreen)
    for key in "5207":
        view.keypad.keys[key].click()
    view.keypad.backspace_key.click()
    view.keypad.clear_key.click()
    assert recorder.sent == [
        Digit("5"),
        Digit("2"),
        Digit("0"),
        Digit("7"),
        Backspace(),
        ClearEntry(),
    ]
    submit = window.nav_button("submit")
    assert submit is not None
    assert not submit.isEnabled()  # 2 digits of 4 in the sample
    recorder.clear()
    submit.click()
    assert recorder.sent == []
    window.show_state(replace(window.state, screen=PinEntry(tries_left=3, digits="1234")))  # type: ignore[type-var]
    submit.click()
    assert recorder.sent == [Submit()]


def test_pin_keypad_waits_for_the_tries(make_window: MakeWindow) -> None:
    window, recorder = make_window("pin-reading-tries")
    view = window.view
    assert isinstance(view, PinScreen)
    assert not view.keypad.isEnabled()
    view.keypad.keys["1"].click()
    assert recorder.sent == []


def test_certificate_choice(make_window: MakeWindow) -> None:
    window, recorder = make_window("certificate")
    view = window.view
    assert isinstance(view, CertificateScreen)
    inkan = view.grid.button_for(CertificateKind.INKAN.value)
    unavailable = view.grid.button_for(CertificateKind.TAX_PAYMENT.value)
    assert inkan is not None
    assert unavailable is not None
    assert not unavailable.isEnabled()
    unavailable.click()
    inkan.click()
    window.nav_button("back").click()  # type: ignore[union-attr]
    window.cancel_button.click()
    assert recorder.sent == [ChooseCertificate(CertificateKind.INKAN), Back(), Cancel()]


def test_juminhyo_options(make_window: MakeWindow) -> None:
    window, recorder = make_window("options-juminhyo")
    view = window.view
    assert isinstance(view, OptionsScreen)
    honseki = view.item_switch(OptionItem.HONSEKI.value)
    head = view.item_switch(OptionItem.HEAD_AND_RELATIONSHIP.value)
    my_number = view.item_switch("my_number")
    assert honseki is not None
    assert head is not None
    assert my_number is not None
    view.scope_switch.sides[Scope.HOUSEHOLD_ALL.value].click()
    view.scope_switch.sides[Scope.HOUSEHOLD_PART.value].click()  # already chosen: nothing
    view.members.button_for("m3").click()  # type: ignore[union-attr]
    honseki.sides["on"].click()
    honseki.sides["off"].click()  # already the state: nothing is sent
    head.sides["off"].click()
    my_number.sides["on"].click()
    window.nav_button("next").click()  # type: ignore[union-attr]
    assert recorder.sent == [
        SetScope(Scope.HOUSEHOLD_ALL),
        ToggleMember("m3"),
        SetItem(OptionItem.HONSEKI, True),
        SetItem(OptionItem.HEAD_AND_RELATIONSHIP, False),
        RequestMyNumber(True),
        Next(),
    ]
    # The flow did not answer: every switch still shows the snapshot's state.
    assert honseki.value == "off"
    assert not honseki.sides["on"].isChecked()
    assert head.value == "on"


def test_option_switches_cannot_be_misread(make_window: MakeWindow) -> None:
    """Each item is named beside its switch (not on a button), exactly one side of each switch
    is filled and ticked, and the selection is said in words (issue 14)."""
    window, _ = make_window("options-juminhyo")
    view = window.view
    assert isinstance(view, OptionsScreen)
    names = [name.text() for name, switch in view.item_rows if switch.isVisible()]
    assert names == [
        "世帯主・続柄",
        "本籍・筆頭者",
        "国籍・地域、在留資格、在留期間など",
        "個人番号（マイナンバー）",
    ]
    for _name, switch in view.item_rows:
        if switch.isVisible():
            checked = [key for key, side in switch.sides.items() if side.isChecked()]
            assert checked == [switch.value]
            assert switch.sides[switch.value].text().startswith("✓ ")
    head = view.item_switch(OptionItem.HEAD_AND_RELATIONSHIP.value)
    assert head is not None
    assert [side.text() for side in head.sides.values()] == ["記載しない", "✓ 記載する"]
    assert view.scope_switch.sides[Scope.HOUSEHOLD_PART.value].text() == "✓ 世帯の一部（人を選ぶ）"
    assert view.summary_text.text() == (
        "世帯の一部（人を選ぶ）: 見本　一郎、見本　花子\n記載する項目：世帯主・続柄"
    )
    i18n.set_language("en")
    settle(window)
    assert view.summary_text.text() == (
        "Some members of your household: 見本　一郎 and 見本　花子\n"
        "Also shows: Head of household and relationship"
    )


def test_household_part_needs_a_member(make_window: MakeWindow) -> None:
    window, _ = make_window("options-juminhyo")
    state = window.state
    assert state is not None
    window.show_state(replace(state, screen=OptionChoice(JuminhyoOptions(Scope.HOUSEHOLD_PART))))
    assert not window.nav_button("next").isEnabled()  # type: ignore[union-attr]


def test_my_number_warning_dialog(make_window: MakeWindow) -> None:
    window, recorder = make_window("options-my-number-warning")
    view = window.view
    assert isinstance(view, OptionsScreen)
    assert view.warning.isVisible()
    assert window.nav_button("next") is None  # only the dialog's answers
    view.warning_confirm.click()
    view.warning_back.click()
    assert recorder.sent == [ConfirmMyNumber(), Back()]


def test_tax_and_koseki_options(make_window: MakeWindow) -> None:
    window, recorder = make_window("options-tax")
    view = window.view
    assert isinstance(view, OptionsScreen)
    view.scopes.button_for("2023").click()  # type: ignore[union-attr]
    window, recorder2 = make_window("options-koseki")
    view = window.view
    assert isinstance(view, OptionsScreen)
    view.scopes.button_for(KosekiScope.INDIVIDUAL.value).click()  # type: ignore[union-attr]
    assert recorder.sent == [SetFiscalYear(2023)]
    assert recorder2.sent == [SetKosekiScope(KosekiScope.INDIVIDUAL)]


def test_copies_and_confirmation(make_window: MakeWindow) -> None:
    window, recorder = make_window("copies")
    view = window.view
    assert isinstance(view, CopiesScreen)
    view.plus.click()
    view.minus.click()
    window.nav_button("next").click()  # type: ignore[union-attr]
    window, recorder2 = make_window("confirmation")
    window.nav_button("confirm").click()  # type: ignore[union-attr]
    assert recorder.sent == [SetCopies(3), SetCopies(1), Next()]
    assert recorder2.sent == [ConfirmOrder()]


def test_cancel_disabled_while_printing(make_window: MakeWindow) -> None:
    window, recorder = make_window("printing")
    assert window.cancel_button.isVisible()
    assert not window.cancel_button.isEnabled()
    assert window._cancel_reason.isVisible()
    assert window._cancel_reason.text()
    window.cancel_button.click()
    assert recorder.sent == []


def test_informing_screens_finish(make_window: MakeWindow) -> None:
    for name in ("fault-refusal", "cancelled", "registration-receipt", "status-result", "done"):
        window, recorder = make_window(name)
        assert window.cancel_button.isEnabled(), name
        window.cancel_button.click()
        assert recorder.sent == [Finish()], name


def test_out_of_service_offers_nothing(make_window: MakeWindow) -> None:
    window, recorder = make_window("out-of-service")
    assert not window.cancel_button.isEnabled()
    window.cancel_button.click()
    assert recorder.sent == []


def test_municipality_choice(make_window: MakeWindow) -> None:
    window, recorder = make_window("municipality-prefecture")
    view = window.view
    assert isinstance(view, MunicipalityScreen)
    view.grid.button_for("東京都").click()  # type: ignore[union-attr]
    window, recorder2 = make_window("municipality-city")
    view = window.view
    assert isinstance(view, MunicipalityScreen)
    view.grid.button_for("131202").click()  # type: ignore[union-attr]
    window.nav_button("back").click()  # type: ignore[union-attr]
    assert recorder.sent == [ChoosePrefecture("東京都")]
    assert recorder2.sent == [ChooseMunicipality("131202"), Back()]


def test_status_entry_keys(make_window: MakeWindow) -> None:
    window, recorder = make_window("status-entry")
    view = window.view
    assert isinstance(view, StatusEntryScreen)
    view.keypad.keys["7"].click()
    view.keypad.keys["-"].click()
    view.letters_key.click()
    assert view.letters.isVisible()
    assert recorder.sent == [Digit("7"), EditApplicationNumber("0120252604-")]


def test_phone_field_uses_the_keypad(make_window: MakeWindow) -> None:
    window, recorder = make_window("registration-form")
    view = window.view
    assert isinstance(view, RegistrationFormScreen)
    view.field_buttons[FormField.PHONE].click()
    assert view.phone_pad.isVisible()
    assert not view.keyboard.isVisible()
    for key in "03":
        view.phone_pad.keys[key].click()
    view.phone_pad.keys["-"].click()
    assert recorder.sent == [
        EditField(FormField.PHONE, "0"),
        EditField(FormField.PHONE, "03"),
        EditField(FormField.PHONE, "03-"),
    ]


def test_koseki_person_and_fuhyo_options(make_window: MakeWindow) -> None:
    """戸籍: the scopes say 謄本/抄本 and 個人事項 names whose; 附票: persons and 本籍・筆頭者."""
    window, recorder = make_window("options-koseki")
    view = window.view
    assert isinstance(view, OptionsScreen)
    assert [b.text() for b in view.scopes.buttons()] == [
        "全部事項証明書（戸籍謄本）",
        "✓ 個人事項証明書（戸籍抄本）",
    ]
    assert [b.text() for b in view.members.buttons()] == [
        "見本　一郎（ご本人）",
        "見本　花子",
        "✓ 見本　次郎",
    ]
    view.members.button_for("p2").click()  # type: ignore[union-attr]
    assert recorder.sent == [ChoosePerson("p2")]
    assert "対象：見本　次郎" in view.summary_text.text()
    window, recorder = make_window("options-fuhyo")
    view = window.view
    assert isinstance(view, OptionsScreen)
    view.members.button_for("p3").click()  # type: ignore[union-attr]
    honseki = view.item_switch(OptionItem.HONSEKI.value)
    assert honseki is not None
    assert honseki.value == "off"  # a 附票 shows 本籍・筆頭者 only when asked for
    honseki.sides["on"].click()
    assert recorder.sent == [TogglePerson("p3"), SetItem(OptionItem.HONSEKI, True)]


def test_the_basket_on_the_confirmation(make_window: MakeWindow) -> None:
    """「ほかの証明書も取得する」 adds another certificate; each item's remove button names its
    item; at the profile's cap (or with a cap of 1) there is no "add"."""
    from kiosk.flow.events import AddCertificate, RemoveItem
    from kiosk.ui.samples import sample
    from kiosk.ui.screens.order import ConfirmationScreen

    window, recorder = make_window("confirmation-basket")
    view = window.view
    assert isinstance(view, ConfirmationScreen)
    assert not view.table.isVisible()
    shown = [(text, remove) for text, remove in view.item_rows if remove.isVisible()]
    assert len(shown) == 2
    assert shown[0][0].text().startswith("1. ")
    shown[1][1].click()
    shown[0][1].click()
    window.nav_button("add").click()  # type: ignore[union-attr]
    assert recorder.sent == [RemoveItem(1), RemoveItem(0), AddCertificate()]
    state = sample("confirmation-basket")
    at_cap = replace(state, settings=replace(state.settings, basket_limit=2))
    window, _ = make_window(at_cap)
    assert window.nav_button("add") is None
    one = sample("confirmation")
    window, _ = make_window(replace(one, settings=replace(one.settings, basket_limit=1)))
    assert window.nav_button("add") is None
    assert window.nav_button("confirm") is not None


def test_the_menu_while_adding_lists_the_order(make_window: MakeWindow) -> None:
    """Choosing another certificate, the resident sees what the order holds already (each
    certificate with its copies), in their language, where the notices were; the first choice
    shows the notices."""
    from kiosk.ui.samples import sample

    window, _ = make_window("certificate-basket")
    view = window.view
    assert isinstance(view, CertificateScreen)
    assert view.notices.text() == "選択済み：住民票の写し（2通）"
    assert view.notices.isVisible()
    window.show_state(replace(sample("certificate-basket-long"), language="en"))
    assert view.notices.text() == (
        "In your order: Copy of residence record (2 copies), Seal registration certificate"
        " (1 copy), Income and taxation (non-taxation) certificate (1 copy), and Seal"
        " registration certificate (3 copies)."
    )
    first = sample("certificate")
    window.show_state(first)
    assert first.txn is not None
    assert first.txn.offer is not None
    assert "選択済み" not in view.notices.text()
    assert view.notices.isVisible() == bool(first.txn.offer.notices)
