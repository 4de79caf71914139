"""Drive the real kiosk window like a resident, and the scripted demo transaction.

:class:`Driver` works on the UI thread of a running kiosk (runner + KioskWindow): it taps the
window's buttons (services, agree, keypad, navigation, cancel, languages) and, where a screen
offers a choice among many (certificates, options), sends the same intent the choice button
sends through the window. Waiting pumps the Qt event loop, so the runner's results arrive and
the window renders while the driver waits. It can photograph every screen it sees.

It is used by ``scripts/dev`` without a display (:func:`run_scripted_transaction`), by the
end-to-end tests (tests/e2e) and by the benchmark (benchmarks/kiosk_perf.py). The simulators
(card dock, fee acceptor) are passed in; this module does not import them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtWidgets import QAbstractButton, QApplication

from kiosk.flow import FlowState
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.languages import LANGUAGES
from kiosk.runtime import Runner
from kiosk.ui import KioskWindow
from printing.certificates import CertificateKind

log = logging.getLogger(__name__)

DEFAULT_WAIT_S = 30.0  # a step through the real stack takes well under a second; generous
FETCH_WAIT_S = 120.0  # issuance: the center renders the certificate (seconds on a loaded box)
PRINT_WAIT_S = 120.0


class CardSlot(Protocol):
    """The card dock of the developer world (hw_sim.card.CardDock), as the driver uses it."""

    def insert(self, slot: int, persona_id: str, **kwargs: Any) -> object: ...

    def remove(self, slot: int) -> object: ...


class CoinSlot(Protocol):
    """The simulated fee acceptor (hw_sim.acceptor.SimulatedAcceptor), the resident's side."""

    def insert(self, yen: int) -> None: ...

    def take_tray(self) -> list[Any]: ...


class DriverError(Exception):
    """The kiosk did not get where the script expected (the message says where it is)."""


@dataclass
class Shot:
    index: int
    screen: str
    language: str
    path: Path


@dataclass
class Driver:
    """A resident at the kiosk (see the module docstring)."""

    runner: Runner
    window: KioskWindow
    app: QApplication
    dock: CardSlot | None = None
    acceptor: CoinSlot | None = None
    slot: int = 0
    shots_dir: Path | None = None
    shots: list[Shot] = field(default_factory=list)
    screens_seen: list[str] = field(default_factory=list)
    _last_screen: Any = None

    # -- watching --------------------------------------------------------------------------------
    @property
    def state(self) -> FlowState:
        return self.runner.current()

    def screen_name(self) -> str:
        return type(self.state.screen).__name__

    def pump(self, seconds: float = 0.0) -> None:
        """Let Qt deliver events (results, renders) for ``seconds``."""
        deadline = time.monotonic() + seconds
        while True:
            self.app.processEvents()
            self._observe()
            if time.monotonic() >= deadline:
                return
            time.sleep(0.003)

    def wait_until(
        self, predicate: Callable[[FlowState], bool], what: str, timeout: float = DEFAULT_WAIT_S
    ) -> FlowState:
        deadline = time.monotonic() + timeout
        while True:
            self.app.processEvents()
            self._observe()
            state = self.state
            if predicate(state) and self.window.state is state:
                return state
            if time.monotonic() > deadline:
                raise DriverError(f"waited {timeout:.0f} s for {what}; at {state.screen!r}")
            time.sleep(0.003)

    def wait_for(self, *screens: type, timeout: float = DEFAULT_WAIT_S) -> FlowState:
        """Wait until one of ``screens`` is on the window."""
        names = "/".join(s.__name__ for s in screens)
        return self.wait_until(lambda s: isinstance(s.screen, screens), names, timeout)

    def _observe(self) -> None:
        shown = self.window.state
        if shown is None or shown.screen is self._last_screen:
            return
        screen_changed = type(shown.screen) is not type(self._last_screen)
        self._last_screen = shown.screen
        if screen_changed:
            self.screens_seen.append(type(shown.screen).__name__)
            if self.shots_dir is not None:
                self.photograph()

    def photograph(self, label: str = "") -> Path | None:
        """Save the window as PNG (``NN-Screen[-label]-lang.png``) in ``shots_dir``."""
        if self.shots_dir is None or self.window.state is None:
            return None
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        shown = self.window.state
        screen = type(shown.screen).__name__
        index = len(self.shots) + 1
        name = f"{index:02d}-{screen}{'-' + label if label else ''}-{shown.language}.png"
        path = self.shots_dir / name
        if not self.window.grab().save(str(path)):
            raise DriverError(f"could not write {path}")
        self.shots.append(Shot(index, screen, shown.language, path))
        return path

    # -- acting ----------------------------------------------------------------------------------
    def tap(self, button: QAbstractButton | None, what: str) -> None:
        if button is None or not button.isVisible() or not button.isEnabled():
            raise DriverError(f"no tappable {what} on {self.screen_name()}")
        button.click()
        self.pump()

    def send(self, intent: ev.Intent) -> None:
        """What a choice button on the screen sends (through the window's own sink)."""
        self.window.send(intent)
        self.pump()

    def nav(self, key: str) -> None:
        self.tap(self.window.nav_button(key), f"'{key}' button")

    def cancel(self) -> None:
        self.tap(self.window.cancel_button, "cancel button")

    def choose_service(self, service: ev.Service) -> None:
        """Tap the service once the start screen offers it, as a resident would (issuance waits
        for the fee acceptor and the center: a cash unit reconnecting, a center health check)."""
        self.wait_for(st.Start)
        self.wait_until(
            lambda s: (
                s.center.problem is None
                and (service is not ev.Service.ISSUE or s.acceptor_available)
            ),
            f"service {service.value} offered",
        )
        view = self.window.view
        buttons = getattr(view, "services", {})
        self.tap(buttons.get(service), f"service {service.value}")

    def choose_language(self, language: str, *, photograph: bool = False) -> None:
        self.tap(self.window.language_button, "language button")
        self.wait_until(lambda s: s.language_menu_open, "the language menu")
        if photograph:
            self.photograph("language-menu")
        self.tap(self.window.language_menu.buttons.get(language), f"language {language}")
        self.wait_until(lambda s: s.language == language, f"language {language}")

    def agree(self) -> None:
        self.wait_for(st.Consent)
        self.nav("agree")

    def place_card(self, persona: str, **options: Any) -> None:
        if self.dock is None:
            raise DriverError("no card dock")
        self.dock.insert(self.slot, persona, **options)

    def take_card(self) -> None:
        if self.dock is not None:
            self.dock.remove(self.slot)

    def enter_pin(self, pin: str, *, photograph: bool = False) -> None:
        state = self.wait_until(
            lambda s: isinstance(s.screen, st.PinEntry) and s.screen.tries_left is not None,
            "the PIN keypad",
        )
        assert isinstance(state.screen, st.PinEntry)
        keypad = getattr(self.window.view, "keypad", None)
        for digit in pin:
            key = keypad.keys.get(digit) if keypad is not None else None
            self.tap(key, f"keypad {digit}")
        if photograph:
            self.photograph("pin-entered")  # shows the mask, never the digits
        self.nav("submit")

    def choose_certificate(self, kind: CertificateKind) -> None:
        self.wait_for(st.CertificateChoice)
        self.send(ev.ChooseCertificate(kind))

    def insert_money(self, pieces: Iterable[int], gap_s: float = 0.05) -> None:
        """Put pieces in, once the acceptor takes money (its lights are on): a piece put in
        before that is given back (MoneyRejected), as a real acceptor does."""
        if self.acceptor is None:
            raise DriverError("no fee acceptor")
        deadline = time.monotonic() + DEFAULT_WAIT_S
        while not getattr(self.acceptor, "enabled", True):
            if time.monotonic() > deadline:
                raise DriverError(f"the acceptor was never enabled; at {self.state.screen!r}")
            self.pump(0.005)
        for yen in pieces:
            self.acceptor.insert(yen)
            self.pump(gap_s)

    # -- the happy path, step by step ------------------------------------------------------------
    def to_place_card(self) -> None:
        self.choose_service(ev.Service.ISSUE)
        self.agree()
        self.wait_for(st.PlaceCard)

    def to_pin(self, persona: str) -> None:
        self.to_place_card()
        self.place_card(persona)
        self.wait_until(
            lambda s: isinstance(s.screen, st.PinEntry) and s.screen.tries_left is not None,
            "the PIN keypad",
        )

    def to_menu(self, persona: str, pin: str) -> None:
        self.to_pin(persona)
        self.enter_pin(pin)
        self.wait_for(st.TakeCard)
        self.take_card()
        self.wait_for(st.CertificateChoice, st.JurisdictionChoice)

    def order(self, kind: CertificateKind, copies: int = 1) -> None:
        """From the menu: 住所地 (if asked), the certificate, default options, copies, confirm."""
        if isinstance(self.state.screen, st.JurisdictionChoice):
            from printing.certificates import Jurisdiction

            self.send(ev.ChooseJurisdiction(Jurisdiction.RESIDENCE))
        self.choose_certificate(kind)
        state = self.wait_for(st.OptionChoice, st.CopiesChoice)
        if isinstance(state.screen, st.OptionChoice):
            self.nav("next")
            self.wait_for(st.CopiesChoice)
        if copies != 1:
            self.send(ev.SetCopies(copies))
        self.nav("next")
        self.wait_for(st.Confirmation)

    def confirm(self) -> None:
        self.wait_for(st.Confirmation)
        self.nav("confirm")

    def take_everything(self) -> None:
        """Certificates and change out of the trays."""
        if self.acceptor is not None:
            self.acceptor.take_tray()
        self.pump(0.05)


@dataclass
class DemoResult:
    completed: bool
    printed_pdf: Path | None
    page_pngs: list[Path]
    shots: list[Path]
    screens: list[str]
    message: str = ""


def pay_with(fee: int) -> list[int]:
    """What a resident puts in for ``fee``: a 100-yen coin first (when the fee is more), then
    1000-yen bills until the fee is covered (the acceptor gives change)."""
    pieces = [100] if fee > 100 else []
    while sum(pieces) < fee:
        pieces.append(1000)
    return pieces


def run_scripted_transaction(
    driver: Driver,
    *,
    persona: str,
    pin: str,
    kind: CertificateKind = CertificateKind.JUMINHYO,
    language: str = "ja",
    all_languages: bool = False,
    on_screen: Callable[[Driver], None] | None = None,
) -> None:
    """One complete issuance, screen by screen (the developer demo). Raises DriverError."""
    observe = on_screen or (lambda d: None)
    if all_languages:
        observe = _every_language(driver, observe)
    driver.wait_for(st.Start)
    observe(driver)
    driver.choose_language(language, photograph=True)
    driver.choose_service(ev.Service.ISSUE)
    driver.wait_for(st.Consent)
    observe(driver)
    driver.agree()
    driver.wait_for(st.PlaceCard)
    observe(driver)
    driver.place_card(persona)
    driver.wait_until(
        lambda s: isinstance(s.screen, st.PinEntry) and s.screen.tries_left is not None,
        "the PIN keypad",
    )
    driver.photograph("keypad")
    observe(driver)
    driver.enter_pin(pin, photograph=True)
    driver.wait_for(st.TakeCard)
    observe(driver)
    driver.take_card()
    state = driver.wait_for(st.CertificateChoice, st.JurisdictionChoice)
    observe(driver)
    if isinstance(state.screen, st.JurisdictionChoice):
        from printing.certificates import Jurisdiction

        driver.send(ev.ChooseJurisdiction(Jurisdiction.RESIDENCE))
        driver.wait_for(st.CertificateChoice)
        observe(driver)
    driver.choose_certificate(kind)
    state = driver.wait_for(st.OptionChoice, st.CopiesChoice)
    observe(driver)
    if isinstance(state.screen, st.OptionChoice):
        driver.nav("next")
        driver.wait_for(st.CopiesChoice)
        observe(driver)
    driver.nav("next")
    driver.wait_for(st.Confirmation)
    observe(driver)
    driver.confirm()
    state = driver.wait_for(st.Payment, st.Printing, st.Fault, timeout=FETCH_WAIT_S)
    if isinstance(state.screen, st.Fault):
        raise DriverError(f"the issuance failed: {state.screen.problem.value}")
    observe(driver)
    if isinstance(state.screen, st.Payment):
        txn = state.txn
        assert txn is not None
        pieces = pay_with(txn.money.due_yen)
        driver.insert_money(pieces[:-1])
        if len(pieces) > 1:
            driver.wait_until(
                lambda s: s.txn is not None and s.txn.money.inserted_yen > 0, "coins counted"
            )
            driver.photograph("coins-inserted")
        driver.insert_money(pieces[-1:])
    state = driver.wait_for(st.Done, st.Fault, timeout=PRINT_WAIT_S)
    observe(driver)
    if isinstance(state.screen, st.Fault):
        raise DriverError(f"printing failed: {state.screen.problem.value}")
    # A hopper pays change coin by coin: the resident takes it once it has dropped.
    driver.wait_until(lambda s: s.txn is None or not s.txn.money.pending_yen, "the change paid")
    driver.take_everything()
    driver.send(ev.Finish())
    driver.wait_for(st.Start)


def _every_language(driver: Driver, then: Callable[[Driver], None]) -> Callable[[Driver], None]:
    """Photograph the screen in every language, then go back to the one in use."""

    def observe(d: Driver) -> None:
        original = d.state.language
        for language in LANGUAGES:
            if language == original:
                continue
            d.send(ev.ChooseLanguage(language))
            d.wait_until(_in_language(language), f"language {language}")
            d.photograph("lang")
        d.send(ev.ChooseLanguage(original))
        d.wait_until(_in_language(original), f"language {original}")
        then(d)

    return observe


def _in_language(language: str) -> Callable[[FlowState], bool]:
    return lambda state: state.language == language


__all__ = [
    "CardSlot",
    "CoinSlot",
    "DemoResult",
    "Driver",
    "DriverError",
    "pay_with",
    "run_scripted_transaction",
]
