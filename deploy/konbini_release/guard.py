"""The release guard: what konbini-kiosk.service runs around every start of the kiosk.

    ExecStartPre=+-/usr/lib/konbini-kiosk/release-guard pre-start
    ExecStartPost=+-/usr/lib/konbini-kiosk/release-guard ready      (after READY=1)
    ExecStopPost=+-/usr/lib/konbini-kiosk/release-guard stopped     (SERVICE_RESULT, EXIT_*)

- **pre-start** switches to a pending release (``konbini-kiosk-update`` staged it; the kiosk has
  just exited at an idle moment, so no transaction is cut). A release that was switched to and
  has not reached READY=1 in :data:`UNREADY_LIMIT` starts is rolled back to the previous one,
  with the reason in the history. Then it spaces the starts out: after repeated failures it
  waits a little longer each time, up to :data:`MAX_BACKOFF_S` (systemd 252 has no
  ``RestartSteps=``).
- **ready** marks the current release as proven (it reached READY=1: it is never rolled back).
- **stopped** records how the run ended; a run that was stopped on purpose, or whose display
  was not there (:data:`EXIT_NO_DISPLAY` from kiosk-run), does not count against the release.

The guard must never keep a kiosk from starting: the unit ignores its exit status ("-") and
every error here is reported and swallowed.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from .layout import Layout
from .releases import ReleaseError, install_from, is_complete, link_target, switch
from .state import StateStore, UpdateState, boot_id

UNREADY_LIMIT = 2  # "fails to reach READY=1 twice after the switch" → roll back
BACKOFF_BASE_S = 2.0  # the unit's RestartSec= comes on top
MAX_BACKOFF_S = 60.0
LONG_RUN_S = 300.0  # a run this long was healthy: the failure count starts again
EXIT_NO_DISPLAY = "69"  # kiosk-run: the compositor's socket never came (EX_UNAVAILABLE)

Sleep = Callable[[float], None]


def backoff_s(failures: int) -> float:
    """Extra wait before a start after ``failures`` failed runs in a row: none after one, then
    doubling from 4 s to :data:`MAX_BACKOFF_S`."""
    if failures < 2:
        return 0.0
    return float(min(MAX_BACKOFF_S, BACKOFF_BASE_S * 2 ** (failures - 1)))


def pre_start(layout: Layout, sleep: Sleep = time.sleep) -> float:
    """Before a start: switch, roll back, count the attempt. Returns the back-off waited."""
    store = StateStore(layout)
    with store.locked() as state:
        if state.boot_id != boot_id():
            state.failures = 0  # a new boot starts the count again
        switch_pending(layout, store, state)
        _roll_back_if_unready(layout, store, state)
        current = link_target(layout.current)
        wait = backoff_s(state.failures)
        state.ready_this_run = False
        state.started_at = time.monotonic() + wait
        state.boot_id = boot_id()
        if current is not None and not state.is_proven(current):
            state.unready_starts += 1
    if wait:
        print(f"release-guard: {state.failures} failed runs in a row: waiting {wait:.0f} s")
        sleep(wait)
    return wait


def ready(layout: Layout) -> None:
    """The kiosk sent READY=1: its release is proven."""
    store = StateStore(layout)
    with store.locked() as state:
        current = link_target(layout.current)
        state.ready_this_run = True
        state.unready_starts = 0
        if current is not None and not state.is_proven(current):
            state.prove(current)
            store.record(f"release {current} reached READY=1: proven")


def stopped(layout: Layout, environ: Mapping[str, str]) -> None:
    """After a run: how it ended (systemd passes SERVICE_RESULT, EXIT_CODE, EXIT_STATUS)."""
    result = environ.get("SERVICE_RESULT", "")
    code = environ.get("EXIT_CODE", "")
    status = environ.get("EXIT_STATUS", "")
    store = StateStore(layout)
    with store.locked() as state:
        state.last_stop = f"result={result or '?'} {code or '?'}={status or '?'}"
        ran_s = time.monotonic() - state.started_at if state.boot_id == boot_id() else 0.0
        not_its_fault = result == "success" or status == EXIT_NO_DISPLAY
        if not state.ready_this_run and not_its_fault and state.unready_starts > 0:
            state.unready_starts -= 1  # stopped on purpose, or no display: try it again
        if result == "success":
            state.failures = 0
        elif ran_s >= LONG_RUN_S:
            state.failures = 1
        else:
            state.failures += 1


def install(layout: Layout, version: str) -> str:
    """postinst: make the release of the installed package; the first one becomes current."""
    name = install_from(layout, layout.payload, version)
    if link_target(layout.current) is None:
        switch(layout, name, keep_previous=False)
        StateStore(layout).record(f"release {name} installed and current")
    return name


def switch_pending(layout: Layout, store: StateStore, state: UpdateState) -> None:
    """Make the pending release current (under the state's lock)."""
    pending = state.pending
    if pending is None:
        return
    state.pending = None
    reason = state.pending_reason or "update"
    state.pending_reason = ""
    if not is_complete(layout.releases / pending):
        store.record(f"pending release {pending} is not installed: not switched")
        return
    try:
        old = switch(layout, pending)
    except (OSError, ReleaseError) as exc:
        store.record(f"switch to {pending} failed: {exc}")
        return
    state.unready_starts = 0
    state.failures = 0
    store.record(f"switched from {old or 'nothing'} to {pending} ({reason})")


def _roll_back_if_unready(layout: Layout, store: StateStore, state: UpdateState) -> None:
    current = link_target(layout.current)
    if current is None or state.is_proven(current) or state.unready_starts < UNREADY_LIMIT:
        return
    previous = link_target(layout.previous)
    why = (
        f"release {current} did not reach READY=1 in {state.unready_starts} starts "
        f"(last run: {state.last_stop or 'unknown'})"
    )
    if previous is None or previous == current or not is_complete(layout.releases / previous):
        if state.unready_starts == UNREADY_LIMIT:  # once, not at every start from now on
            store.record(f"{why}; no previous release to roll back to")
        return
    try:
        switch(layout, previous, keep_previous=False)
    except (OSError, ReleaseError) as exc:
        store.record(f"{why}; rollback to {previous} failed: {exc}")
        return
    # The failed release stays on disk (for the vendor to look at) but is never the rollback
    # target again: previous is unset until the next switch.
    layout.previous.unlink(missing_ok=True)
    state.rejected[current] = why
    state.prove(previous)
    state.unready_starts = 0
    state.failures = 0
    store.record(f"rolled back to {previous}: {why}")


def main(argv: list[str] | None = None, layout: Layout | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    where = layout or Layout(Path(os.environ.get("KONBINI_KIOSK_ROOT", "/")))
    command = args[0] if args else ""
    try:
        if command == "pre-start":
            pre_start(where)
        elif command == "ready":
            ready(where)
        elif command == "stopped":
            stopped(where, os.environ)
        elif command == "install" and len(args) == 2:
            install(where, args[1])
        else:
            print("usage: release-guard pre-start|ready|stopped|install VERSION", file=sys.stderr)
            return 2
    except Exception as exc:  # never keep the kiosk from starting (the unit ignores us too)
        print(f"release-guard {command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


__all__ = ["backoff_s", "install", "main", "pre_start", "ready", "stopped", "switch_pending"]
