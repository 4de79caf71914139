"""The metrics endpoint, scraped over HTTP on loopback: the journal's figures, what the kiosk
observed, device states — and no personal data, no resident-level label."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kiosk.audit import AuditEvent, audit
from kiosk.journal import ClosingRecorded, ClosingStep
from kiosk.operations.metrics import FlowFacts, KioskMetrics
from kiosk.problems import ServiceStop
from tests.kiosk.operations.conftest import DAY, FEE, Day, printer_out_of_paper

# Every label the endpoint may carry: codes, calls, devices, supplies, denominations, reasons —
# never a transaction, a resident, a card or a certificate.
ALLOWED_LABELS = {
    "code", "family", "kind", "call", "outcome", "device", "fault", "marker", "store",
    "denomination", "reason", "flow", "version", "le",
}  # fmt: skip


@pytest.fixture
def scrape(day: Day) -> Iterator[tuple[KioskMetrics, object]]:
    facts = [FlowFacts(ServiceStop.PRINTER, False, True)]
    metrics = KioskMetrics(day.journal.path, lambda: facts[0], clock=lambda: 1000.0)
    server = metrics.serve(0)
    try:
        yield metrics, server
    finally:
        server.shutdown()
        server.server_close()


def read(server: object) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    host, port = server.server_address[:2]  # type: ignore[attr-defined]
    assert host == "127.0.0.1"  # loopback only
    with urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    values = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            assert set(sample.labels) <= ALLOWED_LABELS, sample
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def test_the_journal_s_figures(day: Day, scrape: tuple[KioskMetrics, object]) -> None:
    day.printed("t1", copies=2)
    entry = day.refund_owed("t2")
    day.unreported("t3")
    _metrics, server = scrape
    values = read(server)
    assert values[("kiosk_issuances_total", ())] == 3
    assert values[("kiosk_copies_printed_total", ())] == 3
    assert values[("kiosk_money_yen_total", (("flow", "in"),))] == 4 * FEE
    assert values[("kiosk_money_yen_total", (("flow", "kept"),))] == 3 * FEE
    assert values[("kiosk_money_yen_total", (("flow", "refunded"),))] == 100
    assert values[("kiosk_money_yen_total", (("flow", "owed"),))] == FEE - 100
    assert values[("kiosk_money_owed_open_yen", ())] == FEE - 100
    assert values[("kiosk_open_transactions", ())] == 1
    assert values[("kiosk_transactions_total", (("outcome", "staff"),))] == 1
    # A closing with money still owed: the alert's series says so until it is paid back and
    # the next closing.
    day.journal.write(ClosingRecorded(DAY, ClosingStep.DONE, "1001"))
    assert read(server)[("kiosk_money_owed_unpaid_at_closing_yen", ())] == FEE - 100
    from kiosk.journal import OwedPaidBack

    day.journal.write(OwedPaidBack(entry, "1001", FEE - 100))
    values = read(server)
    assert values[("kiosk_money_owed_open_yen", ())] == 0
    assert values[("kiosk_money_owed_unpaid_at_closing_yen", ())] == FEE - 100
    day.journal.write(ClosingRecorded(DAY, ClosingStep.DONE, "1001"))
    assert read(server)[("kiosk_money_owed_unpaid_at_closing_yen", ())] == 0


def test_what_the_kiosk_observes(day: Day, scrape: tuple[KioskMetrics, object]) -> None:
    metrics, server = scrape
    metrics.observe_audit(audit(AuditEvent.FAULT, "printer_out_of_paper", staff_code="R-501"))
    metrics.observe_audit(audit(AuditEvent.FAULT, "moved_out", staff_code="M-302"))
    metrics.observe_audit(audit(AuditEvent.PAYMENT_INIT, txn_id="t1", yen=300))  # not a fault
    metrics.observe_center("issuance", 1.2, "ok")
    metrics.observe_center("health", 0.02, "CenterUnreachable")
    metrics.update_devices(printer_out_of_paper())
    values = read(server)
    problem = (("code", "R-501"), ("family", "printer"), ("kind", "fault"))
    assert values[("kiosk_problems_total", problem)] == 1
    refusal = (("code", "M-302"), ("family", "municipality"), ("kind", "refusal"))
    assert values[("kiosk_problems_total", refusal)] == 1
    call = (("call", "issuance"), ("outcome", "ok"))
    assert values[("kiosk_center_request_duration_seconds_count", call)] == 1
    assert values[("kiosk_device_up", (("device", "printer"),))] == 0
    assert values[("kiosk_printer_fault", (("fault", "out_of_paper"),))] == 1
    assert values[("kiosk_printer_fault", (("fault", "none"),))] == 0
    assert values[("kiosk_printer_marker_level_percent", (("marker", "Black Toner"),))] == 12
    pieces = (("denomination", "100"), ("store", "change"))
    assert values[("kiosk_cash_pieces", pieces)] == 48
    assert values[("kiosk_journal_disk_free_bytes", ())] == 5 * 2**30
    assert values[("kiosk_out_of_service", (("reason", "printer"),))] == 1
    assert values[("kiosk_out_of_service", (("reason", "closed"),))] == 0
    assert values[("kiosk_center_up", ())] == 1
    assert values[("kiosk_uptime_seconds", ())] == 0.0  # the injected clock stands still
    assert ("kiosk_build_info", (("version", "0.1.0"),)) in values


def test_nothing_personal_in_a_scrape(day: Day, scrape: tuple[KioskMetrics, object]) -> None:
    day.printed("t1")
    day.refund_owed("t2")
    _metrics, server = scrape
    host, port = server.server_address[:2]  # type: ignore[attr-defined]
    with urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    for secret in ("t1", "t2", "iss-0000", "1001", "dg"):
        assert f'"{secret}' not in text  # no transaction, issuance, staff or document label


def test_a_cash_unit_driven_directly(day: Day, scrape: tuple[KioskMetrics, object]) -> None:
    """Each device of an ID-003 + ccTalk unit is up or not (its driver's status)."""
    from dataclasses import replace

    from kiosk.payment.cash_status import CashStatus, DeviceStatus, HopperLevel

    metrics, server = scrape
    unit = CashStatus(
        DeviceStatus("bill validator", connected=True, fault="jam in acceptor"),
        DeviceStatus("coin acceptor", connected=True),
        (HopperLevel(3, 100, connected=True), HopperLevel(4, 10, connected=True, fault="empty")),
    )
    metrics.update_devices(replace(printer_out_of_paper(), cash_unit=unit))
    values = read(server)
    assert values[("kiosk_device_up", (("device", "bill_validator"),))] == 0
    assert values[("kiosk_device_up", (("device", "coin_acceptor"),))] == 1
    assert values[("kiosk_device_up", (("device", "hopper_100"),))] == 1
    assert values[("kiosk_device_up", (("device", "hopper_10"),))] == 0
