"""The center's side of LGWAN: every call to the simulated world and its municipality servers.

Light calls (locate, offer, registration) run on one dedicated thread that owns the world
(its SQLite connection stays on that thread); issuance runs in the render process pool
(hw_sim/center/render.py). Every call has a deadline; injected municipality delays
(faults.FaultBoard) are awaited on the event loop, so a "municipality that times out" costs the
center nothing but the wait.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import datetime
from typing import Any, TypeVar

from hw_sim.center.faults import FaultBoard
from hw_sim.center.render import (
    IssuanceJob,
    IssuanceOutput,
    Refused,
    WorkerConfig,
    init_worker,
    load_callable,
    run_issuance,
    warm_up,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

# Deadlines for the municipality (docs/center-protocol.md, "Timeouts and retries"): each is
# shorter than the kiosk's read timeout for the call that waits on it, so the kiosk receives
# a typed 504 rather than timing out itself.
MUNICIPALITY_CALL_TIMEOUT_S = 8.0  # offer, locate, registration: database lookups
MUNICIPALITY_ISSUE_TIMEOUT_S = 45.0  # rendering + back sides of up to 20 copies


class MunicipalityTimeout(Exception):
    """A municipality server did not answer within its deadline."""


class Gateway:
    """Async access to the world for the center's handlers."""

    def __init__(
        self, config: WorkerConfig, *, faults: FaultBoard, render_workers: int = 2
    ) -> None:
        self._config = config
        self._faults = faults
        self._world: Any = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lgwan")
        # spawn: the event loop's process must not be forked (threads, sockets, SQLite handles).
        self._pool = ProcessPoolExecutor(
            max_workers=render_workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker,
            initargs=(config,),
        )
        self._render_workers = render_workers

    async def start(self) -> None:
        """Load the world on its thread and start the render workers."""

        def load() -> None:
            self._world = load_callable(self._config.world_factory)(self._config.world_dir)

        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, load)
        await asyncio.gather(
            *(loop.run_in_executor(self._pool, warm_up) for _ in range(self._render_workers))
        )

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

        def close_world() -> None:
            closer = getattr(self._world, "close", None)
            if closer is not None:
                closer()

        self._thread.submit(close_world).result()
        self._thread.shutdown(wait=True)

    # -- the world, on its thread --------------------------------------------------------------
    async def _call(
        self, code: str | None, fn: Callable[[Any], T], timeout: float = MUNICIPALITY_CALL_TIMEOUT_S
    ) -> T:
        loop = asyncio.get_running_loop()

        async def delayed() -> T:
            delay = self._faults.municipality_delay(code) if code else 0.0
            if delay:
                await asyncio.sleep(delay)
            return await loop.run_in_executor(self._thread, lambda: fn(self._world))

        try:
            return await asyncio.wait_for(delayed(), timeout)
        except TimeoutError:
            raise MunicipalityTimeout(code or "world") from None

    async def municipalities(self) -> list[Any]:
        return await self._call(None, lambda world: world.municipalities())

    async def locate(self, card_identifier: str) -> tuple[str, str] | None:
        return await self._call(None, lambda world: world.locate_card_holder(card_identifier))

    async def offer(self, code: str, resident_id: str, now: datetime) -> Any:
        return await self._call(
            code, lambda world: world.municipality(code).offer(resident_id, now)
        )

    async def honseki_offer(self, code: str, card_identifier: str, now: datetime) -> Any:
        return await self._call(
            code, lambda world: world.municipality(code).honseki_offer(card_identifier, now)
        )

    async def register(self, code: str, application: Any, now: datetime) -> Any:
        return await self._call(
            code, lambda world: world.municipality(code).register_honseki(application, now)
        )

    async def registration_status(self, code: str, number: str, now: datetime) -> Any:
        return await self._call(
            code, lambda world: world.municipality(code).registration_status(number, now)
        )

    async def registration_municipality(self, number: str) -> str | None:
        def find(world: Any) -> str | None:
            finder = getattr(world, "registration_municipality", None)
            return finder(number) if finder is not None else None

        return await self._call(None, find)

    async def set_maintenance(self, code: str, start: datetime, end: datetime) -> None:
        await self._call(None, lambda world: world.set_maintenance(code, start, end))

    async def clear_maintenance(self, code: str) -> None:
        await self._call(None, lambda world: world.clear_maintenance(code))

    # -- issuance, in the render pool ----------------------------------------------------------
    async def issue(self, job: IssuanceJob) -> tuple[IssuanceOutput | Refused, float]:
        """Run the issuance job; returns its result and the seconds spent waiting for a worker."""
        loop = asyncio.get_running_loop()
        delay = self._faults.municipality_delay(job.municipality_code)
        submitted = time.perf_counter()

        async def work() -> IssuanceOutput | Refused:
            if delay:
                await asyncio.sleep(delay)
            return await loop.run_in_executor(self._pool, run_issuance, job)

        try:
            result = await asyncio.wait_for(work(), MUNICIPALITY_ISSUE_TIMEOUT_S)
        except TimeoutError:
            raise MunicipalityTimeout(job.municipality_code) from None
        elapsed = time.perf_counter() - submitted
        if isinstance(result, IssuanceOutput):
            queued = max(0.0, elapsed - sum(result.timings.values()) - delay)
            return result, queued
        return result, 0.0
