"""Fixtures shared by the whole suite: private daemons (real pcscd + vpcd), Qt offscreen.

Each test session starts its own daemons in temporary folders on free ports, so the suite
never touches the machine's own pcscd, cupsd, readers or queues, and two suites can run at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Without a display Qt aborts the process (real-stack.md); set before any Qt import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hw_sim.stack import PrivatePcscd


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePcscd]:
    """A private pcscd with the vpcd reader; this process's PC/SC clients are pointed at it.

    pcsc-lite reads PCSCLITE_CSOCK_NAME when the process establishes its first context, so
    every PC/SC test of the session shares this one daemon (restart it, do not replace it).
    """
    daemon = PrivatePcscd(tmp_path_factory.mktemp("pcscd"))
    daemon.start()
    daemon.export_env()
    try:
        yield daemon
    finally:
        daemon.stop()
