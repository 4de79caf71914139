"""The center's SQLite state: kiosks, single-use challenges, sessions, idempotency records,
first-wins completions, settlement figures, and that it all survives reopening the file."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hw_sim.center.state import ChallengeRecord, SessionRecord, Store

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def _issue(
    store: Store,
    issuance_id: str,
    *,
    copies: int = 2,
    fee: int = 200,
    day: date = date(2026, 11, 26),
) -> None:
    store.record_issuance(
        issuance_id=issuance_id,
        kiosk_id="kiosk-0001",
        idem_key=f"key-{issuance_id}-0000000000",
        municipality_code="131202",
        kind="juminhyo",
        jurisdiction="residence",
        copies=copies,
        fee_per_copy=fee,
        document_number="131202-261126-000001",
        issued_at=NOW,
        business_date=day,
        answer_fingerprint="f",
        answer_body=b"{}",
    )


def _complete(
    store: Store,
    issuance_id: str,
    printed: int,
    paid: int,
    refunded: int,
    pending: int,
    fingerprint: str = "r",
    payment: str = "kiosk",
):
    return store.record_completion(
        issuance_id,
        outcome="printed" if refunded + pending == 0 else "failed",
        copies_printed=printed,
        amount_paid=paid,
        amount_refunded=refunded,
        refund_pending=pending,
        failure_reason=None,
        completed_at=NOW,
        recorded_at=NOW,
        report_fingerprint=fingerprint,
        payment=payment,
    )


def test_kiosks_register_revoke_and_reissue(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    assert store.kiosk_for("aa") is None
    store.register_kiosk("kiosk-0001", "aa", NOW)
    assert store.kiosk_for("aa") == ("kiosk-0001", "active")
    assert store.revoke_kiosk("kiosk-0001", NOW)
    assert store.kiosk_for("aa") == ("kiosk-0001", "revoked")
    store.register_kiosk("kiosk-0001", "bb", NOW)  # a new certificate replaces the revoked one
    assert store.kiosk_for("aa") is None
    assert store.kiosk_for("bb") == ("kiosk-0001", "active")
    assert not store.revoke_kiosk("kiosk-9999", NOW)


def test_challenges_are_single_use_and_bound_to_the_kiosk(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    record = ChallengeRecord(
        "c1", "kiosk-0001", "issuance", b"n" * 32, NOW, NOW + timedelta(seconds=120)
    )
    store.add_challenge(record)
    assert store.take_challenge("c1", "kiosk-0002") is None
    assert store.take_challenge("c1", "kiosk-0001") == record
    assert store.take_challenge("c1", "kiosk-0001") is None


def test_sessions_are_stored_by_hash_and_end(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    record = SessionRecord("kiosk-0001", "issuance", "CARDID", "131202", "練馬区", "r1", NOW, False)
    store.add_session("secret-token", record, NOW)
    raw = (tmp_path / "c.sqlite3").read_bytes() + (tmp_path / "c.sqlite3-wal").read_bytes()
    assert b"secret-token" not in raw
    assert store.session("secret-token") == record
    store.end_session("secret-token")
    assert store.session("secret-token").ended  # type: ignore[union-attr]


def test_idempotency_records_survive_reopening(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    store.store_answer("kiosk-0001", "k" * 20, "fp", 422, b'{"error":1}', NOW)
    store.store_answer("kiosk-0001", "k" * 20, "other", 200, b"{}", NOW)  # first answer wins
    store.close()
    reopened = Store(tmp_path / "c.sqlite3")
    assert reopened.stored_answer("kiosk-0001", "k" * 20) == ("fp", 422, b'{"error":1}')
    assert reopened.stored_answer("kiosk-0002", "k" * 20) is None
    reopened.purge(NOW + timedelta(days=8), keep_idempotency_since=NOW + timedelta(days=1))
    assert reopened.stored_answer("kiosk-0001", "k" * 20) is None


def test_first_completion_wins(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    _issue(store, "iss-1")
    first = _complete(store, "iss-1", 2, 400, 0, 0, fingerprint="one")
    second = _complete(store, "iss-1", 0, 400, 400, 0, fingerprint="two")
    assert second == first
    assert second.report_fingerprint == "one"


def test_day_totals(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    _issue(store, "iss-1", copies=2, fee=200)
    _complete(store, "iss-1", 2, 400, 0, 0)
    _issue(store, "iss-2", copies=3, fee=300)
    _complete(store, "iss-2", 1, 900, 300, 300)  # a jam after one copy: 1 refunded, 1 for staff
    _issue(store, "iss-3", copies=1, fee=200)  # no completion yet
    _issue(store, "iss-4", copies=1, fee=200, day=date(2026, 11, 27))
    totals = store.day_totals("kiosk-0001", date(2026, 11, 26))
    assert totals.issuances == 3
    assert totals.copies_issued == 6
    assert totals.open_issuances == 1
    assert totals.refunded_yen == 300
    assert totals.refund_pending_yen == 300
    assert totals.lines == [("131202", 3, 700, 0, 0)]
    assert store.day_totals("kiosk-0002", date(2026, 11, 26)).issuances == 0


def test_counter_copies_are_totalled_apart(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    _issue(store, "iss-1", copies=2, fee=200)
    _complete(store, "iss-1", 2, 400, 0, 0)
    _issue(store, "iss-2", copies=2, fee=300)
    _complete(store, "iss-2", 2, 0, 0, 0, payment="counter")  # paid at the city-hall counter
    _issue(store, "iss-3", copies=3, fee=300)
    _complete(store, "iss-3", 1, 0, 0, 0, payment="counter")
    totals = store.day_totals("kiosk-0001", date(2026, 11, 26))
    assert totals.lines == [("131202", 2, 400, 3, 900)]
    assert (totals.refunded_yen, totals.refund_pending_yen) == (0, 0)


def test_a_database_of_an_older_center_is_migrated(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "c.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE completions (issuance_id TEXT PRIMARY KEY, outcome TEXT NOT NULL,"
        " copies_printed INTEGER NOT NULL, amount_paid INTEGER NOT NULL,"
        " amount_refunded INTEGER NOT NULL, refund_pending INTEGER NOT NULL,"
        " failure_reason TEXT, completed_at TEXT NOT NULL, recorded_at TEXT NOT NULL,"
        " report_fingerprint TEXT NOT NULL);"
    )
    old.close()
    store = Store(path)
    _issue(store, "iss-1", copies=1, fee=200)
    _complete(store, "iss-1", 1, 0, 0, 0, payment="counter")
    assert store.day_totals("kiosk-0001", date(2026, 11, 26)).lines == [("131202", 0, 0, 1, 200)]
    store.close()
    Store(path).close()  # a second start finds the column and leaves it


def test_sequences_count_per_name(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    assert [store.next_sequence("a") for _ in range(3)] == [1, 2, 3]
    assert store.next_sequence("b") == 1
