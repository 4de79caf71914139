"""The tracking loop's decisions with a scripted job source and a fake clock (one layer only;
the same paths run against a real cupsd in test_cups_print_path.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from printing._tracking import JobSnapshot, track_job, verdict
from printing.faults import (
    JobHandle,
    JobState,
    PrinterError,
    PrinterFault,
    PrinterState,
    PrinterStatus,
    PrintOutcome,
)

IDLE = PrinterStatus(ready=True, fault=None, state=PrinterState.IDLE, accepting=True)
BUSY = PrinterStatus(ready=True, fault=None, state=PrinterState.PROCESSING, accepting=True)


def printer(state: PrinterState, *reasons: str) -> PrinterStatus:
    return PrinterStatus(ready=False, fault=None, state=state, accepting=True, reasons=reasons)


def snap(
    state: JobState | None, printed: int | None = 0, status: PrinterStatus = BUSY
) -> JobSnapshot:
    return JobSnapshot(state, (), printed, None if printed is None else printed // 2, status)


JOB = JobHandle(job_id=7, queue="Q", job_name="kiosk-x", pages=4, copies_hint=1, submitted_at=0.0)


@dataclass
class Script:
    """Answers polls from a list (the last one repeats); a PrinterError item is raised."""

    answers: list[JobSnapshot | PrinterError]
    poll_interval_s: float = 0.5
    unreachable_give_up_s: float = 3.0
    offline_grace_s: float = 2.0
    cancel_result: bool = True
    cancelled: list[int] = field(default_factory=list)
    polls: int = 0

    def poll(self, job_id: int) -> JobSnapshot:
        answer = self.answers[min(self.polls, len(self.answers) - 1)]
        self.polls += 1
        if isinstance(answer, PrinterError):
            raise answer
        return answer

    def cancel(self, job: JobHandle) -> bool:
        self.cancelled.append(job.job_id)
        return self.cancel_result


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds


def run(
    script: Script,
    deadline: float = 60.0,
    cancel_on_failure: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[PrintOutcome, Clock]:
    clock = Clock()
    outcome = track_job(
        script,
        JOB,
        deadline,
        cancel_on_failure=cancel_on_failure,
        on_progress=on_progress,
        clock=clock,
        sleep=clock.sleep,
    )
    return outcome, clock


@pytest.mark.parametrize(
    ("snapshot", "expected"),
    [
        (snap(JobState.COMPLETED, 4), (True, None)),
        (snap(JobState.CANCELED), (True, PrinterFault.CANCELLED)),
        (snap(JobState.ABORTED), (True, PrinterFault.ABORTED)),
        (snap(JobState.PROCESSING, 1), (False, None)),
        (
            snap(JobState.PROCESSING, 1, printer(PrinterState.PROCESSING, "media-jam-warning")),
            (False, PrinterFault.JAM),
        ),
        (snap(JobState.PENDING, 0, IDLE), (False, None)),
        (
            snap(JobState.PENDING, 2, printer(PrinterState.STOPPED, "media-empty-error", "paused")),
            (False, PrinterFault.OUT_OF_PAPER),
        ),
        (
            snap(JobState.PENDING, 0, printer(PrinterState.STOPPED, "paused")),
            (False, PrinterFault.STOPPED),
        ),
        (snap(JobState.HELD, 0, IDLE), (False, PrinterFault.STOPPED)),
        (snap(JobState.STOPPED, 0, IDLE), (False, PrinterFault.PRINTER_ERROR)),
        (snap(None, None), (False, None)),  # unreadable state: keep waiting (deadline bounds)
        # a sticky reason left on an idle printer does not fail a job that has not started
        (
            snap(JobState.PENDING, 0, printer(PrinterState.IDLE, "media-empty-warning")),
            (False, None),
        ),
    ],
)
def test_verdict(snapshot: JobSnapshot, expected: tuple[bool, PrinterFault | None]) -> None:
    assert verdict(snapshot) == expected


def test_a_completed_job_is_not_cancelled() -> None:
    script = Script(
        [snap(JobState.PENDING), snap(JobState.PROCESSING, 2), snap(JobState.COMPLETED, 4)]
    )
    outcome, _ = run(script)
    assert outcome.completed
    assert outcome.pages_printed == 4
    assert script.cancelled == []


def test_a_fault_cancels_and_reports_the_state_after_the_cancel() -> None:
    jammed = snap(JobState.PROCESSING, 1, printer(PrinterState.PROCESSING, "media-jam-error"))
    script = Script([snap(JobState.PROCESSING, 0), jammed, snap(JobState.CANCELED, 1, IDLE)])
    outcome, _ = run(script)
    assert outcome.fault is PrinterFault.JAM
    assert outcome.job_state is JobState.CANCELED
    assert outcome.reasons == ("media-jam-error",)
    assert outcome.cancelled_by_kiosk
    assert script.cancelled == [7]


def test_without_cancel_on_failure_the_job_is_left_alone() -> None:
    jammed = snap(JobState.PROCESSING, 1, printer(PrinterState.PROCESSING, "media-jam-error"))
    outcome, _ = run(Script([jammed]), cancel_on_failure=False)
    assert outcome.fault is PrinterFault.JAM
    assert not outcome.cancelled_by_kiosk


def test_the_deadline_ends_tracking_with_a_timeout_and_a_cancel() -> None:
    script = Script([snap(JobState.PROCESSING, 1)])
    outcome, clock = run(script, deadline=5.0)
    assert outcome.fault is PrinterFault.TIMEOUT
    assert clock.now == pytest.approx(5.0)  # never sleeps past the deadline
    assert script.cancelled == [7]


def test_a_short_offline_is_tolerated_a_long_one_is_a_fault() -> None:
    offline = snap(JobState.PROCESSING, 1, printer(PrinterState.PROCESSING, "offline-report"))
    back = [snap(JobState.PROCESSING, 2), snap(JobState.COMPLETED, 4)]
    outcome, _ = run(Script([offline, offline, offline, *back]))  # 1 s < 2 s grace
    assert outcome.completed
    outcome, clock = run(Script([offline]))
    assert outcome.fault is PrinterFault.OFFLINE
    assert clock.now >= 2.0


def test_unreachable_for_long_gives_up_without_waiting_for_the_deadline() -> None:
    down = PrinterError(PrinterFault.UNREACHABLE, "connection refused")
    script = Script([snap(JobState.PROCESSING, 1), down])
    outcome, clock = run(script, deadline=600.0)
    assert outcome.fault is PrinterFault.UNREACHABLE
    assert outcome.pages_printed == 1  # the last thing known
    assert 3.0 <= clock.now < 5.0
    assert script.cancelled == []  # cannot cancel through a daemon that does not answer


def test_a_short_outage_is_ridden_out() -> None:
    down = PrinterError(PrinterFault.UNREACHABLE, "connection refused")
    script = Script([snap(JobState.PROCESSING, 1), down, down, snap(JobState.COMPLETED, 4)])
    outcome, _ = run(script)
    assert outcome.completed


def test_a_failing_progress_callback_does_not_break_tracking() -> None:
    seen: list[tuple[int, int]] = []

    def callback(printed: int, total: int) -> None:
        seen.append((printed, total))
        raise RuntimeError("screen gone")

    script = Script(
        [
            snap(JobState.PROCESSING, 1),
            snap(JobState.PROCESSING, 1),
            snap(JobState.PROCESSING, 3),
            snap(JobState.COMPLETED, 4),
        ]
    )
    outcome, _ = run(script, on_progress=callback)
    assert outcome.completed
    assert seen == [(1, 4), (3, 4), (4, 4)]  # once per change


@pytest.mark.parametrize(
    ("completed", "printed", "expected"),
    [
        (True, 8, 2),  # two copies of two sheets (4 sides each)
        (False, 7, 1),  # jam on the last side: only the first copy is whole
        (False, 3, 0),
        (False, None, 0),  # unknown: refund everything
        (False, 99, 2),  # a count beyond the document (reprints) never exceeds it
    ],
)
def test_copies_completed_counts_only_whole_copies(
    completed: bool, printed: int | None, expected: int
) -> None:
    outcome = PrintOutcome(
        completed=completed,
        fault=None if completed else PrinterFault.JAM,
        job_state=JobState.COMPLETED if completed else JobState.CANCELED,
        pages_printed=printed,
        sheets_printed=None,
        pages_total=8,
    )
    assert outcome.copies_completed(pages_per_copy=4) == expected


def test_a_job_the_print_system_lost_ends_tracking_at_once() -> None:
    lost = PrinterError(PrinterFault.CANCELLED, "the print system lost the job")
    script = Script([snap(JobState.PROCESSING, 1), lost])
    outcome, clock = run(script)
    assert outcome.fault is PrinterFault.CANCELLED
    assert clock.now < 1.0
    assert script.cancelled == []
