"""The verification service's rules on a real SQLite file, with a clock the test moves:
found with the right code, the same 404 for a wrong code, an unknown serial and a record past
its retention, locks after repeated misses (for any serial), rate limits per client, per serial
and overall, and an audit log without the relying party's address."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from hw_sim.center.verification import (
    LOCK_AFTER_MISSES,
    RateLimiter,
    VerificationRecord,
    VerificationService,
    VerificationStore,
    add_months,
)
from printing.security.vcode import grouped, new_code

SERIAL = "131202-261126-000001-1"
ISSUED = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = ISSUED
        self.tick = 0.0

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.tick


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(tmp_path: Path, clock: Clock) -> VerificationService:
    store = VerificationStore(tmp_path / "verification")
    generous = (1000, 1000.0)
    return VerificationService(
        store,
        clock,
        clients=RateLimiter(*generous, clock=clock.monotonic),
        serials=RateLimiter(*generous, clock=clock.monotonic),
        everyone=RateLimiter(*generous, clock=clock.monotonic),
    )


def record(service: VerificationService, serial: str = SERIAL) -> str:
    code = new_code()
    service.record(
        [VerificationRecord(serial, code, "東京都練馬区長", date(2026, 11, 26), (b"p1",))]
    )
    return code


def test_the_right_code_gets_the_signed_pages(service: VerificationService) -> None:
    code = record(service)
    status, body = service.query("192.0.2.1", SERIAL, grouped(code).lower())  # as typed
    assert status == 200
    assert body["serial"] == SERIAL
    assert body["pages"] == [{"page_index": 0, "signed_code": "cDE="}]
    assert body["available_until"] == "2027-02-26T01:00:00+00:00"  # 3 months after issue


def test_wrong_unknown_and_expired_are_the_same_404(
    service: VerificationService, clock: Clock
) -> None:
    code = record(service)
    answers = [
        service.query("192.0.2.1", SERIAL, new_code()),
        service.query("192.0.2.1", "131202-261126-000099-1", code),
    ]
    clock.now = add_months(ISSUED, 3) + timedelta(seconds=1)
    answers.append(service.query("192.0.2.1", SERIAL, code))
    assert {status for status, _ in answers} == {404}
    assert len({str(body) for _, body in answers}) == 1  # nothing tells them apart
    clock.now = ISSUED  # the record is gone, not hidden: retention is deletion
    assert service.query("192.0.2.1", SERIAL, code)[0] == 404


def test_a_serial_locks_after_repeated_misses_known_or_not(
    service: VerificationService, clock: Clock
) -> None:
    code = record(service)
    for serial in (SERIAL, "131202-261126-000777-1"):
        for _ in range(LOCK_AFTER_MISSES):
            assert service.query("192.0.2.1", serial, new_code())[0] == 404
        status, body = service.query("192.0.2.1", serial, code)
        assert status == 429, "locked: even the right code waits"
        assert body["error"]["reason"] == "serial_locked"
        assert body["retry_after_s"] > 23 * 3600
    clock.now += timedelta(hours=24, seconds=1)
    assert service.query("192.0.2.1", SERIAL, code)[0] == 200


def test_a_success_resets_the_miss_count(service: VerificationService) -> None:
    code = record(service)
    for _ in range(LOCK_AFTER_MISSES - 1):
        service.query("192.0.2.1", SERIAL, new_code())
    assert service.query("192.0.2.1", SERIAL, code)[0] == 200
    for _ in range(LOCK_AFTER_MISSES - 1):
        service.query("192.0.2.1", SERIAL, new_code())
    assert service.query("192.0.2.1", SERIAL, code)[0] == 200


def test_malformed_queries_are_400(service: VerificationService) -> None:
    record(service)
    for serial, code in (
        ("../../etc/passwd", new_code()),
        (SERIAL, None),
        (SERIAL, "SHORT"),
        (SERIAL, "U" * 16),  # not in Crockford's alphabet
        ("x" * 40, new_code()),
    ):
        status, body = service.query("192.0.2.1", serial, code)
        assert status == 400, (serial, code)
        assert body["error"]["code"] == "malformed_request"


def test_a_flood_is_limited_per_client_per_serial_and_overall(tmp_path: Path, clock: Clock) -> None:
    service = VerificationService(
        VerificationStore(tmp_path / "v"),
        clock,
        clients=RateLimiter(3, 1.0, clock=clock.monotonic),
        serials=RateLimiter(5, 1.0, clock=clock.monotonic),
        everyone=RateLimiter(9, 1.0, clock=clock.monotonic),
    )
    code = record(service)
    statuses = [service.query("192.0.2.1", SERIAL, code)[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    _, body = service.query("192.0.2.1", SERIAL, code)
    assert body["retry_after_s"] >= 1
    assert service.query("192.0.2.2", SERIAL, code)[0] == 200  # another client may
    assert service.query("192.0.2.3", SERIAL, code)[0] == 200
    assert service.query("192.0.2.4", SERIAL, code)[0] == 429  # the serial's bucket is empty
    assert service.query("192.0.2.5", "131202-261126-000002-1", code)[0] == 404
    assert service.query("192.0.2.6", "131202-261126-000003-1", code)[0] == 429  # overall
    clock.tick += 10  # buckets refill
    assert service.query("192.0.2.1", SERIAL, code)[0] == 200


def test_every_query_is_audited_without_the_client(service: VerificationService) -> None:
    code = record(service)
    service.query("198.51.100.7", SERIAL, code)
    service.query("198.51.100.7", SERIAL, new_code())
    service.query("198.51.100.7", "bad/serial", code)
    log = service.store.audit_log()
    assert [(serial, outcome) for _, serial, outcome in log] == [
        (SERIAL, "found"),
        (SERIAL, "wrong_code"),
        ("(malformed)", "malformed"),
    ]
    files = b"".join(p.read_bytes() for p in service.store.path.parent.glob("verifications*"))
    for kept in (service.store.dump().encode(), files):
        assert b"198.51.100.7" not in kept
        assert code.encode() not in kept  # a code is kept only as an HMAC


def test_purge_deletes_what_retention_ended(service: VerificationService, clock: Clock) -> None:
    record(service)
    record(service, "131202-261126-000002-1")
    assert service.store.purge(add_months(ISSUED, 3) - timedelta(seconds=1)) == 0
    assert service.store.purge(add_months(ISSUED, 3)) == 2


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (datetime(2026, 11, 30, tzinfo=UTC), 3, datetime(2027, 2, 28, tzinfo=UTC)),
        (datetime(2027, 11, 30, tzinfo=UTC), 3, datetime(2028, 2, 29, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 12, datetime(2027, 1, 15, tzinfo=UTC)),
    ],
)
def test_months_are_calendar_months(start: datetime, months: int, end: datetime) -> None:
    assert add_months(start, months) == end


def test_answers_have_the_shapes_the_openapi_file_describes(service: VerificationService) -> None:
    from hw_sim.center import openapi

    schemas = openapi.document()["components"]["schemas"]
    code = record(service)
    _, found = service.query("192.0.2.1", SERIAL, code)
    assert set(found) == set(schemas["VerificationAnswer"]["required"])
    assert set(found["pages"][0]) == set(
        schemas["VerificationAnswer"]["properties"]["pages"]["items"]["properties"]
    )
    _, missing = service.query("192.0.2.1", SERIAL, new_code())
    error = schemas["VerificationError"]["properties"]["error"]
    assert set(missing["error"]) == set(error["required"])
    assert missing["error"]["code"] in error["properties"]["code"]["enum"]
