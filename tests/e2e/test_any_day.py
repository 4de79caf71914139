"""Any day: the whole kiosk issues, prints and settles on a business day far from the system's
today — ten years ahead of it, or years behind — and every check reads that day from the
center, never from the system clock (issue 9: a pinned date made the suite pass only around
2026-11-26).

The clock is injected (the simulated center's business clock), not faked with libfaketime:
under libfaketime 0.9.10 a threaded Python 3.11 program cannot run — with the monotonic clock
faked, lock and Event timeouts never expire (Python computes sem_clockwait deadlines from the
faked clock, the kernel waits on the real one); with DONT_FAKE_MONOTONIC=1, time.sleep fails
with EINVAL (its clock_nanosleep wrapper shifts the absolute deadline). The system clock's own
JST day boundary (14:59 and 15:01 UTC) is covered where code reads it: the developer morning
(tests/hw_sim/municipality/test_opening.py) and the staff report (tests/kiosk/journal).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hw_sim.municipality.opening import business_morning
from hw_sim.world.calendar import JST
from hw_sim.world.loader import load_municipalities
from printing.documents.jpdates import format_dual_date
from tests.e2e.conftest import CenterLedger, MakeKiosk, pdf_text
from tests.e2e.test_kiosk_happy_path import run_happy_path

pytestmark = [pytest.mark.pcscd, pytest.mark.cupsd]


def open_morning_near(day: date) -> datetime:
    return business_morning(load_municipalities().values(), day)


BUSINESS_DAYS = {
    "ten-years-ahead": lambda: open_morning_near(
        datetime.now(UTC).astimezone(JST).date() + timedelta(days=3653)
    ),
    "years-behind": lambda: open_morning_near(date(2020, 2, 3)),
}


@pytest.mark.parametrize("when", sorted(BUSINESS_DAYS))
def test_an_issuance_on_a_far_business_day_is_printed_and_settled_on_that_day(
    make_kiosk: MakeKiosk, when: str
) -> None:
    moment = BUSINESS_DAYS[when]()
    kiosk = make_kiosk()
    kiosk.center.set_clock(moment)
    ledger = CenterLedger(kiosk.center)  # asks the center for its day
    assert moment.date() in ledger.days
    before = ledger.totals()

    run_happy_path(kiosk)
    kiosk.driver.wait_until(lambda s: not s.pending_reports, "the completion report")

    after = ledger.totals()
    assert after.issuances == before.issuances + 1
    assert after.copies_printed == before.copies_printed + 1
    # Booked on the center's business day, not the system's.
    with kiosk.center.client() as client:
        assert client.settlement(moment.date()).copies_printed >= 1
    _job, handle, outcome = kiosk.jobs_done[-1]
    assert outcome.completed
    text = pdf_text(kiosk.captured(handle.job_id)).replace(" ", "").replace("\u3000", "")
    assert format_dual_date(moment.date()) in text  # 交付日
