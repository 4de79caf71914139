"""The window on the real flow: taps become intents, kiosk.flow.step decides, the window shows
the result (queued through the state source, as the runner will do it). Also the PIN's
privacy, live language switching and the continue prompt."""

from __future__ import annotations

import gc
import weakref
from dataclasses import replace

from PySide6.QtWidgets import QAbstractButton, QLabel

from kiosk import i18n
from kiosk.flow import events as ev
from kiosk.flow.state import (
    CertificateChoice,
    Confirmation,
    Consent,
    CopiesChoice,
    Fetching,
    OptionChoice,
    PinEntry,
    PlaceCard,
    Start,
    TakeCard,
    VerifyingPin,
)
from kiosk.flow.timeouts import TimerName
from kiosk.ui.layout_check import visible_widgets
from kiosk.ui.samples import OFFER
from kiosk.ui.screens.card import PinScreen
from kiosk.ui.screens.order import CertificateScreen, OptionsScreen
from kiosk.ui.screens.start import StartScreen
from kiosk.ui.window import KioskWindow
from printing.certificates import CertificateKind, Scope
from tests.kiosk.ui.conftest import MakeWindow, fresh_state, settle

PIN = "8264"  # appears nowhere else in these snapshots


def texts(window: KioskWindow) -> list[str]:
    found = []
    for widget in visible_widgets(window):
        if isinstance(widget, QLabel | QAbstractButton):
            found.append(widget.text())
        found.append(widget.accessibleName())
    return found


def test_issuance_through_the_screens(make_window: MakeWindow) -> None:
    window, driver = make_window(fresh_state(), drive=True)
    start = window.view
    assert isinstance(start, StartScreen)
    start.services[ev.Service.ISSUE].click()
    settle(window)
    assert isinstance(window.state.screen, Consent)  # type: ignore[union-attr]
    window.nav_button("agree").click()  # type: ignore[union-attr]
    settle(window)
    assert isinstance(window.state.screen, PlaceCard)  # type: ignore[union-attr]
    # The runner's card events.
    driver.feed(ev.CardDetected())
    driver.feed(ev.CardRead())
    driver.feed(ev.PinTriesRead(3))
    settle(window)
    pin_view = window.view
    assert isinstance(pin_view, PinScreen)
    for digit in PIN:
        pin_view.keypad.keys[digit].click()
        settle(window)
        assert PIN not in "".join(texts(window))
    assert pin_view.display.text() == "● ● ● ●"
    window.nav_button("submit").click()  # type: ignore[union-attr]
    settle(window)
    assert isinstance(window.state.screen, VerifyingPin)  # type: ignore[union-attr]
    driver.feed(ev.PinAccepted())
    driver.feed(ev.ChallengeReceived(b"nonce"))
    driver.feed(ev.ChallengeSigned(b"sig"))
    settle(window)
    assert isinstance(window.state.screen, TakeCard)  # type: ignore[union-attr]
    driver.feed(ev.CardRemoved())
    driver.feed(ev.OfferReceived(OFFER))
    settle(window)
    state = window.state
    assert state is not None
    if not isinstance(state.screen, CertificateChoice):  # 住所地 and 本籍地: choose first
        window.view.buttons[ev.Jurisdiction.RESIDENCE].click()  # type: ignore[union-attr, attr-defined]
        settle(window)
    view = window.view
    assert isinstance(view, CertificateScreen)
    view.grid.button_for(CertificateKind.JUMINHYO.value).click()  # type: ignore[union-attr]
    settle(window)
    options = window.view
    assert isinstance(options, OptionsScreen)
    options.scope_switch.sides[Scope.HOUSEHOLD_ALL.value].click()
    settle(window)
    my_number = options.item_switch("my_number")
    assert my_number is not None
    my_number.sides["on"].click()
    settle(window)
    assert options.warning.isVisible()
    options.warning_confirm.click()
    settle(window)
    screen = window.state.screen  # type: ignore[union-attr]
    assert isinstance(screen, OptionChoice)
    assert screen.options.show_my_number  # type: ignore[union-attr]
    assert screen.options.scope is Scope.HOUSEHOLD_ALL  # type: ignore[union-attr]
    window.nav_button("next").click()  # type: ignore[union-attr]
    settle(window)
    assert isinstance(window.state.screen, CopiesChoice)  # type: ignore[union-attr]
    window.view.plus.click()  # type: ignore[union-attr]
    settle(window)
    window.nav_button("next").click()  # type: ignore[union-attr]
    settle(window)
    assert isinstance(window.state.screen, Confirmation)  # type: ignore[union-attr]
    assert window.state.txn.request.copies == 2  # type: ignore[union-attr]
    window.nav_button("confirm").click()  # type: ignore[union-attr]
    settle(window)
    assert isinstance(window.state.screen, Fetching)  # type: ignore[union-attr]
    # Cancelling while fetching returns to the start (nothing paid yet).
    window.cancel_button.click()
    settle(window)
    assert isinstance(window.state.screen, Start)  # type: ignore[union-attr]
    assert all(not isinstance(i, ev.Digit) or i.digit in PIN for i in driver.sent)


def test_pin_is_not_retained_after_the_screen_changes(make_window: MakeWindow) -> None:
    window, _ = make_window("pin-entry")
    state = window.state
    assert state is not None
    screen = PinEntry(tries_left=3, digits=PIN)
    watched = weakref.ref(screen)
    window.show_state(replace(state, screen=screen))
    settle(window)
    assert PIN not in "".join(texts(window))
    del screen
    window.show_state(replace(state, screen=VerifyingPin(3)))
    settle(window)
    gc.collect()
    assert watched() is None  # no widget keeps the snapshot that held the PIN
    pin_view = next(v for v in window._views.values() if isinstance(v, PinScreen))
    assert pin_view.display.text() == "○ ○ ○ ○"


def test_language_switch_is_live(make_window: MakeWindow) -> None:
    window, driver = make_window(fresh_state(), drive=True)
    title = window._title
    japanese_title = title.text()
    window.language_button.click()
    settle(window)
    assert window.language_menu.isVisible()
    window.language_menu.buttons["ko"].click()
    settle(window)
    state = window.state
    assert state is not None
    assert state.language == "ko"
    assert isinstance(state.screen, Start)
    assert i18n.current_language() == "ko"
    assert not window.language_menu.isVisible()
    assert title.text() == i18n.translate("Certificate issuance", "ko")
    assert title.font().family() == "Noto Sans CJK KR"
    assert window.language_button.text().startswith("한국어")
    if i18n.translate("Certificate issuance", "ko") != "Certificate issuance":
        assert title.text() != japanese_title
    assert driver.sent == [ev.OpenLanguageMenu(), ev.ChooseLanguage("ko")]


def test_holder_change_retranslates_without_touching_the_state(
    make_window: MakeWindow, tmp_path: object, monkeypatch: object
) -> None:
    from pathlib import Path

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    # A tiny catalog, so the test sees a translation whether or not locales/ is compiled.
    folder = Path(str(tmp_path)) / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = Catalog(locale="es")
    catalog.add("Please choose what you would like to do.", "PRUEBA: elija qué desea hacer.")
    with (folder / "kiosk.mo").open("wb") as stream:
        write_mo(stream, catalog)
    monkeypatch.setattr(i18n, "LOCALE_DIR", Path(str(tmp_path)))  # type: ignore[attr-defined]
    i18n.reload_catalogs()
    try:
        window, recorder = make_window("start")
        view = window.view
        assert isinstance(view, StartScreen)
        before = window.state
        i18n.set_language("es")  # from outside the flow (e.g. the runner)
        settle(window)
        assert view.lead.text() == "PRUEBA: elija qué desea hacer."
        assert view.lead.font().family() == "Noto Sans CJK JP"
        assert window.state is before  # no state change
        assert recorder.sent == []  # and no intent
        i18n.set_language("ko")
        settle(window)
        assert view.lead.font().family() == "Noto Sans CJK KR"
    finally:
        monkeypatch.undo()  # type: ignore[attr-defined]
        i18n.reload_catalogs()


def test_continue_prompt(make_window: MakeWindow) -> None:
    window, recorder = make_window("continue-prompt")
    prompt = window.prompt
    assert prompt.isVisible()
    seconds = window.state.settings.timeouts.seconds(TimerName.CONTINUE_PROMPT)  # type: ignore[union-attr]
    assert prompt.remaining == int(seconds or 0)
    assert str(prompt.remaining) in prompt.countdown.text()
    prompt._tick()
    assert prompt.remaining == int(seconds or 0) - 1
    prompt.continue_button.click()
    prompt.finish_button.click()
    assert recorder.sent == [ev.Continue(), ev.Cancel()]


def test_prompt_on_the_real_flow(make_window: MakeWindow) -> None:
    window, driver = make_window(fresh_state(), drive=True)
    window.view.services[ev.Service.ISSUE].click()  # type: ignore[union-attr]
    settle(window)
    timer = window.state.timer  # type: ignore[union-attr]
    assert timer is not None
    assert timer.name is TimerName.CONSENT
    driver.feed(ev.TimerFired(timer.name, timer.serial))  # idle: "continue?"
    settle(window)
    assert window.prompt.isVisible()
    window.prompt.continue_button.click()
    settle(window)
    assert not window.prompt.isVisible()
    assert isinstance(window.state.screen, Consent)  # type: ignore[union-attr]
    timer = window.state.timer  # type: ignore[union-attr]
    driver.feed(ev.TimerFired(timer.name, timer.serial))  # type: ignore[union-attr]
    settle(window)
    window.prompt.finish_button.click()
    settle(window)
    assert isinstance(window.state.screen, Start)  # type: ignore[union-attr]
    assert not window.prompt.isVisible()


def test_state_from_another_thread_is_rendered_on_the_ui_thread(make_window: MakeWindow) -> None:
    import threading

    window, driver = make_window(fresh_state(), drive=False)
    target = replace(fresh_state(), screen=Start(), language_menu_open=True)
    thread = threading.Thread(target=driver.holder.set, args=(target,))
    thread.start()
    thread.join()
    assert window.state is not target  # nothing rendered from the other thread itself
    settle(window)
    assert window.state is target
    assert window.language_menu.isVisible()
