#!/usr/bin/python3
"""kioskfault — a CUPS backend that captures every job as a PDF file and injects printer faults.

Installed by :class:`hw_sim.stack.cupsd.PrivateCupsd` as ``<ServerBin>/backend/kioskfault``
(mode 0700: CUPS runs such backends as root, backend(7)). Standard library only: it runs under
cupsd with a bare environment, outside the project's virtual environment.

Device URI: ``kioskfault:<state-dir>`` (percent-encoded absolute path). The state folder holds

- ``faults.json``: the faults to inject, written by :class:`hw_sim.stack.faults.PrinterFaults`
  and re-read before every page, so a fault set while a job runs strikes at the next page;
- ``out/``: ``job-<id>.pdf`` (a completed job's document, as the printer received it),
  ``job-<id>.failed.pdf`` (a job that ended in a fault) and ``job-<id>.json`` (options, pages,
  pages printed, outcome).

It speaks the backend protocol as real backends do (backend(7), filter(7)): ``PAGE: n 1`` per
page printed (CUPS turns these into ``job-impressions-completed``), ``STATE: +reason`` for a
condition, ``STATE: -reason`` to clear it (reasons set by a backend are sticky: every job first
clears the ones this backend may have left), ``ATTR: marker-…`` for its toner (the level
from ``faults.json``'s ``toner_percent``, 0 with a toner-empty fault), and the exit codes below.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

# Exit codes of cups/backend.h (backend(7)).
CUPS_BACKEND_OK = 0
CUPS_BACKEND_FAILED = 1  # the queue's printer-error-policy decides (abort-job → aborted)
CUPS_BACKEND_STOP = 4  # the printer is stopped, the job goes back to pending
CUPS_BACKEND_CANCEL = 5

# The printer-state-reasons keywords this backend sets (RFC 8011 §5.4.12 base keywords).
CONDITION_REASONS = {
    "media-empty": "media-empty",
    "media-jam": "media-jam",
    "door-open": "door-open",
    "toner-empty": "toner-empty",
    "offline": "offline",
}
KNOWN_FAULTS = frozenset({*CONDITION_REASONS, "abort", "cancel"})
SUFFIXES = ("error", "warning", "report")
WAIT_POLL_S = 0.1  # how often a job waiting for a cleared fault re-reads faults.json


def all_condition_reasons() -> list[str]:
    """Every keyword this backend may have left on the printer."""
    return [f"{base}-{suffix}" for base in CONDITION_REASONS.values() for suffix in SUFFIXES]


def say(line: str) -> None:
    """One message to cupsd on stderr (filter(7)), flushed at once."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def marker_attributes(plan: dict[str, Any]) -> str:
    """The toner as a printer reports its supplies (CUPS turns ATTR: into printer attributes:
    marker-names, -types, -levels, -low-levels, -colors)."""
    level = plan.get("toner_percent", 72)
    if not isinstance(level, int) or not 0 <= level <= 100:
        level = 72
    if plan.get("fault") == "toner-empty":
        level = 0
    return (
        f"ATTR: marker-colors=#000000 marker-levels={level} marker-low-levels=10"
        " marker-names='Black Toner' marker-types=toner"
    )


def read_faults(state_dir: Path) -> dict[str, Any]:
    """The current fault plan; an absent or malformed file means no fault (and says so)."""
    path = state_dir / "faults.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        say(f"WARNING: kioskfault: ignoring unreadable {path}: {exc}")
        return {}
    if not isinstance(data, dict):
        say(f"WARNING: kioskfault: ignoring {path}: not an object")
        return {}
    return data


def forget_fault(state_dir: Path, plan: dict[str, Any]) -> None:
    """Replace the plan with the same one without its fault (written atomically)."""
    path = state_dir / "faults.json"
    healthy = {**plan, "fault": None, "once": False}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(OSError):
        tmp.write_text(json.dumps(healthy, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(path)


def count_pages(document: Path, data: bytes) -> int:
    """Pages of the PDF (pdfinfo from poppler-utils; a crude count if that fails)."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(
            ["pdfinfo", str(document)], capture_output=True, timeout=20, check=False
        ).stdout.decode("latin-1")
        match = re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE)
        if match:
            return int(match.group(1))
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def parse_options(text: str) -> dict[str, str]:
    """argv[5] of a backend: space-separated name=value pairs (values may be quoted)."""
    options: dict[str, str] = {}
    for token in re.findall(r"""(\S+?=(?:"[^"]*"|'[^']*'|\S*))""", text):
        name, _, value = token.partition("=")
        options[name] = value.strip("\"'")
    return options


class Job:
    def __init__(self, argv: list[str], state_dir: Path) -> None:
        self.job_id = argv[1]
        self.title = argv[3]
        self.options = parse_options(argv[5])
        self.source = Path(argv[6]) if len(argv) > 6 else None
        self.state_dir = state_dir
        self.out_dir = state_dir / "out"
        self.printed = 0
        self.pages = 0
        self.active: set[str] = set()
        self.partial = self.out_dir / f"job-{self.job_id}.part"

    def receive(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        data = self.source.read_bytes() if self.source else sys.stdin.buffer.read()
        self.partial.write_bytes(data)
        self.pages = count_pages(self.partial, data)

    def record(self, outcome: str, final_name: str) -> None:
        self.partial.replace(self.out_dir / final_name)
        meta = {
            "job_id": int(self.job_id),
            "title": self.title,
            "options": self.options,
            "pages": self.pages,
            "pages_printed": self.printed,
            "outcome": outcome,
            "document": final_name,
        }
        tmp = self.out_dir / f".job-{self.job_id}.json.tmp"
        tmp.write_text(json.dumps(meta, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(self.out_dir / f"job-{self.job_id}.json")

    def raise_condition(self, reason: str) -> None:
        if reason not in self.active:
            say(f"STATE: +{reason}")
            self.active.add(reason)

    def clear_conditions(self) -> None:
        if self.active:
            say("STATE: -" + ",".join(sorted(self.active)))
            self.active.clear()

    def strike(self, plan: dict[str, Any]) -> int | None:
        """Act on the planned fault; return an exit code to end the job, or None to go on."""
        if plan.get("once") is True:  # strike this job only: the next one prints
            forget_fault(self.state_dir, plan)
        fault = plan.get("fault")
        mode = plan.get("mode", "stop")
        severity = plan.get("severity", "error")
        if severity not in SUFFIXES:
            severity = "error"
        if fault == "abort":
            say("ERROR: kioskfault: simulated printer failure")
            return CUPS_BACKEND_FAILED
        if fault == "cancel":
            say("INFO: kioskfault: the printer cancelled the job")
            return CUPS_BACKEND_CANCEL
        if fault == "offline":  # CUPS's own backends say offline-report (and keep trying)
            severity = "report"
        reason = f"{CONDITION_REASONS[str(fault)]}-{severity}"
        self.raise_condition(reason)
        if mode != "wait":
            say(f"INFO: kioskfault: {fault} after {self.printed} of {self.pages} pages")
            return CUPS_BACKEND_STOP
        # "wait": like a printer holding the job until staff fix it (IPP printers through CUPS).
        say(f"INFO: kioskfault: waiting, {fault}")
        while True:
            time.sleep(WAIT_POLL_S)
            now = read_faults(self.state_dir)
            if now.get("fault") != fault:
                self.clear_conditions()
                return None

    def run(self) -> int:
        # Clear what an earlier job (or the simulator, while idle) left: sticky reasons.
        say("STATE: -" + ",".join(all_condition_reasons()))
        say(marker_attributes(read_faults(self.state_dir)))
        self.receive()
        say(f"DEBUG: kioskfault: job {self.job_id}, {self.pages} pages")
        if self.pages == 0:
            say("ERROR: kioskfault: the document has no pages (not a PDF?)")
            self.record("error:no-pages", f"job-{self.job_id}.failed.pdf")
            return CUPS_BACKEND_FAILED
        while self.printed < self.pages:
            plan = read_faults(self.state_dir)
            fault, after = plan.get("fault"), plan.get("after_pages", 0)
            if fault is not None and fault not in KNOWN_FAULTS:
                say(f"WARNING: kioskfault: unknown fault {fault!r} ignored")
                fault = None
            if fault and isinstance(after, int) and self.printed >= after:
                code = self.strike(plan)
                if code is not None:
                    self.record(f"fault:{plan.get('fault')}", f"job-{self.job_id}.failed.pdf")
                    return code
                continue
            delay = plan.get("page_delay_s", 0)
            if isinstance(delay, int | float) and delay > 0:
                time.sleep(min(float(delay), 600.0))
            self.printed += 1
            say(f"PAGE: {self.printed} 1")
        self.record("completed", f"job-{self.job_id}.pdf")
        return CUPS_BACKEND_OK


def main(argv: list[str]) -> int:
    if len(argv) == 1:  # device discovery (backend(7))
        print('direct kioskfault "Unknown" "Kiosk capture printer with fault injection"')
        return 0
    if len(argv) not in (6, 7):
        say("ERROR: usage: kioskfault job-id user title copies options [file]")
        return CUPS_BACKEND_FAILED
    uri = os.environ.get("DEVICE_URI", "")
    scheme, _, rest = uri.partition(":")
    if scheme != "kioskfault" or not rest:
        say(f"ERROR: kioskfault: bad device URI {uri!r}")
        return CUPS_BACKEND_STOP
    state_dir = Path(urllib.parse.unquote(urllib.parse.urlsplit(uri).path))
    job = Job(argv, state_dir)

    def on_sigterm(*_: object) -> None:
        # cupsd sends SIGTERM to cancel a job: keep what was received, leave quietly.
        with contextlib.suppress(OSError):
            if job.partial.exists():
                job.record("cancelled", f"job-{job.job_id}.failed.pdf")
        os._exit(CUPS_BACKEND_OK)

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        return job.run()
    except OSError as exc:
        say(f"ERROR: kioskfault: {exc}")
        return CUPS_BACKEND_FAILED


if __name__ == "__main__":
    sys.exit(main(sys.argv))
