"""The worker thread that owns one serial port: connect, poll, carry out queued commands, and
reconnect when the device or its adapter goes away. The ID-003 validator and the ccTalk bus
subclass it (kiosk/payment/id003.py, kiosk/payment/cctalk.py).

Every wait is bounded and wakes at once when the worker is closed; commands from other threads
are queued and run on the worker between polls, so only the worker ever touches the port.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from kiosk.payment.serial_link import LinkError, SerialLink

log = logging.getLogger(__name__)

RECONNECT_S = 1.0  # between attempts to open a port that is not there
# A command waits this long for the worker to carry it out (a few exchanges at 9600 baud; a
# payout in progress on the same bus can hold it up to its end).
COMMAND_WAIT_S = 5.0


class DeviceLost(Exception):
    """The device stopped answering (the port may still be open): reconnect."""


class DeviceWorker:
    """Subclasses implement :meth:`_connect` (the handshake after opening the port) and
    :meth:`_poll` (one polling round); both may raise LinkError or DeviceLost."""

    name = "device"

    def __init__(self, link: SerialLink, *, poll_s: float, reconnect_s: float = RECONNECT_S):
        self.link = link
        self.poll_s = poll_s
        self.reconnect_s = reconnect_s
        self.closed = threading.Event()
        self.ready = threading.Event()  # the first handshake (with its reconciliation) ended
        self.connected = threading.Event()
        self._jobs: queue.Queue[tuple[Callable[[], None], Callable[[], None] | None]] = (
            queue.Queue()
        )
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self.on_connection: Callable[[bool], None] | None = None

    def start(self) -> None:
        self._thread.start()

    def close(self, timeout_s: float = 5.0) -> None:
        self.closed.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        self.link.close()
        self._drop_jobs()

    def submit(self, job: Callable[[], None], on_drop: Callable[[], None] | None = None) -> None:
        """Run ``job`` on the worker (in order) as soon as the current round ends; if the
        connection is lost first, ``on_drop`` runs instead (a queued command never runs on a
        device that came back in another state)."""
        self._jobs.put((job, on_drop))
        self._wake.set()

    def run(self, job: Callable[[], None], timeout_s: float = COMMAND_WAIT_S) -> bool:
        """Run ``job`` on the worker and wait for it (bounded): False if it did not run (the
        connection was lost, or the worker is stuck in a long payout)."""
        done = threading.Event()
        ran: list[bool] = []

        def wrapped() -> None:
            try:
                job()
                ran.append(True)
            finally:
                done.set()

        self.submit(wrapped, on_drop=done.set)
        return done.wait(timeout_s) and bool(ran)

    def sleep(self, seconds: float) -> bool:
        """Wait ``seconds`` unless closed; True if the worker should go on."""
        return not self.closed.wait(seconds)

    # --- the loop -----------------------------------------------------------------------------

    def _run(self) -> None:
        while not self.closed.is_set():
            if not self.connected.is_set() and not self._establish():
                self.closed.wait(self.reconnect_s)
                continue
            try:
                self._run_jobs()
                self._poll()
            except (LinkError, DeviceLost) as exc:
                self._lose(str(exc))
                continue
            except Exception:  # a driver bug must not end the thread that owns the port
                log.exception("%s: polling failed", self.name)
            self._wake.wait(self.poll_s)
            self._wake.clear()

    def _establish(self) -> bool:
        try:
            self.link.open()
            self._connect()
        except (LinkError, DeviceLost) as exc:
            log.debug("%s: not connected: %s", self.name, exc)
            self.link.close()
            self._failed_connect(str(exc))
            return False
        except Exception:
            log.exception("%s: handshake failed", self.name)
            self.link.close()
            self._failed_connect("handshake error")
            return False
        self.connected.set()
        self.ready.set()
        log.info("%s: connected on %s", self.name, self.link.path)
        self._tell_connection(True)
        return True

    def _lose(self, reason: str) -> None:
        log.error("%s: connection lost: %s", self.name, reason)
        self.connected.clear()
        self.link.close()
        try:
            self._lost(reason)
        except Exception:
            log.exception("%s: handling the lost connection failed", self.name)
        self._drop_jobs()
        self._tell_connection(False)

    def _drop_jobs(self) -> None:
        while True:
            try:
                _, on_drop = self._jobs.get_nowait()
            except queue.Empty:
                return
            if on_drop is not None:
                try:
                    on_drop()
                except Exception:
                    log.exception("%s: dropping a command failed", self.name)

    def _run_jobs(self) -> None:
        while True:
            try:
                job, _ = self._jobs.get_nowait()
            except queue.Empty:
                return
            job()

    def _tell_connection(self, connected: bool) -> None:
        callback = self.on_connection
        if callback is not None:
            try:
                callback(connected)
            except Exception:
                log.exception("%s: connection listener failed", self.name)

    # --- for subclasses -----------------------------------------------------------------------

    def _connect(self) -> None:
        raise NotImplementedError

    def _poll(self) -> None:
        raise NotImplementedError

    def _lost(self, reason: str) -> None:
        """The connection was lost (the port is closed already)."""

    def _failed_connect(self, reason: str) -> None:
        """An attempt to connect failed (the first one ends :attr:`ready` too)."""
        self.ready.set()


__all__ = ["COMMAND_WAIT_S", "RECONNECT_S", "DeviceLost", "DeviceWorker"]
