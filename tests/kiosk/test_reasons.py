"""The reason codes' table (kiosk.domain.REASONS): one row per code, and what derives from it."""

from __future__ import annotations

from kiosk import i18n
from kiosk.center import wire
from kiosk.domain import REASONS, ReasonOrigin, RefusalReason, problem_for_refusal
from kiosk.problems import CATALOG, Problem, problem_for_printer_fault
from kiosk.ui.texts import unavailable_reason
from printing.faults import PrinterFault


def test_every_code_has_a_row_and_a_problem_with_a_staff_code() -> None:
    assert set(REASONS) == set(RefusalReason)
    for reason in RefusalReason:
        assert reason.problem in CATALOG
        assert reason.description
        assert problem_for_refusal(reason.value) is reason.problem


def test_the_protocol_views_are_the_table() -> None:
    assert set(wire.REASONS) == {reason.value for reason in RefusalReason}
    assert set(wire.MUNICIPALITY_REASONS) | set(wire.AUTH_REASONS) | set(
        wire.CENTER_REASONS
    ) == set(wire.REASONS)
    assert {"out_of_hours", "weekdays_only", "year_end_closure"} == wire.OUT_OF_HOURS_REASONS
    assert RefusalReason.CERTIFICATE_REVOKED.origin is ReasonOrigin.AUTHENTICATION


def test_an_unknown_code_is_a_refusal_to_ask_at_the_counter() -> None:
    assert problem_for_refusal("a_code_from_a_newer_center") is Problem.REFUSED
    assert problem_for_refusal("") is Problem.REFUSED


def test_menu_texts_for_unavailable_lines() -> None:
    i18n.set_language("en")
    try:
        _check_menu_texts()
    finally:
        i18n.set_language("ja")


def _check_menu_texts() -> None:
    assert unavailable_reason("weekdays_only") == "Only on weekdays when the office is open"
    assert unavailable_reason("resident_not_found") == "Not available now"
    assert unavailable_reason("unheard_of") == "Not available now"
    assert unavailable_reason(None) == "Not available now"


def test_every_printer_fault_maps_to_a_printer_problem() -> None:
    """A new PrinterFault needs its case (mypy), and only PRINTER_ERROR is the generic one."""
    for fault in PrinterFault:
        problem = problem_for_printer_fault(fault)
        assert CATALOG[problem].staff_code.startswith("R-5"), fault
        assert (problem is Problem.PRINTER_ERROR) == (fault is PrinterFault.PRINTER_ERROR)
