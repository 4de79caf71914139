"""The print window, killed (issue 16): a kiosk process gets ``kill -9`` after its job reached
CUPS, while it prints, and while the printer is offline; a kiosk started on the same journal
settles the transaction from what CUPS says was printed. Afterwards the journal, CUPS and the
center agree on the copies printed, no job of the transaction is left in the queue, and a
printer that comes back prints nothing more.

Next to the money kills of the journal tests (tests/kiosk/journal); the decisions themselves
are unit-tested in tests/kiosk/test_print_recovery.py.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cardio.pcsc import PcscContext
from hw_sim.acceptor import SimulatedAcceptor
from hw_sim.pki import JpkiTestPki
from hw_sim.stack import PrinterFaults, PrivateCupsd, PrivatePcscd
from kiosk.app.wiring import assemble
from kiosk.journal import Journal
from kiosk.journal.records import Step
from kiosk.runtime import ThreadLoop
from printing.cups import CupsPrinter
from printing.faults import JobState
from tests.cardio.pcsc_cards import wait_for_card
from tests.e2e.kiosk_process import KioskProcess, config_for, parts_for
from tests.hw_sim.center.harness import RunningCenter

pytestmark = [pytest.mark.pcscd, pytest.mark.cupsd, pytest.mark.slow]

COPIES = 2
SIDES_PER_COPY = 2  # a one-page 住民票, front and back
CHILD_START_S = 180.0  # Qt, the issuance (the center renders the certificate) on a busy box


@dataclass
class World:
    config: dict[str, Any]
    folder: Path
    faults: PrinterFaults
    cups: CupsPrinter
    center: RunningCenter

    def kiosk(self, goal: str) -> KioskProcess:
        return KioskProcess({**self.config, "goal": goal}, self.folder)


@pytest.fixture
def world(
    pcscd: PrivatePcscd,
    center: RunningCenter,
    center_pki: JpkiTestPki,
    e2e_cupsd: PrivateCupsd,
    printer_faults: PrinterFaults,
    tmp_path: Path,
) -> Iterator[World]:
    context = PcscContext()
    wait_for_card(context, present=False)
    config = config_for(pcscd, center, center_pki, e2e_cupsd, tmp_path, copies=COPIES)
    cups = CupsPrinter(e2e_cupsd.capture_queue, server=e2e_cupsd.address, call_timeout_s=2.0)
    yield World(config, tmp_path, printer_faults, cups, center)
    cups.close()
    wait_for_card(context, present=False)
    context.release()


def print_intents(world: World, txn_id: str) -> list[Any]:
    """The journal's print intents of the transaction (their document digests)."""
    with sqlite3.connect(f"file:{world.config['journal']}?mode=ro", uri=True) as db:
        return db.execute(
            "SELECT code FROM steps WHERE txn_id = ? AND step = ? AND phase = 'intent'",
            (txn_id, Step.PRINT.value),
        ).fetchall()


def the_job(world: World, txn_id: str) -> Any:
    """The journal's digest of the transaction's print, and CUPS' jobs under it."""
    [(digest,)] = print_intents(world, txn_id)
    return digest, world.cups.find_jobs(digest)


def job_in_cups(world: World, txn_id: str) -> bool:
    """The print was journaled and its job reached CUPS. The Printing screen comes with the
    flow's step; the sequencer journals the print intent just after it, so a poll can come
    before the row (seen at load ≈15)."""
    return bool(print_intents(world, txn_id)) and bool(the_job(world, txn_id)[1])


def wait(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.05)


def closed(world: World, txn_id: str) -> bool:
    with Journal(Path(world.config["journal"])) as journal:
        return journal.summary(txn_id).closed is not None


def restart_and_settle(
    world: World, txn_id: str, meanwhile: Callable[[], None] = lambda: None
) -> None:
    """A new kiosk on the same journal, until the transaction is closed (report acknowledged);
    ``meanwhile`` runs once it started."""
    runner = assemble(parts_for(world.config, SimulatedAcceptor()))
    loop: ThreadLoop[Any] = ThreadLoop(runner.dispatch)
    runner.start(loop.post)
    try:
        meanwhile()
        wait(
            lambda: closed(world, txn_id),
            "the interrupted transaction to be settled and reported",
            timeout=90,
        )
    finally:
        runner.stop()
        loop.stop()


def center_completion(world: World, issuance_id: str) -> tuple[str, int]:
    database = world.center.state_dir / "center.sqlite3"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT outcome, copies_printed FROM completions WHERE issuance_id = ?",
            (issuance_id,),
        ).fetchone()
    assert row is not None, "the center has no completion for the issuance"
    return str(row[0]), int(row[1])


def check_all_agree(world: World, txn_id: str, copies_expected: int | None) -> None:
    """Journal, CUPS and center say the same copies (``copies_expected``; None: whatever CUPS
    counted)."""
    with Journal(Path(world.config["journal"])) as journal:
        summary = journal.summary(txn_id)
    _digest, jobs = the_job(world, txn_id)
    # CUPS: every job of the transaction has ended; what it printed is what was journaled.
    assert jobs, "the job never reached CUPS"
    assert all(job.finished for job in jobs)
    assert world.faults.pending_jobs() == []
    printed_by_cups = max(
        COPIES if job.state is JobState.COMPLETED else (job.pages_printed or 0) // SIDES_PER_COPY
        for job in jobs
    )
    if copies_expected is None:
        copies_expected = printed_by_cups
    assert summary.copies_printed == printed_by_cups == copies_expected
    # The money follows: the fee of the printed copies kept, the rest owed by staff.
    assert summary.kept_yen == summary.fee_per_copy_yen * copies_expected
    assert summary.unsettled_yen == 0
    # The center was told the same copies.
    assert summary.issuance_id is not None
    outcome, copies = center_completion(world, summary.issuance_id)
    assert copies == copies_expected
    assert outcome == ("printed" if copies_expected == COPIES else "failed")


def kill_when(world: World, condition: Callable[[str], bool]) -> str:
    """Start a kiosk, take it to printing, kill -9 it once ``condition(txn_id)`` holds."""
    kiosk = world.kiosk("printing")
    try:
        txn_id = kiosk.wait_line("AT Printing", CHILD_START_S).split()[2]
        wait(lambda: condition(txn_id), "the kill point", timeout=60)
        kiosk.kill()
    finally:
        kiosk.close()
    return txn_id


def job_printed(world: World, txn_id: str, at_least: int) -> bool:
    if not print_intents(world, txn_id):
        return False  # not journaled yet (job_in_cups)
    _digest, jobs = the_job(world, txn_id)
    return bool(jobs) and (jobs[0].pages_printed or 0) >= at_least


def test_killed_just_after_the_job_reached_cups(world: World) -> None:
    world.faults.slow(0.6)
    txn_id = kill_when(world, lambda txn: job_in_cups(world, txn))
    restart_and_settle(world, txn_id)  # the job printed on without the kiosk, and was awaited
    check_all_agree(world, txn_id, COPIES)


def test_killed_while_the_job_prints(world: World) -> None:
    world.faults.slow(0.6)
    txn_id = kill_when(world, lambda txn: job_printed(world, txn, at_least=1))
    restart_and_settle(world, txn_id)
    check_all_agree(world, txn_id, COPIES)


def test_killed_while_the_printer_is_offline(world: World) -> None:
    # The first copy prints, then the printer goes offline and CUPS holds the job processing.
    world.faults.set("offline", after_pages=2, mode="wait", severity="report", page_delay_s=0.3)

    def offline(txn: str) -> bool:
        return job_printed(world, txn, at_least=2) and "offline" in " ".join(
            world.cups.check_printer().reasons
        )

    txn_id = kill_when(world, offline)
    restart_and_settle(world, txn_id)  # still offline: the job is cancelled, one copy counted
    check_all_agree(world, txn_id, 1)
    world.faults.clear()  # the printer comes back …
    time.sleep(3.0)
    _digest, jobs = the_job(world, txn_id)
    assert [job.pages_printed for job in jobs] == [2]  # … and prints nothing more
    assert [job.state for job in jobs] == [JobState.CANCELED]


def test_killed_again_while_the_restarted_kiosk_follows_the_job(world: World) -> None:
    """A second crash, during the recovery itself: the print outcome is journaled only once the
    job ended, so the third start finds the same job (now ended) and settles it once."""
    world.faults.slow(1.0)  # 4 page sides: the recovery follows the job for seconds
    txn_id = kill_when(world, lambda txn: job_printed(world, txn, at_least=1))
    restarted = world.kiosk("idle")
    try:
        restarted.wait_line("AT Start", CHILD_START_S)
        wait(lambda: job_printed(world, txn_id, at_least=2), "the job to go on printing")
        restarted.kill()  # while its print worker follows the job
    finally:
        restarted.close()
    with Journal(Path(world.config["journal"])) as journal:
        assert journal.summary(txn_id).closed is None  # nothing settled by the killed restart
    restart_and_settle(world, txn_id)
    check_all_agree(world, txn_id, COPIES)


def test_cupsd_away_at_the_restart_settles_nothing_until_it_answers(
    world: World, e2e_cupsd: PrivateCupsd, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk.runtime import printer as print_service

    monkeypatch.setattr(print_service, "RECOVERY_RETRY_S", 1.0)  # 30 s in a kiosk
    world.faults.slow(0.8)
    txn_id = kill_when(world, lambda txn: job_printed(world, txn, at_least=1))
    e2e_cupsd.stop()  # the kiosk restarts while cupsd is away (at boot, or crashed too)

    def cupsd_comes_back() -> None:
        time.sleep(4.0)
        assert not closed(world, txn_id)  # nothing guessed while CUPS cannot be asked
        e2e_cupsd.start()

    restart_and_settle(world, txn_id, cupsd_comes_back)
    # A job cut off by cupsd's stop does not print on by itself: the recovery cancels it and
    # counts what came out (whole copies); all three agree on that.
    check_all_agree(world, txn_id, None)
