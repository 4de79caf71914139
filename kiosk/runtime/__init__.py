"""The kiosk's runtime: the effect runner and the device services behind it.

The flow (:mod:`kiosk.flow`) is pure: ``step(state, event) -> (state, effects)``. The runner
(:class:`Runner`) owns the current state, steps the flow on one thread (the UI thread in the
Qt application), and hands each step's effects, in order, to a sequencer thread that writes the
journal (write-ahead) and passes every other effect to the service that executes it:

- :class:`CardService` — all card I/O on one worker thread (cardio PC/SC), the reader monitor's
  insert/remove events as flow events, the card powered off right after authentication;
- :class:`CenterService` — the issuance center client (mTLS) on a worker, the verified envelope's
  copies handed to the print service; completion reports on a second worker
  (:class:`ReportSender`), retried with a capped back-off until acknowledged; the center's
  health checked on a third (:class:`HealthMonitor`) for the start screen;
- :class:`PrintService` — check the printer, compose the print job before the fee is asked for,
  submit it after, track it to its end;
- :class:`PaymentService` — the fee acceptor's commands on a worker, its events as flow events;
- :class:`Timers` — the flow's one screen timer, firing ``TimerFired``;
- a :class:`ReminderPlayer` (kiosk.sound) for the 取り忘れ reminders.

Nothing here imports Qt: results reach the flow through a ``post`` callable, which the Qt
application binds to a signal (kiosk/app/qt.py) and tests bind to :class:`ThreadLoop`.
"""

from kiosk.runtime.card import CardService, ReaderChoice
from kiosk.runtime.center import (
    CenterService,
    HealthMonitor,
    HealthTiming,
    ReportSender,
    RetryPolicy,
)
from kiosk.runtime.context import IssuedCertificate, TransactionFacts
from kiosk.runtime.loop import ThreadLoop
from kiosk.runtime.payment import PaymentService
from kiosk.runtime.printer import IssuedJob, PrintService, PrintTiming, TicketPrinter
from kiosk.runtime.recovery import RecoveredReport, recover_open_transactions
from kiosk.runtime.runner import Post, ReminderPlayer, Runner, Services
from kiosk.runtime.timers import Timers

__all__ = [
    "CardService",
    "CenterService",
    "HealthMonitor",
    "HealthTiming",
    "IssuedCertificate",
    "IssuedJob",
    "PaymentService",
    "Post",
    "PrintService",
    "PrintTiming",
    "ReaderChoice",
    "RecoveredReport",
    "ReminderPlayer",
    "ReportSender",
    "RetryPolicy",
    "Runner",
    "Services",
    "ThreadLoop",
    "TicketPrinter",
    "Timers",
    "TransactionFacts",
    "recover_open_transactions",
]
