"""The bounded worker under the adapter: a call that hangs costs its timeout, not the kiosk."""

from __future__ import annotations

import threading
import time

import pytest

from printing._bounded import BoundedWorker, CallTimeout


def test_calls_run_on_one_worker_thread_with_one_session() -> None:
    opened: list[int] = []

    def open_session() -> int:
        opened.append(threading.get_ident())
        return len(opened)

    worker: BoundedWorker[int] = BoundedWorker(open_session)
    threads = {worker.call(lambda s: threading.get_ident(), 1.0) for _ in range(5)}
    assert worker.call(lambda s: s, 1.0) == 1
    assert len(threads) == 1
    assert threads != {threading.get_ident()}
    assert len(opened) == 1


def test_a_hanging_call_times_out_and_the_next_call_gets_a_fresh_worker() -> None:
    release = threading.Event()
    sessions = iter(range(100))
    worker: BoundedWorker[int] = BoundedWorker(lambda: next(sessions))
    started = time.monotonic()
    with pytest.raises(CallTimeout):
        worker.call(lambda s: release.wait(30), 0.2)
    assert time.monotonic() - started < 1.0
    assert worker.call(lambda s: s, 1.0) == 1  # new worker, new session
    release.set()


def test_errors_are_re_raised_and_drop_the_session() -> None:
    sessions = iter(range(100))
    worker: BoundedWorker[int] = BoundedWorker(lambda: next(sessions))

    def fail(session: int) -> None:
        raise ValueError(f"broken {session}")

    with pytest.raises(ValueError, match="broken 0"):
        worker.call(fail, 1.0)
    assert worker.call(lambda s: s, 1.0) == 1


def test_a_session_that_cannot_open_is_an_error_of_the_call() -> None:
    def refuse() -> int:
        raise RuntimeError("failed to connect to server")

    worker: BoundedWorker[int] = BoundedWorker(refuse)
    with pytest.raises(RuntimeError, match="failed to connect"):
        worker.call(lambda s: s, 1.0)
