"""Reader and card-presence monitor on its own thread, built on ``SCardGetStatusChange``.

Reports reader hot-plug (the ``\\\\?PnP?\\Notification`` pseudo-reader), card insertion and
removal, and PC/SC service loss and return (a pcscd restart: the context is re-established,
readers reappear). pyscard's ``CardMonitor`` is not used: it misses events and deadlocks with
several readers and service restarts (real-stack.md).

Events go to a callback, called on the monitor thread; keep it short (e.g. put the event on
the kiosk's queue). :meth:`CardMonitor.stop` cancels the blocking wait with ``SCardCancel``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from cardio.errors import CardError, OperationCancelled, ReaderGone, ServiceUnavailable
from cardio.pcsc import PNP_NOTIFICATION, PcscContext, ReaderState
from cardio.presence import MonitorEvent, MonitorEventKind

__all__ = ["CardMonitor", "MonitorEvent", "MonitorEventKind"]

_log = logging.getLogger(__name__)

# Upper bound of one blocking wait. PnP notifications end a wait at once; this bound only
# limits how late a reader change that raced the start of a wait is noticed.
WAIT_MS = 1000
# While pcscd is down, how often to look for it again: well under the 0.5 s event budget.
SERVICE_RETRY_S = 0.1
# After an unexpected PC/SC error, pause before trying again (no busy loop).
ERROR_BACKOFF_S = 0.2
STOP_JOIN_S = 2.0


class CardMonitor:
    """Watches all readers until :meth:`stop`. Cards already present at start are reported as
    ``CARD_INSERTED`` (a card left in the reader at boot)."""

    def __init__(
        self,
        callback: Callable[[MonitorEvent], None],
        *,
        context: PcscContext | None = None,
    ) -> None:
        self._callback = callback
        self._context = context or PcscContext()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._known: dict[str, ReaderState] = {}
        self._service_up: bool | None = None
        self._snapshot_lock = threading.Lock()
        self._snapshot: dict[str, bytes | None] = {}

    # -- life cycle ------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the monitor thread (idempotent)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="cardio-monitor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = STOP_JOIN_S) -> None:
        """Stop the thread: cancel its wait and join it (repeating the cancel until it ends,
        since a cancel that lands between two waits would be lost)."""
        self._stop.set()
        thread = self._thread
        deadline = time.monotonic() + timeout
        while thread is not None and thread.is_alive() and time.monotonic() < deadline:
            try:
                self._context.cancel()
            except Exception:
                _log.debug("cancel failed", exc_info=True)
            thread.join(0.05)
        if thread is not None and thread.is_alive():
            _log.warning("card monitor thread did not stop within %.1f s", timeout)
            return  # keep the context: the thread still uses it; ``running`` stays True
        self._context.release()
        self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> CardMonitor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def cards(self) -> dict[str, bytes | None]:
        """Current view: reader name → ATR of the card in it, or None when empty."""
        with self._snapshot_lock:
            return dict(self._snapshot)

    # -- the thread ------------------------------------------------------------------------------
    def _emit(self, event: MonitorEvent) -> None:
        with self._snapshot_lock:
            if event.kind is MonitorEventKind.CARD_INSERTED and event.reader:
                self._snapshot[event.reader] = event.atr
            elif event.kind is MonitorEventKind.CARD_REMOVED and event.reader:
                self._snapshot[event.reader] = None
            elif event.kind is MonitorEventKind.READER_ADDED and event.reader:
                self._snapshot.setdefault(event.reader, None)
            elif event.kind is MonitorEventKind.READER_REMOVED and event.reader:
                self._snapshot.pop(event.reader, None)
        try:
            self._callback(event)
        except Exception:
            _log.exception("card monitor callback failed on %s", event.kind.value)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._step()
            except ServiceUnavailable:
                self._service_lost()
                self._stop.wait(SERVICE_RETRY_S)
            except OperationCancelled:
                continue
            except ReaderGone:
                continue  # a reader vanished during the wait: list again
            except CardError as exc:
                # Unexpected (e.g. SCARD_W_SECURITY_VIOLATION once seen around a pcscd restart):
                # start again from a fresh context rather than retry a suspect one.
                _log.warning("card monitor: %s", exc)
                self._context.release()
                self._stop.wait(ERROR_BACKOFF_S)

    def _step(self) -> None:
        readers = self._context.list_readers()
        if self._service_up is False:
            self._emit(MonitorEvent(MonitorEventKind.SERVICE_RESTORED))
        self._service_up = True
        for name in [name for name in self._known if name not in readers]:
            self._reader_gone(name)
        for name in readers:
            if name not in self._known:
                self._known[name] = ReaderState(name, 0)
                self._emit(MonitorEvent(MonitorEventKind.READER_ADDED, name))
        states = [self._known[name] for name in readers]
        result = self._context.get_status_change(
            [*states, ReaderState(PNP_NOTIFICATION, 0)], WAIT_MS
        )
        for state in result or []:
            if state.reader == PNP_NOTIFICATION or state.reader not in self._known:
                continue
            before = self._known[state.reader]
            if state.unknown:
                # Reader gone (the next listing reports it) or unavailable (driver failure): no
                # usable card. Keep the state as current so that the next wait blocks.
                if before.flags != 0 and before.present:
                    self._emit(MonitorEvent(MonitorEventKind.CARD_REMOVED, state.reader))
            else:
                self._card_transition(before, state)
            self._known[state.reader] = state.acknowledged()

    def _card_transition(self, before: ReaderState, now: ReaderState) -> None:
        was_present = before.flags != 0 and before.present
        if now.present and not was_present:
            self._emit(MonitorEvent(MonitorEventKind.CARD_INSERTED, now.reader, now.atr, now.mute))
        elif was_present and not now.present:
            self._emit(MonitorEvent(MonitorEventKind.CARD_REMOVED, now.reader))
        elif (
            was_present
            and now.present
            and (now.flags >> 16 != before.flags >> 16 or now.atr != before.atr)
        ):
            # pcsc-lite counts card events in the upper 16 bits: the card was swapped between
            # two looks.
            self._emit(MonitorEvent(MonitorEventKind.CARD_REMOVED, now.reader))
            self._emit(MonitorEvent(MonitorEventKind.CARD_INSERTED, now.reader, now.atr, now.mute))

    def _reader_gone(self, name: str) -> None:
        state = self._known.pop(name)
        if state.flags != 0 and state.present:
            self._emit(MonitorEvent(MonitorEventKind.CARD_REMOVED, name))
        self._emit(MonitorEvent(MonitorEventKind.READER_REMOVED, name))

    def _service_lost(self) -> None:
        self._context.release()
        if self._service_up is False:
            return
        self._service_up = False
        for name in list(self._known):
            self._reader_gone(name)
        self._emit(MonitorEvent(MonitorEventKind.SERVICE_LOST))
