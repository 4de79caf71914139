"""A private pcscd with the vsmartcard vpcd reader driver.

pcsc-lite 1.9 (Debian 12) hard-codes its socket at ``/run/pcscd/pcscd.comm``; only the client
library honours ``PCSCLITE_CSOCK_NAME``. To run a daemon of our own next to (or instead of) the
system one, we start it in a private mount namespace (``unshare --mount``) that gets its own
``/run``: an empty tmpfs, in which ``/run/pcscd`` is made and a folder of ours bind-mounted over
it. The host's ``/run`` is never written (on a machine without systemd nothing has made
``/run/pcscd``, and a bind mount needs an existing mount point; pcscd itself would create it on
the host). Debian's pcscd is built without polkit ("Enabled features" of ``pcscd -v``), so
hiding the host's ``/run`` (D-Bus, udev data) costs the vpcd-only daemon nothing. Clients reach
it by setting ``PCSCLITE_CSOCK_NAME`` to the socket inside that folder *before* the first
``SCardEstablishContext`` of the process.

The daemon's log (``pcscd.log``) goes through :mod:`hw_sim.stack.apdulog`: mode 0600, bounded,
PIN-bearing APDUs masked. APDU logging (``pcscd -a``) is off unless asked for: the responses
hold the test personas' names and addresses.

The vpcd driver opens two readers, ``Virtual PCD 00 00`` and ``Virtual PCD 00 01``, listening on
TCP ``port`` and ``port + 1`` **on all interfaces** (vpcd has no bind address): this is for
developer machines and tests only; a store kiosk never loads vpcd.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from hw_sim.processes import stop_process
from hw_sim.stack import apdulog

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
PCSCD_READY_TIMEOUT_S = 5.0  # pcscd is ready in ~0.1 s (real-stack.md); generous for loaded CI
PCSCD_STOP_TIMEOUT_S = 5.0  # pcscd ends within a second of SIGTERM; then SIGKILL
VPCD_READER_NAMES = ("Virtual PCD 00 00", "Virtual PCD 00 01")
# The namespace's own /run: pcscd needs only its socket and pid file there.
PRIVATE_RUN_TMPFS = "mode=0755,size=1m"


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("0.0.0.0", port))  # noqa: S104 - vpcd binds all interfaces; test the same
        except OSError:
            return False
    return True


def free_port_pair(low: int = 41000, high: int = 60000) -> int:
    """Return a port ``p`` such that ``p`` and ``p + 1`` are both free (vpcd needs two)."""
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(low, high, 2)
        if _port_free(port) and _port_free(port + 1):
            return port
    raise RuntimeError("no free TCP port pair for vpcd")


class PrivatePcscd:
    """Start, stop and restart a pcscd of our own with the vpcd driver on ``port``/``port+1``.

    ``rundir`` holds the socket (``pcscd.comm``), the reader configuration and the log.
    Use ``env`` (or :meth:`export_env`) in clients.
    """

    def __init__(
        self,
        rundir: Path,
        port: int | None = None,
        log_apdus: bool = False,
        log_max_bytes: int = apdulog.DEFAULT_MAX_BYTES,
    ) -> None:
        self.rundir = Path(rundir)
        self.port = port if port is not None else free_port_pair()
        self.log_apdus = log_apdus
        self.log_max_bytes = log_max_bytes
        self._proc: subprocess.Popen[bytes] | None = None  # pcscd itself (unshare and sh exec)
        self._writer: subprocess.Popen[bytes] | None = None  # its log writer (apdulog)

    # -- paths ---------------------------------------------------------------------------------
    @property
    def socket_path(self) -> Path:
        return self.rundir / "sock" / "pcscd.comm"

    @property
    def confdir(self) -> Path:
        return self.rundir / "reader.conf.d"

    @property
    def logfile(self) -> Path:
        return self.rundir / "pcscd.log"

    @property
    def env(self) -> dict[str, str]:
        return {"PCSCLITE_CSOCK_NAME": str(self.socket_path)}

    @property
    def vpcd_ports(self) -> tuple[int, int]:
        return (self.port, self.port + 1)

    def export_env(self) -> None:
        """Point this process's PC/SC client library at the private daemon."""
        os.environ.update(self.env)

    # -- life cycle ----------------------------------------------------------------------------
    def _write_config(self) -> None:
        self.confdir.mkdir(parents=True, exist_ok=True)
        for old in self.confdir.iterdir():
            old.unlink()
        # Format of /etc/reader.conf.d/vpcd as shipped by vsmartcard-vpcd; DEVICENAME
        # "/dev/null:<port>" makes vpcd a TCP server on <port> and <port>+1.
        (self.confdir / "vpcd").write_text(
            'FRIENDLYNAME "Virtual PCD"\n'
            f"DEVICENAME   /dev/null:0x{self.port:04X}\n"
            f"LIBPATH      {VPCD_DRIVER}\n"
            f"CHANNELID    0x{self.port:04X}\n"
        )

    def start(self) -> None:
        if self.running:
            return
        if not VPCD_DRIVER.exists():
            raise RuntimeError(f"{VPCD_DRIVER} missing: run scripts/setup (vsmartcard-vpcd)")
        if shutil.which("pcscd") is None or shutil.which("unshare") is None:
            raise RuntimeError("pcscd or unshare missing: run scripts/setup")
        self._write_config()
        sockdir = self.socket_path.parent
        sockdir.mkdir(parents=True, exist_ok=True)
        for stale in sockdir.iterdir():
            stale.unlink()
        # The writer is a process of its own, so that the process we wait for is pcscd itself:
        # with a shell pipeline, SIGTERM ends the shell at once while pcscd is still shutting
        # down, and a client talking to it then gets SCARD_W_SECURITY_VIOLATION, not NO_SERVICE.
        self._writer = subprocess.Popen(
            [
                sys.executable,
                "-I",
                apdulog.__file__,
                str(self.logfile),
                "--max-bytes",
                str(self.log_max_bytes),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        assert self._writer.stdin is not None
        self._proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", self._script()],
            stdin=subprocess.DEVNULL,
            stdout=self._writer.stdin,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._writer.stdin.close()  # pcscd holds the only write end: EOF when it ends
        deadline = time.monotonic() + PCSCD_READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.socket_path.exists() and self._vpcd_listening():
                return
            if self._proc.poll() is not None:
                break
            time.sleep(0.02)
        self.stop()
        try:
            tail = self.logfile.read_text(errors="replace")[-2000:]
        except OSError:
            tail = "(no log)"
        raise RuntimeError(f"private pcscd did not start (needs root for unshare):\n{tail}")

    def _script(self) -> str:
        """The shell line run in the new mount namespace: a private /run with our socket
        folder at /run/pcscd, then pcscd in the shell's place (unshare and sh both exec, so
        the process started is pcscd)."""
        flags = "-f -a" if self.log_apdus else "-f"
        sockdir = self.socket_path.parent
        # The mounts are visible only inside the new namespace; the socket file itself is
        # created in our folder, so clients outside reach it by path.
        return (
            f"mount -t tmpfs -o {PRIVATE_RUN_TMPFS} kiosk-pcscd-run /run"
            f" && mkdir /run/pcscd && mount --bind '{sockdir}' /run/pcscd"
            f" && exec pcscd {flags} -c '{self.confdir}'"
        )

    def _vpcd_listening(self) -> bool:
        """True once vpcd listens on its port (read from /proc, without connecting: a
        connection would look like a card being inserted)."""
        want = f":{self.port:04X} "
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with contextlib.suppress(OSError), open(table) as f:
                for line in f:
                    fields = line.split()
                    if len(fields) > 3 and (fields[1] + " ").endswith(want) and fields[3] == "0A":
                        return True
        return False

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        """SIGTERM to pcscd (SIGKILL after 5 s); returns once pcscd and its log writer ended."""
        proc, self._proc = self._proc, None
        writer, self._writer = self._writer, None
        if proc is not None:
            stop_process(proc, PCSCD_STOP_TIMEOUT_S, group=True)
        if writer is not None:
            try:
                writer.wait(timeout=5)  # it ends at EOF, once pcscd is gone
            except subprocess.TimeoutExpired:
                writer.kill()
                writer.wait(timeout=5)

    def restart(self) -> None:
        """Stop and start again on the same socket and ports (a service restart)."""
        self.stop()
        self.start()

    def __enter__(self) -> PrivatePcscd:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
