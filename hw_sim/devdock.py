"""The developer dock: an on-screen panel (developer profile only) that plays the resident and
the hardware — cards on the reader, coins and bills, acceptor jams, printer faults, and with the
simulated ID-003 + ccTalk cash unit its faults (validator and coin jams, an empty hopper, a
power cut).

It drives the real simulators it is given (kiosk/app/developer.py passes them)::

    dock = DevDock(card_dock=dock, acceptor=acceptor, printer=PrinterFaults(rundir))
    dock.show()

Every simulator call runs on one worker thread of the dock's own (inserting a card waits for
vpcd, a printer fault runs the CUPS tools), so neither the dock nor the kiosk window freezes;
results come back as a status line through a Qt signal. Any of them may be None (that section
is then left out). Strings are for developers and stay English.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hw_sim.acceptor import SimulatedAcceptor
from hw_sim.card import CardDock, InProcessReader
from hw_sim.cash import CashSimControl
from hw_sim.personas import list_personas
from hw_sim.stack import PrinterFaults, SimFault
from kiosk.payment import Denomination

log = logging.getLogger(__name__)

PRINTER_FAULTS: tuple[tuple[str, SimFault], ...] = (
    ("Out of paper", SimFault.MEDIA_EMPTY),
    ("Paper jam", SimFault.MEDIA_JAM),
    ("Door open", SimFault.DOOR_OPEN),
    ("Toner empty", SimFault.TONER_EMPTY),
    ("Offline", SimFault.OFFLINE),
)


class DevDock(QWidget):
    """The panel. ``status`` shows the last action's outcome; ``busy`` while one runs."""

    finished = Signal(str)  # the status line of a finished action (emitted on any thread)

    def __init__(
        self,
        *,
        card_dock: CardDock | InProcessReader | None = None,
        acceptor: SimulatedAcceptor | None = None,
        printer: PrinterFaults | None = None,
        cash: CashSimControl | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Kiosk developer dock")
        self.card_dock = card_dock
        self.acceptor = acceptor
        self.printer = printer
        self.cash = cash
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="devdock")
        self._pending: list[Future[Any]] = []
        self.buttons: dict[str, QPushButton] = {}
        layout = QVBoxLayout(self)
        if card_dock is not None:
            layout.addWidget(self._card_section())
        if acceptor is not None:
            layout.addWidget(self._money_section())
        if cash is not None:
            layout.addWidget(self._cash_section())
        if printer is not None:
            layout.addWidget(self._printer_section())
        self.status = QLabel("Ready.")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.finished.connect(self.status.setText, Qt.ConnectionType.QueuedConnection)
        self.destroyed.connect(lambda *_: self._worker.shutdown(wait=False))

    # --- sections -----------------------------------------------------------------------------

    def _button(self, key: str, text: str, action: Callable[[], str]) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(lambda: self.run(key, action))
        self.buttons[key] = button
        return button

    def _card_section(self) -> QGroupBox:
        box = QGroupBox("Card reader (vpcd slots)")
        grid = QGridLayout(box)
        self.persona = QComboBox()
        for persona in list_personas():
            self.persona.addItem(f"{persona.id} — {persona.description}", persona.id)
        grid.addWidget(self.persona, 0, 0, 1, 4)
        for slot in (0, 1):
            grid.addWidget(QLabel(f"Slot {slot}"), slot + 1, 0)
            grid.addWidget(
                self._button(f"insert-{slot}", "Insert card", partial(self._insert, slot)),
                slot + 1,
                1,
            )
            grid.addWidget(
                self._button(f"remove-{slot}", "Remove card", partial(self._remove, slot)),
                slot + 1,
                2,
            )
        grid.addWidget(self._button("card-status", "Status", self._card_status), 1, 3)
        return box

    def _money_section(self) -> QGroupBox:
        box = QGroupBox("Fee acceptor")
        grid = QGridLayout(box)
        for index, piece in enumerate(Denomination):
            grid.addWidget(
                self._button(
                    f"insert-{int(piece)}",
                    f"¥{int(piece):,}",
                    partial(self._insert_money, piece),
                ),
                index // 5,
                index % 5,
            )
        row = len(Denomination) // 5 + 1
        grid.addWidget(self._button("counterfeit", "Counterfeit", self._counterfeit), row, 0)
        grid.addWidget(self._button("take-tray", "Empty the tray", self._take_tray), row, 1)
        grid.addWidget(self._button("jam", "Jam", self._jam), row, 2)
        grid.addWidget(self._button("clear-jam", "Clear jam", self._clear_jam), row, 3)
        grid.addWidget(self._button("empty-change", "No change left", self._empty), row, 4)
        return box

    def _cash_section(self) -> QGroupBox:
        box = QGroupBox("Cash unit (ID-003 validator, ccTalk coins and hoppers)")
        grid = QGridLayout(box)
        for index, piece in enumerate(Denomination):
            grid.addWidget(
                self._button(
                    f"cash-insert-{int(piece)}",
                    f"¥{int(piece):,}",
                    partial(self._cash_insert, piece),
                ),
                index // 5,
                index % 5,
            )
        faults: list[tuple[str, str, Callable[[], str]]] = [
            ("cash-counterfeit", "Foreign coin", lambda: self._cash("insert_coin", yen=0)),
            ("cash-take", "Empty the tray", self._cash_take),
            ("cash-jam-stacker", "Jam next bill", self._cash_jam_stacker),
            ("cash-jam-coins", "Jam coins", lambda: self._cash("jam_coins")),
            ("cash-clear", "Clear jams", lambda: self._cash("clear")),
            ("cash-empty-100", "Empty ¥100 hopper", lambda: self._cash("hopper_empty", address=3)),
            ("cash-empty-10", "Empty ¥10 hopper", lambda: self._cash("hopper_empty", address=4)),
            ("cash-fill", "Refill hoppers", self._cash_refill),
            ("cash-power", "Power cut", lambda: self._cash("power_cut")),
            ("cash-state", "State", self._cash_state),
        ]
        row = len(Denomination) // 5 + 1
        for index, (key, text, action) in enumerate(faults):
            grid.addWidget(self._button(key, text, action), row + index // 5, index % 5)
        return box

    def _printer_section(self) -> QGroupBox:
        box = QGroupBox("Printer (kioskfault queue)")
        grid = QGridLayout(box)
        for index, (text, fault) in enumerate(PRINTER_FAULTS):
            grid.addWidget(
                self._button(f"fault-{fault.value}", text, partial(self._fault, fault)),
                index // 3,
                index % 3,
            )
        row = len(PRINTER_FAULTS) // 3 + 1
        grid.addWidget(
            self._button(
                "jam-after-1",
                "Jam after 1 page",
                lambda: self._fault(SimFault.MEDIA_JAM, after_pages=1),
            ),
            row,
            0,
        )
        grid.addWidget(self._button("stop-printer", "Stop queue", self._stop), row, 1)
        grid.addWidget(self._button("printer-clear", "Healthy", self._clear_printer), row, 2)
        return box

    # --- running actions ----------------------------------------------------------------------

    def run(self, key: str, action: Callable[[], str]) -> Future[str]:
        """Run ``action`` on the dock's worker; its result (or error) becomes the status."""
        self.status.setText(f"{key}…")

        def job() -> str:
            try:
                message = action()
            except Exception as exc:  # a simulator refusing (DockError, CUPS tool failure)
                log.warning("dev dock %s failed: %s", key, exc)
                message = f"{key} failed: {exc}"
            self.finished.emit(message)
            return message

        future = self._worker.submit(job)
        self._pending = [f for f in self._pending if not f.done()] + [future]
        return future

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until every action asked so far has run (for tests and scripts)."""
        for future in list(self._pending):
            future.result(timeout=timeout)

    # --- actions (on the worker thread) -------------------------------------------------------

    def _persona_id(self) -> str:
        return str(self.persona.currentData())

    def _insert(self, slot: int) -> str:
        assert self.card_dock is not None
        persona = self._persona_id()
        self.card_dock.insert(slot, persona)
        connected = self.card_dock.wait_connected(slot, timeout=5.0)
        return f"slot {slot}: {persona}'s card inserted" + ("" if connected else " (not seen)")

    def _remove(self, slot: int) -> str:
        assert self.card_dock is not None
        self.card_dock.remove(slot)
        return f"slot {slot}: empty"

    def _card_status(self) -> str:
        assert self.card_dock is not None
        return "; ".join(
            f"slot {s.slot}: {s.persona or 'empty'}{' (connected)' if s.connected else ''}"
            for s in self.card_dock.status()
        )

    def _insert_money(self, piece: Denomination) -> str:
        assert self.acceptor is not None
        self.acceptor.insert(int(piece))
        return f"inserted ¥{int(piece):,}; tray ¥{self.acceptor.tray_yen:,}"

    def _counterfeit(self) -> str:
        assert self.acceptor is not None
        self.acceptor.insert_counterfeit()
        return "inserted a counterfeit piece"

    def _take_tray(self) -> str:
        assert self.acceptor is not None
        taken = self.acceptor.take_tray()
        return f"took {len(taken)} piece(s) from the tray"

    def _jam(self) -> str:
        assert self.acceptor is not None
        self.acceptor.jam()
        return "acceptor jammed"

    def _clear_jam(self) -> str:
        assert self.acceptor is not None
        self.acceptor.clear_jam()
        return "acceptor jam cleared"

    def _empty(self) -> str:
        assert self.acceptor is not None
        self.acceptor.empty_inventory()
        return "change inventory emptied"

    def _cash_insert(self, piece: Denomination) -> str:
        assert self.cash is not None
        return f"¥{int(piece):,}: {self.cash.insert(int(piece))}"

    def _cash(self, op: str, **fields: Any) -> str:
        assert self.cash is not None
        self.cash.request(op, **fields)
        return f"cash unit: {op} {fields or ''}".strip()

    def _cash_take(self) -> str:
        assert self.cash is not None
        taken = self.cash.take_tray()
        return f"took {len(taken)} piece(s), ¥{sum(taken):,}"

    def _cash_jam_stacker(self) -> str:
        assert self.cash is not None
        self.cash.jam_validator("stacker", next_bill=True)
        return "the next bill jams in the stacker"

    def _cash_refill(self) -> str:
        assert self.cash is not None
        self.cash.hopper_fill(3, 50)
        self.cash.hopper_fill(4, 100)
        return "hoppers refilled (50 × ¥100, 100 × ¥10)"

    def _cash_state(self) -> str:
        assert self.cash is not None
        state = self.cash.state()
        hoppers = ", ".join(
            f"{h['coin_yen']}×{h['coins']}" for h in state["coins"]["hoppers"].values()
        )
        stacker = state["validator"]["stacker"]
        return f"stacker {stacker or '{}'}; hoppers {hoppers}; tray {state['coins']['tray']}"

    def _fault(self, fault: SimFault, after_pages: int = 0) -> str:
        assert self.printer is not None
        plan = self.printer.set(fault, after_pages=after_pages)
        return f"printer: {plan.fault} after {plan.after_pages} page(s)"

    def _stop(self) -> str:
        assert self.printer is not None
        self.printer.stop_printer("Stopped from the dev dock")
        return "printer queue stopped"

    def _clear_printer(self) -> str:
        assert self.printer is not None
        self.printer.clear()
        return "printer healthy"
