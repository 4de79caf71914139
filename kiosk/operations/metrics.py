"""Fleet health: the kiosk's metrics in the Prometheus exposition format, on a loopback port.

One ``prometheus_client`` registry per kiosk process, served on 127.0.0.1 at the profile's
``[metrics] port`` (a fleet's Prometheus reaches it through the store's own agent or an SSH/VPN
tunnel; it is never exposed on the store network: docs/operations.md). It carries:

- from the journal, read at every scrape on a read-only connection (so they survive restarts
  and never disagree with the journal): issuances, copies printed, transactions by how they
  ended, money in, kept, change, refunded, owed and paid back, money still owed, the money owed
  that was not paid back at the last closing, open transactions, the last closing's time;
- from what the kiosk observes while it runs: problems (refusals and faults) by staff code,
  center call latency by call, device states (reader, printer with its fault and supplies,
  cash unit levels and fault, center link, journal disk), out of service, staff session,
  uptime and version.

No personal data and no resident-level label: labels are staff codes, call names, device names,
printer supplies, denominations and service reasons — bounded sets.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    start_http_server,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from kiosk.audit import AuditEvent, AuditRecord
from kiosk.operations.journal_figures import JournalFigures, JournalReader
from kiosk.operations.status import DeviceStatus
from kiosk.problems import Problem, ServiceStop, staff_code
from printing.faults import PrinterFault

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"  # never another interface (docs/operations.md, "Reaching the kiosks")
# Center calls: from 10 ms (a health check on the store line) to the issuance's 60 s timeout.
CENTER_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
# What the start screen may say of the center (kiosk/flow: the health check's problems).
CENTER_CODES = tuple(
    staff_code(problem)
    for problem in (
        Problem.CENTER_UNREACHABLE,
        Problem.CENTER_TIMEOUT,
        Problem.CENTER_MAINTENANCE,
        Problem.CENTER_PROTOCOL,
        Problem.CENTER_ERROR,
        Problem.KIOSK_NOT_AUTHORISED,
    )
)
FAMILIES = {"C": "card", "S": "center", "M": "municipality", "P": "payment", "R": "printer",
            "K": "kiosk"}  # fmt: skip


def version() -> str:
    try:
        return metadata.version("konbini-kiosk")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class FlowFacts:
    """What a scrape reads of the resident flow's state (kiosk/flow) at that moment."""

    out_of_service: ServiceStop | None
    staff_session: bool
    center_up: bool
    center_code: str | None = None  # the staff code of why the center cannot serve (S-2xx)


class JournalCollector(Collector):
    """The journal's figures, read at scrape time (kiosk/operations/journal_figures.py)."""

    def __init__(self, path: Path) -> None:
        self.reader = JournalReader(path)

    def collect(self) -> Iterator[Metric]:
        try:
            figures = self.reader.read()
        except sqlite3.Error as exc:
            log.warning("metrics: journal unreadable: %s", exc)
            return
        yield from _journal_metrics(figures)


def _journal_metrics(f: JournalFigures) -> Iterator[Metric]:
    yield _counter("kiosk_issuances", "Certificate data received from the center",
                   f.outcome("issuance", 2))  # fmt: skip
    yield _counter("kiosk_copies_printed", "Copies printed", f.outcome("print", 1))
    money = CounterMetricFamily(
        "kiosk_money_yen", "Money through the acceptor, in yen", labels=["flow"]
    )
    money.add_metric(["in"], f.outcome("money_in", 0))
    money.add_metric(["change"], f.outcome("change", 0))
    money.add_metric(["refunded"], f.outcome("refund", 0))
    money.add_metric(["owed"], f.outcome("staff", 0))
    money.add_metric(["kept"], f.kept_yen)
    money.add_metric(["paid_back"], f.paid_back_yen)
    yield money
    ended = CounterMetricFamily(
        "kiosk_transactions", "Transactions by how they ended", labels=["outcome"]
    )
    for reason, count in sorted(f.ended.items()):
        ended.add_metric([reason], count)
    yield ended
    yield GaugeMetricFamily(
        "kiosk_open_transactions", "Transactions not closed", f.open_transactions
    )
    yield GaugeMetricFamily(
        "kiosk_money_owed_open_yen", "Money owed to residents, not paid back", f.owed_open_yen
    )
    yield GaugeMetricFamily(
        "kiosk_money_owed_open_entries", "Owed entries not paid back", f.owed_open_entries
    )
    if f.owed_oldest is not None:
        yield GaugeMetricFamily(
            "kiosk_money_owed_oldest_timestamp_seconds",
            "When the oldest unpaid owed entry was recorded",
            f.owed_oldest.timestamp(),
        )
    if f.last_closing is not None:
        yield GaugeMetricFamily(
            "kiosk_day_closed_timestamp_seconds", "When a business day was last closed",
            f.last_closing.timestamp(),
        )  # fmt: skip
        yield GaugeMetricFamily(
            "kiosk_money_owed_unpaid_at_closing_yen",
            "Money owed to residents and not paid back when the day was last closed",
            f.unpaid_at_last_closing_yen,
        )


def _counter(name: str, doc: str, value: int) -> CounterMetricFamily:
    return CounterMetricFamily(name, doc, value=value)


class KioskMetrics:
    """The registry of one kiosk process (see the module docstring)."""

    def __init__(
        self,
        journal_path: Path,
        flow: Callable[[], FlowFacts],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        # No "_created" series: a restart is what resets the counters, and Prometheus' rate()
        # handles it; the series would only double the scrape.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry()
        self._flow = flow
        self._clock = clock
        self._started = clock()
        registry = self.registry
        self.problems = Counter(
            "kiosk_problems",
            "Refusals and faults the kiosk showed, by staff code",
            ["code", "family", "kind"],
            registry=registry,
        )
        self.center_seconds = Histogram(
            "kiosk_center_request_duration_seconds",
            "Center calls, from request to answer (client retries included)",
            ["call", "outcome"],
            buckets=CENTER_BUCKETS,
            registry=registry,
        )
        self.device_up = Gauge(
            "kiosk_device_up", "A device answers and can serve (1) or not (0)", ["device"],
            registry=registry,
        )  # fmt: skip
        self.printer_fault = Gauge(
            "kiosk_printer_fault", "The printer's fault now (1 for the one it has)", ["fault"],
            registry=registry,
        )  # fmt: skip
        self.marker = Gauge(
            "kiosk_printer_marker_level_percent",
            "Printer supplies (CUPS marker-levels; negative: unknown)",
            ["marker"],
            registry=registry,
        )
        self.cash = Gauge(
            "kiosk_cash_pieces",
            "Pieces in the cash unit as it counts them",
            ["store", "denomination"],
            registry=registry,
        )
        self.disk_free = Gauge(
            "kiosk_journal_disk_free_bytes", "Free space where the journal is", registry=registry
        )
        self.disk_total = Gauge(
            "kiosk_journal_disk_total_bytes", "Size of the journal's file system", registry=registry
        )
        self.journal_bytes = Gauge(
            "kiosk_journal_bytes", "The journal's files (with the WAL)", registry=registry
        )
        self.polled = Gauge(
            "kiosk_devices_polled_timestamp_seconds", "When the devices were last read",
            registry=registry,
        )  # fmt: skip
        registry.register(JournalCollector(journal_path))
        registry.register(_StateCollector(self))

    # -- what the kiosk observes -----------------------------------------------------------------
    def observe_audit(self, entry: AuditRecord) -> None:
        """A kiosk.audit observer: every fault or refusal shown, by its staff code."""
        if entry.event is not AuditEvent.FAULT:
            return
        code = str(dict(entry.details).get("staff_code", ""))
        if not code:
            return
        family = FAMILIES.get(code[:1], "other")
        kind = "refusal" if family == "municipality" else "fault"
        self.problems.labels(code, family, kind).inc()

    def observe_center(self, call: str, seconds: float, outcome: str) -> None:
        """A center client observer (kiosk.center.transport): one finished call."""
        self.center_seconds.labels(call, outcome).observe(seconds)

    def update_devices(self, status: DeviceStatus) -> None:
        """The device poll's latest reading (kiosk/runtime/monitoring.py)."""
        printer = status.printer
        self.device_up.labels("card_reader").set(int(status.reader.available))
        self.device_up.labels("printer").set(int(printer.ready))
        current = printer.fault.value if printer.fault else "none"
        for fault in ("none", *(f.value for f in PrinterFault)):
            self.printer_fault.labels(fault).set(int(fault == current))
        for marker in printer.markers:
            self.marker.labels(marker.name).set(marker.level)
        cash = status.cash
        if cash is not None:
            self.device_up.labels("cash_unit").set(int(cash.fault is None))
            for store, pieces in (("change", cash.change), ("cash_box", cash.cash_box)):
                for denomination, count in (pieces or {}).items():
                    self.cash.labels(store, str(int(denomination))).set(count)
        unit = status.cash_unit
        if unit is not None:  # a cash unit driven directly: each of its devices
            for name, device in (("bill_validator", unit.bill_validator),
                                 ("coin_acceptor", unit.coin_acceptor)):  # fmt: skip
                self.device_up.labels(name).set(int(device.connected and not device.fault))
            for hopper in unit.hoppers:
                up = hopper.connected and not hopper.fault
                self.device_up.labels(f"hopper_{hopper.coin_yen}").set(int(up))
        disk = status.disk
        self.disk_free.set(disk.free_bytes)
        self.disk_total.set(disk.total_bytes)
        self.journal_bytes.set(disk.journal_bytes)
        self.polled.set(status.at.timestamp())

    def flow_facts(self) -> FlowFacts:
        return self._flow()

    def uptime(self) -> float:
        return self._clock() - self._started

    def serve(self, port: int) -> Any:
        """Serve the registry on 127.0.0.1:``port``; returns the server (``shutdown()``)."""
        server, _thread = start_http_server(port, addr=LOOPBACK, registry=self.registry)
        log.info("metrics on http://%s:%d/metrics", LOOPBACK, port)
        return server


class _StateCollector(Collector):
    """Read at scrape time: the flow's state, uptime, version."""

    def __init__(self, metrics: KioskMetrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        facts = self.metrics.flow_facts()
        stopped = GaugeMetricFamily(
            "kiosk_out_of_service", "Taken out of service by staff, by reason", labels=["reason"]
        )
        for reason in ServiceStop:
            stopped.add_metric([reason.value], int(facts.out_of_service is reason))
        yield stopped
        yield GaugeMetricFamily(
            "kiosk_staff_session_open", "Staff have the kiosk", int(facts.staff_session)
        )
        yield GaugeMetricFamily(
            "kiosk_center_up", "The center can serve residents", int(facts.center_up)
        )
        problem = GaugeMetricFamily(
            "kiosk_center_problem",
            "Why the center cannot serve residents now (1 for its staff code)",
            labels=["code"],
        )
        for code in CENTER_CODES:
            problem.add_metric([code], int(facts.center_code == code))
        yield problem
        yield GaugeMetricFamily(
            "kiosk_uptime_seconds", "Since this kiosk program started", self.metrics.uptime()
        )
        info = GaugeMetricFamily("kiosk_build_info", "The kiosk program", labels=["version"])
        info.add_metric([version()], 1)
        yield info


__all__ = ["FlowFacts", "JournalCollector", "KioskMetrics", "version"]
