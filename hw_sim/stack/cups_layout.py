"""Where a private cupsd keeps its files, its queue names, and how we administer it.

Shared by :class:`hw_sim.stack.cupsd.PrivateCupsd` (which creates the layout and runs the
daemon) and :class:`hw_sim.stack.printer_faults.PrinterFaults` (which may run in another
process, e.g. the developer dock, and finds everything from the run folder alone).

Administration goes through the daemon's own Unix socket (``<rundir>/cups.sock``): there CUPS
authenticates the connecting root user by its peer credentials, so admin operations need no
password, while the TCP listener on 127.0.0.1 (what the kiosk uses) stays unprivileged.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

# Queue names (CUPS allows letters, digits, '-' and '_').
CAPTURE_QUEUE = "KioskCapture"  # our fault-injecting backend, writes PDFs to <rundir>/queues/…
PDF_QUEUE = "KioskPDF"  # cups-pdf, the developer's ordinary "PDF printer"

ADMIN_TIMEOUT_S = 15.0  # lpadmin & co. answer in milliseconds; bounded so a wedged cupsd
# cannot hang a test or the dock


class CupsAdminError(RuntimeError):
    """An administration command against the private cupsd failed."""


@dataclass(frozen=True)
class CupsdLayout:
    """The folders and files of one private cupsd under ``rundir``."""

    rundir: Path

    @property
    def etc(self) -> Path:  # ServerRoot: cupsd.conf, cups-files.conf, printers.conf, ppd/
        return self.rundir / "etc"

    @property
    def serverbin(self) -> Path:  # ServerBin: backend/, and links to the system's filters
        return self.rundir / "lib"

    @property
    def spool(self) -> Path:  # RequestRoot
        return self.rundir / "spool"

    @property
    def cache(self) -> Path:
        return self.rundir / "cache"

    @property
    def state(self) -> Path:  # StateDir (the local authentication certificates)
        return self.rundir / "state"

    @property
    def logs(self) -> Path:
        return self.rundir / "log"

    @property
    def admin_socket(self) -> Path:
        return self.rundir / "cups.sock"

    @property
    def pidfile(self) -> Path:
        return self.rundir / "cupsd.pid"

    @property
    def portfile(self) -> Path:
        return self.rundir / "cupsd.port"

    @property
    def error_log(self) -> Path:
        return self.logs / "error_log"

    def queue_dir(self, queue: str = CAPTURE_QUEUE) -> Path:
        """The state folder of a kioskfault queue: faults.json and out/."""
        return self.rundir / "queues" / queue

    def capture_dir(self, queue: str = CAPTURE_QUEUE) -> Path:
        """Where the kioskfault backend writes each job's document and metadata."""
        return self.queue_dir(queue) / "out"

    @property
    def cups_pdf_dir(self) -> Path:
        """Where cups-pdf writes the PDF queue's files (``…job_<id>.pdf``)."""
        return self.rundir / "pdf"

    def device_uri(self, queue: str = CAPTURE_QUEUE) -> str:
        return "kioskfault:" + urllib.parse.quote(str(self.queue_dir(queue).resolve()))

    def read_port(self) -> int | None:
        try:
            return int(self.portfile.read_text().strip())
        except (OSError, ValueError):
            return None


def admin(layout: CupsdLayout, *argv: str) -> str:
    """Run a CUPS client command (lpadmin, cupsdisable, …) against the private daemon's admin
    socket; return its output or raise :class:`CupsAdminError`."""
    env = dict(os.environ, CUPS_SERVER=str(layout.admin_socket))
    try:
        done = subprocess.run(
            list(argv),
            env=env,
            capture_output=True,
            text=True,
            timeout=ADMIN_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CupsAdminError(f"{argv[0]}: {exc}") from exc
    if done.returncode != 0:
        raise CupsAdminError(f"{' '.join(argv)}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def set_printer_reasons(layout: CupsdLayout, queue: str, reasons: list[str]) -> None:
    """Replace a queue's ``printer-state-reasons`` (CUPS-Add-Modify-Printer via ipptool), as a
    status monitor would when the printer reports a condition while idle."""
    values = ",".join(reasons) if reasons else "none"
    test = (
        '{\n  NAME "set printer-state-reasons"\n  OPERATION CUPS-Add-Modify-Printer\n'
        "  GROUP operation-attributes-tag\n  ATTR charset attributes-charset utf-8\n"
        "  ATTR language attributes-natural-language en\n  ATTR uri printer-uri $uri\n"
        f"  GROUP printer-attributes-tag\n  ATTR keyword printer-state-reasons {values}\n"
        "  STATUS successful-ok\n}\n"
    )
    testfile = layout.rundir / f".set-reasons-{os.getpid()}.test"
    testfile.write_text(test)
    try:
        # ipptool reaches a Unix socket through a percent-encoded host name (httpSeparateURI).
        host = urllib.parse.quote(str(layout.admin_socket), safe="")
        admin(layout, "ipptool", "-T", "10", f"ipp://{host}/printers/{queue}", str(testfile))
    finally:
        testfile.unlink(missing_ok=True)


def write_json_atomic(path: Path, data: object) -> None:
    """Write JSON so that a reader (the backend) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
