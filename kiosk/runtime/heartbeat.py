"""The flow's heartbeat: proof, every few seconds, that the kiosk still steps its flow.

The service manager's watchdog (``WatchdogSec=`` in konbini-kiosk.service) restarts a kiosk
that stops answering. A timer thread that pets the watchdog by itself would outlive a stuck
flow, so the pet here has to earn its way: the heartbeat thread posts a :class:`Probe` to the
runner like any result (kiosk.runtime.runner), the flow thread takes it in its turn between
events (``Runner.dispatch``), hands it to the effect sequencer behind the effects already
queued, and only the sequencer calls ``alive``. A flow thread blocked in a step, a listener
(the window) or a deadlock, or a sequencer blocked in an effect, stops the pets; systemd
then kills and restarts the kiosk, and the journal's recovery settles what was open.

One probe is in flight at a time, so a hung flow thread never piles probes up; a probe left
unanswered for two intervals is logged once (the journal says why the watchdog fired).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

# Below this, the heartbeat would cost more than it proves (and a test could spin).
MIN_INTERVAL_S = 0.05


@dataclass(frozen=True)
class Probe:
    """Travels post → flow thread → sequencer; ``answer`` runs on the sequencer thread."""

    serial: int
    answer: Callable[[int], None] = field(repr=False, compare=False)


class Heartbeat:
    """Posts a probe every ``interval_s`` (after the last one came back) and calls ``alive``
    for every probe that made it through the flow thread and the sequencer."""

    def __init__(
        self,
        post: Callable[[Probe], None],
        interval_s: float,
        alive: Callable[[], None],
        *,
        name: str = "kiosk-heartbeat",
    ) -> None:
        self._post = post
        self._interval = max(interval_s, MIN_INTERVAL_S)
        self._alive = alive
        self._name = name
        self._lock = threading.Lock()
        self._outstanding: int | None = None  # serial of the probe in flight
        self._sent_at = 0.0
        self._serial = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.answered = 0  # probes that came back (for diagnostics and tests)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        warned = False
        while not self._stop.is_set():
            with self._lock:
                waiting = self._outstanding is not None
                late_s = time.monotonic() - self._sent_at if waiting else 0.0
                if not waiting:
                    self._serial += 1
                    self._outstanding = self._serial
                    self._sent_at = time.monotonic()
                    serial = self._serial
            if not waiting:
                warned = False
                try:
                    self._post(Probe(serial, self._answer))
                except Exception:  # a closing runner: the next round tries again
                    log.exception("heartbeat probe could not be posted")
                    with self._lock:
                        self._outstanding = None
            elif late_s >= 2 * self._interval and not warned:
                log.error(
                    "the flow has not answered its heartbeat for %.1f s: the kiosk is stuck "
                    "(the service manager's watchdog will restart it)",
                    late_s,
                )
                warned = True
            self._stop.wait(self._interval)

    def _answer(self, serial: int) -> None:
        with self._lock:
            if serial != self._outstanding:
                return
            self._outstanding = None
            self.answered += 1
        try:
            self._alive()
        except Exception:  # the pet's transport must never break the sequencer
            log.exception("heartbeat: alive callback failed")


__all__ = ["Heartbeat", "Probe"]
