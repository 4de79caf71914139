"""Stopping the simulators' child processes (private pcscd and cupsd, the simulated center)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess

KILL_WAIT_S = 5.0  # after SIGKILL the kernel ends a process at once; this only bounds the wait


def stop_process(proc: subprocess.Popen[bytes], timeout_s: float, *, group: bool = False) -> None:
    """SIGTERM, wait up to ``timeout_s``, then SIGKILL. ``group``: signal the process group
    (the child was started in a session of its own with the helpers it runs)."""
    if proc.poll() is not None:
        return

    def send(signum: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(proc.pid, signum)
            else:
                proc.send_signal(signum)

    send(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        proc.wait(timeout=KILL_WAIT_S)


__all__ = ["stop_process"]
