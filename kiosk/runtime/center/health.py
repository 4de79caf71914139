"""The center's health while the kiosk waits for residents.

A thread of its own, with its own :class:`~kiosk.center.client.CenterClient`, asks
``GET /health`` at start, then every :data:`HEALTH_CHECK_INTERVAL_S` while the center is up and
every :data:`HEALTH_RECHECK_DOWN_S` while it is not, and at once after any center call failed
(:meth:`HealthMonitor.check_soon`). Each change is posted to the flow as
``CenterHealthChanged``: the start screen offers its services only while the center can serve
them, and offers them again by itself when it comes back. When it comes back the completion
reports waiting for it are sent at once (``on_recovered``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.center import wire
from kiosk.center.client import CenterClient
from kiosk.center.errors import CenterError, Maintenance
from kiosk.flow.events import CenterFailure, CenterHealthChanged
from kiosk.runtime.center.failures import center_failure

log = logging.getLogger(__name__)

ClientFactory = Callable[[], CenterClient]

# A kiosk waiting for residents learns of a dead line or a center maintenance within a minute,
# before the next resident's first call would; one small GET a minute is nothing for the center
# (thousands of kiosks: tens of requests per second). A failed call asks at once.
HEALTH_CHECK_INTERVAL_S = 60.0
# While the center is down the start screen says so; it comes back within 15 s of the center.
HEALTH_RECHECK_DOWN_S = 15.0


@dataclass(frozen=True)
class HealthTiming:
    """How often the center's health is asked (the constants above by default)."""

    interval_s: float = HEALTH_CHECK_INTERVAL_S
    down_interval_s: float = HEALTH_RECHECK_DOWN_S


def health_event(check: Callable[[], wire.Health]) -> CenterHealthChanged:
    """Ask ``check()`` and say what it means for the start screen."""
    try:
        health = check()
    except Maintenance as exc:
        return CenterHealthChanged(CenterFailure.MAINTENANCE, "center", exc.until)
    except CenterError as exc:
        failure, reason = center_failure(exc)
        return CenterHealthChanged(failure, reason)
    except Exception:  # a bug must not stop the checks: the center counts as unavailable
        log.exception("center health check failed unexpectedly")
        return CenterHealthChanged(CenterFailure.UNAVAILABLE)
    if health.state is wire.HealthState.MAINTENANCE:
        until = health.maintenance.ends_at if health.maintenance is not None else None
        return CenterHealthChanged(CenterFailure.MAINTENANCE, "center", until)
    return CenterHealthChanged(None)


class HealthMonitor:
    """Checks the center's health (see the module docstring). Thread-safe."""

    def __init__(
        self,
        client_factory: ClientFactory,
        on_change: Callable[[CenterHealthChanged], None],
        *,
        on_recovered: Callable[[], None] | None = None,
        timing: HealthTiming | None = None,
    ) -> None:
        self._factory = client_factory
        self._on_change = on_change
        self._on_recovered = on_recovered
        self._timing = timing or HealthTiming()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._last: CenterHealthChanged | None = None  # None: not known yet

    @property
    def last(self) -> CenterHealthChanged | None:
        """What the last check said (None before the first answer)."""
        return self._last

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="kiosk-center-health", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()
        # The thread ends after the check in progress (the client's own timeouts bound it).
        self._thread = None

    def check_soon(self) -> None:
        """Check now (a center call just failed)."""
        self._wake.set()

    def _run(self) -> None:
        client: CenterClient | None = None
        try:
            while not self._stopped.is_set():
                self._wake.clear()
                if client is None:
                    client = self._make_client()
                event = (
                    health_event(client.health)
                    if client is not None
                    else CenterHealthChanged(CenterFailure.UNAVAILABLE)
                )
                if self._stopped.is_set():
                    return
                self._report(event)
                up = event.failure is None
                interval = self._timing.interval_s if up else self._timing.down_interval_s
                self._wake.wait(interval)
        finally:
            if client is not None:
                client.close()

    def _make_client(self) -> CenterClient | None:
        try:
            return self._factory()
        except CenterError as exc:  # TLS material unreadable: checked at start, so rare
            log.error("center health: no client: %s", exc)
            return None

    def _report(self, event: CenterHealthChanged) -> None:
        previous, self._last = self._last, event
        if event == previous:
            return
        if event.failure is None:
            log.info("center health: the center answers")
        else:
            log.warning("center health: %s %s", event.failure.value, event.reason)
        try:
            self._on_change(event)
        except Exception:
            log.exception("posting the center's health failed")
        was_down = previous is not None and previous.failure is not None
        if event.failure is None and was_down and self._on_recovered is not None:
            try:
                self._on_recovered()
            except Exception:
                log.exception("acting on the center's recovery failed")


__all__ = [
    "HEALTH_CHECK_INTERVAL_S",
    "HEALTH_RECHECK_DOWN_S",
    "HealthMonitor",
    "HealthTiming",
    "health_event",
]
