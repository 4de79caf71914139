"""A private cupsd with a fault-injecting capture queue (and a cups-pdf queue) for tests and the
developer profile.

Everything lives under one run folder (see :class:`hw_sim.stack.cups_layout.CupsdLayout`): own
``cupsd.conf`` / ``cups-files.conf`` (ServerRoot), spool, cache, state and logs, and an own
ServerBin whose ``backend/`` holds our ``kioskfault`` backend; filters and the other ServerBin
folders are symlinks to the system's. The daemon listens on ``127.0.0.1:<port>`` for clients
(``CUPS_SERVER=127.0.0.1:<port>``) and on ``<rundir>/cups.sock`` for administration. Nothing
under /etc is read or written, and the machine's own cupsd (if any) is left alone.

Queues:

- ``KioskCapture`` — the kioskfault backend (hw_sim/stack/backend/kioskfault.py): writes every
  job's document to ``queues/KioskCapture/out/job-<id>.pdf`` and injects the faults set with
  :class:`hw_sim.stack.printer_faults.PrinterFaults`. Its PPD takes PDF (CUPS runs pdftopdf
  only), offers A4 alone and advertises duplex, so ``sides=two-sided-long-edge`` is kept.
- ``KioskPDF`` (``cups_pdf=True``) — Debian's cups-pdf, the developer's "PDF printer". cups-pdf
  reads its settings only from /etc/cups/cups-pdf.conf (compiled in), so the daemon runs in a
  private mount namespace (``unshare --mount``, root) where a file of ours is bind-mounted over
  that path: cups-pdf writes to ``<rundir>/pdf`` and the host's /etc is untouched. cups-pdf goes
  through PostScript and Ghostscript: its output is a re-rendered PDF, one-sided.

cupsd runs filters as user ``lp``: the run folder and its parents must be traversable (``o+x``)
by that user; :meth:`PrivateCupsd.start` checks this and says which folder is not.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from hw_sim.processes import stop_process
from hw_sim.stack.cups_layout import (
    CAPTURE_QUEUE,
    PDF_QUEUE,
    CupsAdminError,
    CupsdLayout,
    admin,
    set_printer_reasons,
)

CUPSD_READY_TIMEOUT_S = 10.0  # cupsd listens within ~0.2 s here; generous for a loaded CI box
CUPSD_STOP_TIMEOUT_S = 10.0  # cupsd stops its jobs' filters and backends on SIGTERM first
BACKEND_SOURCE = Path(__file__).with_name("backend") / "kioskfault.py"
SYSTEM_SERVERBIN = Path("/usr/lib/cups")
CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
CUPS_PDF_CONF = Path("/etc/cups/cups-pdf.conf")

# The capture printer's PPD: PDF in (cupsFilter2 … 0 - : the backend receives what pdftopdf
# makes of the job), A4 only with no unprintable margin (so a capture compares pixel for pixel
# with the submitted PDF), duplex advertised (CUPS maps sides=two-sided-long-edge to
# Duplex=DuplexNoTumble and keeps the sides attribute). PPD spec 4.3 (Adobe TN 5003).
CAPTURE_PPD = """*PPD-Adobe: "4.3"
*FormatVersion: "4.3"
*FileVersion: "1.0"
*LanguageVersion: English
*LanguageEncoding: ISOLatin1
*PCFileName: "KIOSKCAP.PPD"
*Manufacturer: "konbini-kiosk"
*Product: "(Kiosk Capture Printer)"
*ModelName: "Kiosk Capture Printer"
*ShortNickName: "Kiosk Capture Printer"
*NickName: "Kiosk Capture Printer, A4 duplex PDF, fault injection"
*PSVersion: "(3010.000) 0"
*LanguageLevel: "3"
*ColorDevice: True
*DefaultColorSpace: RGB
*FileSystem: False
*Throughput: "20"
*LandscapeOrientation: Plus90
*TTRasterizer: Type42
*cupsVersion: 2.4
*cupsLanguages: "en"
*cupsFilter2: "application/vnd.cups-pdf application/pdf 0 -"
*OpenUI *PageSize/Media Size: PickOne
*OrderDependency: 10 AnySetup *PageSize
*DefaultPageSize: A4
*PageSize A4/A4: "<</PageSize[595.28 841.89]/ImagingBBox null>>setpagedevice"
*CloseUI: *PageSize
*OpenUI *PageRegion/Media Size: PickOne
*OrderDependency: 10 AnySetup *PageRegion
*DefaultPageRegion: A4
*PageRegion A4/A4: "<</PageSize[595.28 841.89]/ImagingBBox null>>setpagedevice"
*CloseUI: *PageRegion
*DefaultImageableArea: A4
*ImageableArea A4/A4: "0 0 595.28 841.89"
*DefaultPaperDimension: A4
*PaperDimension A4/A4: "595.28 841.89"
*OpenUI *Duplex/2-Sided Printing: PickOne
*OrderDependency: 10 AnySetup *Duplex
*DefaultDuplex: None
*Duplex None/Off: "<</Duplex false>>setpagedevice"
*Duplex DuplexNoTumble/Long Edge: "<</Duplex true/Tumble false>>setpagedevice"
*Duplex DuplexTumble/Short Edge: "<</Duplex true/Tumble true>>setpagedevice"
*CloseUI: *Duplex
*DefaultFont: Courier
*Font Courier: Standard "(002.004S)" Standard ROM
"""


def free_tcp_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PrivateCupsd:
    """Start, stop and restart a cupsd of our own on ``127.0.0.1:port`` with its queues.

    ``rundir`` holds configuration, spool, logs and the captured output. Use :attr:`env` (or
    :meth:`export_env`) in clients and :attr:`address` for ``printing.cups.CupsPrinter``.
    """

    def __init__(
        self,
        rundir: Path,
        port: int | None = None,
        *,
        cups_pdf: bool = False,
        log_level: str = "info",
    ) -> None:
        self.layout = CupsdLayout(Path(rundir).absolute())
        self.port = port if port is not None else free_tcp_port()
        self.cups_pdf = cups_pdf
        self.log_level = log_level
        self._proc: subprocess.Popen[bytes] | None = None

    # -- what clients need ---------------------------------------------------------------------
    @property
    def rundir(self) -> Path:
        return self.layout.rundir

    @property
    def address(self) -> str:
        """``host:port`` for ``CUPS_SERVER`` / ``cups.setServer``."""
        return f"127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {"CUPS_SERVER": self.address}

    @property
    def capture_queue(self) -> str:
        return CAPTURE_QUEUE

    @property
    def pdf_queue(self) -> str | None:
        """The cups-pdf queue's name, or None when it is not set up."""
        return PDF_QUEUE if self._cups_pdf_available() else None

    def capture_dir(self, queue: str = CAPTURE_QUEUE) -> Path:
        return self.layout.capture_dir(queue)

    def export_env(self) -> None:
        """Point this process's CUPS clients (libcups reads CUPS_SERVER) at the daemon."""
        os.environ.update(self.env)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    # -- life cycle ----------------------------------------------------------------------------
    def _cups_pdf_available(self) -> bool:
        return (
            self.cups_pdf
            and CUPS_PDF_CONF.exists()
            and CUPS_PDF_PPD.exists()
            and (SYSTEM_SERVERBIN / "backend" / "cups-pdf").exists()
            and shutil.which("unshare") is not None
        )

    def _check_traversable(self) -> None:
        """Filters run as ``lp`` and open the spooled document by path: every folder above
        the spool must let others through (pytest's own temp root is 0700, for example)."""
        for folder in self.layout.spool.parents:  # cupsd sets the spool's own mode (0710 lp)
            if folder.exists() and not os.stat(folder).st_mode & 0o001:
                raise RuntimeError(
                    f"{folder} is not traversable by others (mode {os.stat(folder).st_mode:o}); "
                    "cupsd's filters run as lp and could not read the spool: choose a run "
                    "folder under a world-traversable parent, or chmod o+x that folder"
                )

    def _write_config(self) -> None:
        lay = self.layout
        for folder in (
            lay.etc,
            lay.serverbin / "backend",
            lay.spool / "tmp",
            lay.cache,
            lay.state,
            lay.logs,
            lay.capture_dir(),
            lay.cups_pdf_dir,
        ):
            folder.mkdir(parents=True, exist_ok=True)
        os.chmod(lay.rundir, 0o755)  # noqa: S103 - filters run as lp must reach the spool
        # cups-files.conf(5): every path of ours; DataDir stays the system's (mime types,
        # banners). FileDevice lets a queue use file: URIs (test queues). The printcap file
        # goes to our state folder: CUPS 2.4.2-3+deb12u11 refuses a directive with no value
        # (CVE-2025-61915), so "Printcap" alone no longer turns it off.
        (lay.etc / "cups-files.conf").write_text(
            f"ServerRoot {lay.etc}\n"
            f"ServerBin {lay.serverbin}\n"
            f"RequestRoot {lay.spool}\n"
            f"TempDir {lay.spool / 'tmp'}\n"
            f"CacheDir {lay.cache}\n"
            f"StateDir {lay.state}\n"
            f"AccessLog {lay.logs / 'access_log'}\n"
            f"ErrorLog {lay.error_log}\n"
            f"PageLog {lay.logs / 'page_log'}\n"
            "FileDevice Yes\n"
            "SystemGroup root\n"
            f"Printcap {lay.state / 'printcap'}\n"
        )
        # cupsd.conf(5). Jobs' documents are deleted when a job ends (they carry personal data)
        # but the job history is kept so a finished job can still be asked about.
        (lay.etc / "cupsd.conf").write_text(
            f"LogLevel {self.log_level}\n"
            "MaxLogSize 0\n"
            f"Listen 127.0.0.1:{self.port}\n"
            f"Listen {lay.admin_socket}\n"
            "Browsing No\n"
            "BrowseLocalProtocols none\n"
            "WebInterface No\n"
            "DefaultAuthType Basic\n"
            "ErrorPolicy abort-job\n"
            "PreserveJobFiles No\n"
            "PreserveJobHistory Yes\n"
            "<Location />\n  Order allow,deny\n  Allow from 127.0.0.1\n  Allow from @LOCAL\n"
            "</Location>\n"
            "<Policy default>\n"
            "  <Limit Create-Job Print-Job Print-URI Validate-Job>\n    Order deny,allow\n"
            "  </Limit>\n"
            "  <Limit Send-Document Send-URI Hold-Job Release-Job Restart-Job Purge-Jobs "
            "Set-Job-Attributes Cancel-Job Cancel-My-Jobs Close-Job CUPS-Move-Job>\n"
            "    Require user @OWNER @SYSTEM\n    Order deny,allow\n  </Limit>\n"
            "  <Limit CUPS-Add-Modify-Printer CUPS-Delete-Printer CUPS-Add-Modify-Class "
            "CUPS-Delete-Class CUPS-Set-Default CUPS-Get-Devices Pause-Printer Resume-Printer "
            "Set-Printer-Attributes Enable-Printer Disable-Printer CUPS-Accept-Jobs "
            "CUPS-Reject-Jobs Cancel-Jobs>\n"
            "    AuthType Default\n    Require user @SYSTEM\n    Order deny,allow\n  </Limit>\n"
            "  <Limit All>\n    Order deny,allow\n  </Limit>\n"
            "</Policy>\n"
        )
        # ServerBin: our backend folder; everything else from the system.
        for name in ("filter", "daemon", "cgi-bin", "notifier", "monitor", "driver"):
            link = lay.serverbin / name
            if not link.is_symlink() and (SYSTEM_SERVERBIN / name).exists():
                link.symlink_to(SYSTEM_SERVERBIN / name)
        backend = lay.serverbin / "backend" / "kioskfault"
        source = BACKEND_SOURCE.read_text(encoding="utf-8").split("\n", 1)[1]
        backend.write_text(f"#!{sys.executable}\n{source}", encoding="utf-8")
        os.chmod(backend, 0o700)  # 0700: cupsd runs it as root (backend(7))
        (lay.etc / "kiosk-capture.ppd").write_text(CAPTURE_PPD)
        if self._cups_pdf_available():
            link = lay.serverbin / "backend" / "cups-pdf"
            if not link.is_symlink():
                link.symlink_to(SYSTEM_SERVERBIN / "backend" / "cups-pdf")
            # cups-pdf.conf(5): files in our folder, named after the job's title and ending in
            # job_<id>.pdf (Label 2; cups-pdf 3.0.1 also mangles a piece of a path into the
            # name, a quirk of its own).
            (lay.etc / "cups-pdf.conf").write_text(
                f"Spool {lay.rundir / 'cups-pdf-spool'}\nLabel 2\nGrp root\n"
                f"Log {lay.logs}\nLogType 3\nUserUMask 0077\nTitlePref 1\n"
                f"AnonDirName {lay.cups_pdf_dir}\nOut {lay.cups_pdf_dir}\n"
            )

    def _command(self) -> list[str]:
        etc = self.layout.etc
        cupsd = ["cupsd", "-f", "-c", str(etc / "cupsd.conf"), "-s", str(etc / "cups-files.conf")]
        if not self._cups_pdf_available():
            return cupsd
        script = f"mount --bind '{etc / 'cups-pdf.conf'}' '{CUPS_PDF_CONF}' && exec " + " ".join(
            f"'{arg}'" for arg in cupsd
        )
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]

    def start(self) -> None:
        """Start the daemon (no-op when running) and set up its queues; raise RuntimeError
        with the log's tail when it does not come up."""
        if self.running:
            return
        if shutil.which("cupsd") is None or shutil.which("lpadmin") is None:
            raise RuntimeError("cupsd or lpadmin missing: run scripts/setup (cups)")
        self._write_config()
        self._check_traversable()
        self.layout.admin_socket.unlink(missing_ok=True)
        with open(self.layout.logs / "cupsd.out", "ab") as log:
            self._proc = subprocess.Popen(
                self._command(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.layout.pidfile.write_text(f"{self._proc.pid}\n")
        self.layout.portfile.write_text(f"{self.port}\n")
        deadline = time.monotonic() + CUPSD_READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._listening():
                try:
                    self._add_queues()
                except CupsAdminError as exc:
                    self.stop()
                    raise RuntimeError(f"private cupsd: queue setup failed: {exc}") from exc
                return
            if self._proc.poll() is not None:
                break
            time.sleep(0.02)
        tail = self._log_tail()
        self.stop()
        raise RuntimeError(f"private cupsd did not start:\n{tail}")

    def _listening(self) -> bool:
        if not self.layout.admin_socket.exists():
            return False
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.2)
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def _add_queues(self) -> None:
        lay = self.layout
        admin(
            lay,
            "lpadmin",
            "-p",
            CAPTURE_QUEUE,
            "-v",
            lay.device_uri(CAPTURE_QUEUE),
            "-P",
            str(lay.etc / "kiosk-capture.ppd"),
            "-D",
            "Kiosk capture printer (simulated)",
            # A backend exit 1 aborts the job (the default would retry it forever).
            "-o",
            "printer-error-policy=abort-job",
            # Pages are counted by the backend as it "prints" them (PAGE: lines), not by
            # pdftopdf up front, so job-impressions-completed is what left the printer.
            "-o",
            "page-logging-default=off",
            "-E",
        )
        if self._cups_pdf_available():
            admin(
                lay,
                "lpadmin",
                "-p",
                PDF_QUEUE,
                "-v",
                "cups-pdf:/",
                "-P",
                str(CUPS_PDF_PPD),
                "-D",
                "PDF files (cups-pdf)",
                "-E",
            )
        for queue in (CAPTURE_QUEUE, *((PDF_QUEUE,) if self._cups_pdf_available() else ())):
            self.reset_queue(queue)

    def reset_queue(self, queue: str = CAPTURE_QUEUE) -> None:
        """Bring a queue back to normal: enabled, accepting, no reasons, no pending jobs."""
        lay = self.layout
        admin(lay, "cancel", "-a", queue)
        admin(lay, "cupsenable", queue)
        admin(lay, "cupsaccept", queue)
        set_printer_reasons(lay, queue, [])

    def _log_tail(self) -> str:
        parts = []
        for path in (self.layout.logs / "cupsd.out", self.layout.error_log):
            with contextlib.suppress(OSError):
                parts.append(path.read_text(errors="replace")[-2000:])
        return "\n".join(parts)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        """Stop the daemon (SIGTERM to its process group, SIGKILL after a grace period)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        stop_process(proc, CUPSD_STOP_TIMEOUT_S, group=True)
        self.layout.pidfile.unlink(missing_ok=True)

    def restart(self) -> None:
        """Stop and start again on the same port and folders (a service restart)."""
        self.stop()
        self.start()

    def __enter__(self) -> PrivateCupsd:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def private_cupsd_session(
    rundir: Path | None = None, *, cups_pdf: bool = False
) -> Iterator[PrivateCupsd]:
    """The body of a session-scoped pytest fixture: a running private cupsd whose address is
    exported to this process (``CUPS_SERVER``), stopped at the end::

        @pytest.fixture(scope="session")
        def cupsd() -> Iterator[PrivateCupsd]:
            yield from private_cupsd_session(cups_pdf=True)

    Without ``rundir`` a world-traversable temporary folder is made and removed afterwards (a
    given ``rundir`` must be traversable, see the module docstring, and is left in place).
    """
    own = rundir is None
    folder = traversable_tmpdir("kiosk-test-cupsd-") if rundir is None else rundir
    daemon = PrivateCupsd(folder, cups_pdf=cups_pdf, log_level="debug")
    try:
        daemon.start()
        daemon.export_env()
        yield daemon
    finally:
        daemon.stop()
        if own:
            shutil.rmtree(folder, ignore_errors=True)


def traversable_tmpdir(prefix: str = "kiosk-cupsd-") -> Path:
    """A fresh folder under the system temp dir, mode 0755 (cupsd's filters run as ``lp`` and
    must reach the spool; pytest's own temp root is 0700)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(path, 0o755)  # noqa: S103 - filters run as lp must reach the spool
    return path
