"""A journal on disk survives an upgrade: rows the earlier kiosk wrote (refund reasons as free
text — staff codes, a hard-coded "P-401", words — and printer faults as strings) still load,
and read back as the typed values the kiosk now writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kiosk.journal import Journal, RefundCause, RefundIntent, StaffOwed, Step
from kiosk.journal.records import (
    print_fault_from_code,
    refund_reason_code,
    refund_reason_from_code,
)
from kiosk.problems import OwedCode, Problem
from printing.faults import PrinterFault

# The rows exactly as the kiosk before the typed reasons wrote them (kiosk/flow/_money.py,
# machine.py, _base.py of that version): a problem's staff code, "P-401" for a jammed
# acceptor, and the words "timeout", "cancelled", "stray".
OLD_REFUND_TEXTS = {
    "R-502": Problem.PRINTER_JAM,
    "P-401": Problem.ACCEPTOR_JAMMED,
    "S-204": Problem.CENTER_PROTOCOL,
    "timeout": RefundCause.TIMEOUT,
    "cancelled": RefundCause.CANCELLED,
    "stray": RefundCause.STRAY,
}


def _old_journal(path: Path) -> None:
    """Make the file the earlier version made (its schema is this one: version 1)."""
    Journal(path).close()  # the schema
    db = sqlite3.connect(path)
    with db:
        for index, code in enumerate(OLD_REFUND_TEXTS):
            txn = f"old-{index}"
            db.execute(
                "INSERT INTO transactions (txn_id, opened_at, service, kind, copies,"
                " fee_per_copy_yen) VALUES (?, '2024-05-01T01:00:00+00:00', 'issue',"
                " 'juminhyo', 1, 300)",
                (txn,),
            )
            rows = [
                ("payment", "intent", 300, 0, 0, ""),
                ("money_in", "outcome", 0, 300, 0, ""),
                ("payment", "outcome", 0, 300, 0, ""),
                ("print", "intent", 0, 0, 1, "abcd"),
                ("print", "outcome", 0, 0, 0, "jam"),
                ("refund", "intent", 300, 0, 0, code),
            ]
            for step, phase, requested, actual, count, text in rows:
                db.execute(
                    "INSERT INTO steps (txn_id, at, step, phase, requested_yen, actual_yen,"
                    " count, code) VALUES (?, '2024-05-01T01:00:01+00:00', ?, ?, ?, ?, ?, ?)",
                    (txn, step, phase, requested, actual, count, text),
                )
    db.close()


def test_old_rows_load_and_read_as_typed_reasons(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    _old_journal(path)
    with Journal(path) as journal:
        open_ = journal.open_transactions()
        assert len(open_) == len(OLD_REFUND_TEXTS)
        for summary, (text, reason) in zip(open_, OLD_REFUND_TEXTS.items(), strict=True):
            assert summary.received_yen == 300
            assert summary.print_fault is PrinterFault.JAM  # the old string fault, typed
            (pending,) = summary.pending
            assert pending.step is Step.REFUND
            assert refund_reason_from_code(pending.code) == reason
            # What the kiosk writes now is the text it wrote then.
            assert refund_reason_code(reason) == text
        # New rows go into the same file beside the old ones.
        journal.write(RefundIntent("old-0", 100, Problem.PRINTER_JAM))
        journal.write(StaffOwed("old-0", 300, OwedCode.RECOVERED))
        assert journal.summary("old-0").staff_owed_yen == 300


@pytest.mark.parametrize("text", ["", "K-999", "printer_jam", "TIMEOUT"])
def test_a_text_no_version_wrote_is_no_reason(text: str) -> None:
    assert refund_reason_from_code(text) is None


def test_every_problem_and_cause_round_trips() -> None:
    for reason in [*Problem, *RefundCause]:
        assert refund_reason_from_code(refund_reason_code(reason)) == reason


def test_print_fault_texts() -> None:
    assert print_fault_from_code("") is None
    for fault in PrinterFault:
        assert print_fault_from_code(fault.value) is fault
    # A newer kiosk's fault this one does not know: a printer error, never lost.
    assert print_fault_from_code("laser_on_fire") is PrinterFault.PRINTER_ERROR
