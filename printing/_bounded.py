"""Run blocking library calls on one dedicated thread, each bounded by a timeout.

libcups (through pycups) blocks the calling thread on network I/O and offers no per-call
timeout that pycups exposes: a cupsd that accepts the connection and then stops answering
(stopped, swapping, wedged) would hang the kiosk. Every pycups call therefore runs on a worker
thread that owns the connection; the caller waits at most ``timeout_s``. A worker that overruns
is abandoned (it is a daemon thread, so it cannot keep the process alive) and the next call
starts a fresh one with a fresh connection. One worker at a time also serialises the calls, as
a pycups ``Connection`` must not be used from two threads at once.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
S = TypeVar("S")


class CallTimeout(Exception):
    """The call did not return within its timeout; the worker was abandoned."""


@dataclass
class _Task(Generic[S, T]):
    fn: Callable[[S], T]
    done: threading.Event = field(default_factory=threading.Event)
    result: T | None = None
    error: BaseException | None = None


class BoundedWorker(Generic[S]):
    """Calls ``fn(session)`` on a worker thread; ``session`` comes from ``open_session`` (called
    on the worker, lazily) and is dropped by :meth:`reset_session` or when a call overruns.
    """

    def __init__(self, open_session: Callable[[], S], name: str = "bounded-worker") -> None:
        self._open_session = open_session
        self._name = name
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[_Task[S, object] | None] | None = None
        self._generation = 0

    def call(self, fn: Callable[[S], T], timeout_s: float) -> T:
        """Run ``fn`` with the session on the worker; raise :class:`CallTimeout` after
        ``timeout_s`` seconds, or re-raise what ``fn`` (or opening the session) raised."""
        task: _Task[S, T] = _Task(fn)
        with self._lock:
            q = self._ensure_worker()
            q.put(task)  # type: ignore[arg-type]  # the worker is generic in the result type
        if not task.done.wait(timeout_s):
            with self._lock:
                if self._queue is q:  # abandon this worker; it exits after its current call
                    q.put(None)
                    self._queue = None
            raise CallTimeout(f"no answer within {timeout_s:.1f} s")
        if task.error is not None:
            raise task.error
        return task.result  # type: ignore[return-value]  # set when error is None

    def reset_session(self) -> None:
        """Drop the session (e.g. after a connection error); the next call opens a new one."""
        with self._lock:
            if self._queue is not None:
                self._queue.put(None)
                self._queue = None

    def close(self) -> None:
        self.reset_session()

    def _ensure_worker(self) -> queue.SimpleQueue[_Task[S, object] | None]:
        if self._queue is None:
            self._generation += 1
            q: queue.SimpleQueue[_Task[S, object] | None] = queue.SimpleQueue()
            thread = threading.Thread(
                target=self._run, args=(q,), name=f"{self._name}-{self._generation}", daemon=True
            )
            thread.start()
            self._queue = q
        return self._queue

    def _run(self, q: queue.SimpleQueue[_Task[S, object] | None]) -> None:
        session: S | None = None
        while True:
            task = q.get()
            if task is None:
                return
            try:
                if session is None:
                    session = self._open_session()
                task.result = task.fn(session)
            except BaseException as exc:  # handed to the caller, who maps it
                task.error = exc
                session = None  # a failed call may leave the connection unusable
            finally:
                task.done.set()
