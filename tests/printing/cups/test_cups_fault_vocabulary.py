"""printer-state-reasons → kiosk faults (pure, no daemon): RFC 8011 suffixes, CUPS habits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printing.faults import (
    PrinterFault,
    classify_reasons,
    fault_of_reason,
    notices_of_reasons,
    split_reason,
)


@pytest.mark.parametrize(
    ("reason", "fault"),
    [
        ("media-empty-error", PrinterFault.OUT_OF_PAPER),
        ("media-empty-warning", PrinterFault.OUT_OF_PAPER),  # CUPS relaying an IPP printer
        ("media-empty", PrinterFault.OUT_OF_PAPER),  # no suffix: an error (RFC 8011)
        ("media-empty-report", None),  # information only
        ("media-needed-error", PrinterFault.OUT_OF_PAPER),
        ("media-jam-error", PrinterFault.JAM),
        ("media-jam-warning", PrinterFault.JAM),
        ("door-open-error", PrinterFault.DOOR_OPEN),
        ("cover-open-warning", PrinterFault.DOOR_OPEN),
        ("interlock-open-error", PrinterFault.DOOR_OPEN),
        ("toner-empty-error", PrinterFault.TONER_EMPTY),
        ("marker-supply-empty-warning", PrinterFault.TONER_EMPTY),
        ("marker-waste-full-error", PrinterFault.TONER_EMPTY),
        ("offline-report", PrinterFault.OFFLINE),  # CUPS backends retrying an absent printer
        ("offline-error", PrinterFault.OFFLINE),
        ("shutdown", PrinterFault.OFFLINE),
        ("other-error", PrinterFault.PRINTER_ERROR),
        ("com.example-fuser-error", PrinterFault.PRINTER_ERROR),
        ("media-low-warning", None),
        ("toner-low-report", None),
        ("marker-supply-low-warning", None),
        ("connecting-to-device", None),  # CUPS, bare but informational
        ("cups-waiting-for-job-completed", None),
        ("cups-missing-filter-warning", None),
        ("paused", None),  # a stopped queue is reported from printer-state
        ("none", None),
        ("something-new", None),  # unknown bare keyword: not a fault (logged)
        ("MEDIA-EMPTY-ERROR ", PrinterFault.OUT_OF_PAPER),
        ("", None),
    ],
)
def test_each_reason_maps_to_its_fault(reason: str, fault: PrinterFault | None) -> None:
    assert fault_of_reason(reason) is fault


def test_suffixes_split_off_and_a_bare_keyword_is_an_error() -> None:
    assert split_reason("media-jam-warning") == ("media-jam", "warning")
    assert split_reason("offline-report") == ("offline", "report")
    assert split_reason("media-empty") == ("media-empty", "error")


def test_the_most_urgent_fault_wins() -> None:
    assert classify_reasons(["media-empty-error", "media-jam-error"]) is PrinterFault.JAM
    assert classify_reasons(["toner-empty-error", "door-open-error"]) is PrinterFault.DOOR_OPEN
    assert classify_reasons(["other-error", "media-empty-warning"]) is PrinterFault.OUT_OF_PAPER
    assert classify_reasons(["offline-report", "media-jam-error"]) is PrinterFault.OFFLINE
    assert classify_reasons(["media-low-warning", "connecting-to-device"]) is None
    assert classify_reasons([]) is None


def test_non_blocking_conditions_are_notices_for_staff() -> None:
    reasons = ["media-low-warning", "toner-low-report", "media-empty-error", "cups-x-warning"]
    assert notices_of_reasons(reasons) == ("media-low-warning", "toner-low-report")


@given(st.lists(st.text(max_size=40), max_size=8))
def test_any_reason_list_classifies_without_crashing(reasons: list[str]) -> None:
    result = classify_reasons(reasons)
    assert result is None or isinstance(result, PrinterFault)
    assert isinstance(notices_of_reasons(reasons), tuple)
