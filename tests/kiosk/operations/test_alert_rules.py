"""monitoring/alerts.yml against Prometheus's own checker and against what a kiosk really
exposes: the rules parse and pass their unit tests (`promtool`, installed by scripts/setup), a
real scrape passes `promtool check metrics`, and every kiosk series a rule or its test names is
one the endpoint serves, with labels it serves — a renamed metric breaks this test, not a
region's alerting."""

from __future__ import annotations

import re
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from kiosk.journal import ClosingRecorded, ClosingStep
from kiosk.operations.metrics import CENTER_CODES, FlowFacts, KioskMetrics
from kiosk.problems import ServiceStop
from tests.kiosk.operations.conftest import DAY, Day, printer_out_of_paper

MONITORING = Path(__file__).resolve().parents[3] / "monitoring"
RULES = MONITORING / "alerts.yml"
RULE_TESTS = MONITORING / "alerts_test.yml"
KIOSK_SERIES = re.compile(r"\b(kiosk_[a-z_]+)(\{[^}]*\})?")
LABEL = re.compile(r'([a-z_]+)\s*=~?\s*"([^"]*)"')
# Put on every series by the region's Prometheus (scrape config and target labels), not by the
# kiosk (docs/operations.md, "Scraping").
TARGET_LABELS = {"instance", "job", "region", "store", "kiosk"}


def promtool(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run promtool (Debian package prometheus, installed by scripts/setup)."""
    binary = shutil.which("promtool")
    assert binary, "promtool is missing: run scripts/setup (Debian package prometheus)"
    return subprocess.run(
        [binary, *args], input=stdin, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def scrape_text(day: Day) -> str:
    """What a kiosk with a few transactions, a closed day and a device poll serves."""
    day.printed("t1", copies=2)
    day.refund_owed("t2")
    day.journal.write(ClosingRecorded(DAY, ClosingStep.DONE, "1001"))  # the unpaid series
    metrics = KioskMetrics(day.journal.path, lambda: FlowFacts(ServiceStop.PRINTER, True, False))
    metrics.observe_center("issuance", 0.8, "ok")
    metrics.update_devices(printer_out_of_paper())
    server = metrics.serve(0)
    try:
        host, port = server.server_address[:2]
        with urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=10) as answer:
            return str(answer.read().decode())
    finally:
        server.shutdown()
        server.server_close()


def test_the_rules_pass_promtool() -> None:
    checked = promtool("check", "rules", str(RULES))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 6 rules found" in checked.stdout
    tested = promtool("test", "rules", str(RULE_TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


def test_a_rule_test_can_fail(tmp_path: Path) -> None:
    """The unit tests would notice a rule that no longer fires: the same tests against rules
    whose out-of-paper delay is changed fail."""
    (tmp_path / "alerts.yml").write_text(RULES.read_text().replace("for: 10m", "for: 20m"))
    (tmp_path / "alerts_test.yml").write_text(RULE_TESTS.read_text())
    tested = promtool("test", "rules", str(tmp_path / "alerts_test.yml"))
    assert tested.returncode != 0
    assert "KioskPrinterOutOfPaper" in tested.stdout + tested.stderr


def test_a_real_scrape_passes_promtool(scrape_text: str) -> None:
    checked = promtool("check", "metrics", stdin=scrape_text)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip() == ""  # not even a lint warning


def served_labels(scrape_text: str) -> dict[str, dict[str, set[str]]]:
    """Each sample name served, with the values each of its labels takes."""
    served: dict[str, dict[str, set[str]]] = {}
    for family in text_string_to_metric_families(scrape_text):
        for sample in family.samples:
            labels = served.setdefault(sample.name, {})
            for key, value in sample.labels.items():
                labels.setdefault(key, set()).add(value)
    return served


def named_series() -> list[tuple[str, str, str]]:
    """(where, metric, label matchers) for every kiosk series in the rules and their tests."""
    found = []
    for rule in yaml.safe_load(RULES.read_text())["groups"][0]["rules"]:
        for match in KIOSK_SERIES.finditer(rule["expr"]):
            found.append((rule["alert"], match.group(1), match.group(2) or ""))
    for test in yaml.safe_load(RULE_TESTS.read_text())["tests"]:
        for series in test["input_series"]:
            for match in KIOSK_SERIES.finditer(series["series"]):
                found.append((test["name"], match.group(1), match.group(2) or ""))
    return found


def test_every_series_the_rules_name_is_served(scrape_text: str) -> None:
    served = served_labels(scrape_text)
    series = named_series()
    assert {metric for _where, metric, _labels in series} >= {
        "kiosk_printer_fault",
        "kiosk_money_owed_unpaid_at_closing_yen",
        "kiosk_center_problem",
        "kiosk_journal_disk_free_bytes",
        "kiosk_journal_disk_total_bytes",
    }
    for where, metric, matchers in series:
        assert metric in served, f"{where}: {metric} is not on the endpoint"
        for key, pattern in LABEL.findall(matchers):
            if key in TARGET_LABELS:
                continue
            assert key in served[metric], f"{where}: {metric} has no label {key}"
            for value in pattern.split("|"):
                assert value in served[metric][key], f"{where}: {metric}{{{key}={value!r}}}"


def test_the_center_problem_codes_are_served(scrape_text: str) -> None:
    codes = served_labels(scrape_text)["kiosk_center_problem"]["code"]
    assert codes == set(CENTER_CODES)
    assert {"S-201", "S-202", "S-205"} <= codes  # the alert's unreachable codes
