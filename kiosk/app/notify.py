"""The service manager's notification protocol (sd_notify(3)), without libsystemd.

systemd starts ``konbini-kiosk.service`` with ``Type=notify`` and ``WatchdogSec=``: it passes
the path of a Unix datagram socket in ``NOTIFY_SOCKET`` and the watchdog period in
``WATCHDOG_USEC`` (for the process named by ``WATCHDOG_PID``). The kiosk sends ``READY=1``
once its start screen is shown, ``WATCHDOG=1`` from the flow's heartbeat
(kiosk.runtime.heartbeat), ``STATUS=…`` lines for ``systemctl status`` and ``STOPPING=1``.

Outside systemd (a developer, the tests without a socket) :func:`from_environment` returns
``None`` and nothing is sent. Sending never raises: the kiosk keeps serving residents whatever
happens to the service manager's socket (a lost ``WATCHDOG=1`` makes systemd restart the kiosk,
which is the right outcome for a kiosk that cannot reach it).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import MutableMapping

log = logging.getLogger(__name__)

# sd_notify(3): the variables the service manager sets for a Type=notify service.
NOTIFY_SOCKET = "NOTIFY_SOCKET"
WATCHDOG_USEC = "WATCHDOG_USEC"
WATCHDOG_PID = "WATCHDOG_PID"

# systemd.service(5), WatchdogSec=: "the daemon should ... send WATCHDOG=1 ... every half of
# the time"; the pet leaves after a round trip through the flow thread, so a quarter leaves a
# late heartbeat (a busy flow step) a margin of three quarters.
PETS_PER_PERIOD = 4
STATUS_MAX = 200  # a STATUS= line is for humans: keep it short, one line


class Notifier:
    """Sends notifications to the service manager's socket (one datagram each)."""

    def __init__(self, address: str, watchdog_period_s: float | None) -> None:
        self._address = "\0" + address[1:] if address.startswith("@") else address
        self.watchdog_period_s = watchdog_period_s
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self._failed_once = False

    @property
    def heartbeat_interval_s(self) -> float | None:
        """How often the flow's heartbeat should pet the watchdog; None: no watchdog."""
        if self.watchdog_period_s is None:
            return None
        return self.watchdog_period_s / PETS_PER_PERIOD

    def ready(self, status: str = "") -> None:
        """The start screen is shown: the service is up."""
        self._send("READY=1", status)

    def watchdog(self) -> None:
        """The flow answered its heartbeat."""
        self._send("WATCHDOG=1")

    def status(self, text: str) -> None:
        self._send("", text)

    def stopping(self, status: str = "") -> None:
        self._send("STOPPING=1", status)

    def close(self) -> None:
        self._socket.close()

    def _send(self, state: str, status: str = "") -> None:
        lines = [state] if state else []
        if status:
            lines.append("STATUS=" + " ".join(status.split())[:STATUS_MAX])
        try:
            self._socket.sendto("\n".join(lines).encode(), self._address)
        except OSError as exc:
            if not self._failed_once:  # once: a gone manager must not flood the log
                log.warning("service manager notification failed: %s", exc.strerror or exc)
                self._failed_once = True


def from_environment(environ: MutableMapping[str, str] | None = None) -> Notifier | None:
    """The notifier for this process, or None when not started by a service manager.

    The variables are removed from the environment (sd_notify's ``unset_environment``) so that
    the programs the kiosk starts (aplay, lp, the speech engines) never notify in its name.
    """
    env = os.environ if environ is None else environ
    address = env.pop(NOTIFY_SOCKET, "")
    usec = env.pop(WATCHDOG_USEC, "")
    pid = env.pop(WATCHDOG_PID, "")
    if not address or not (address.startswith(("/", "@"))):
        return None
    period: float | None = None
    if usec:
        try:
            period = int(usec) / 1_000_000
        except ValueError:
            log.warning("%s=%r is not a number: no watchdog", WATCHDOG_USEC, usec)
        if period is not None and period <= 0:
            period = None
        if pid and pid != str(os.getpid()):
            period = None  # the watchdog is another process's (a parent's), not ours
    return Notifier(address, period)


__all__ = ["Notifier", "from_environment"]
