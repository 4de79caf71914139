"""Printing progress and the done screen count sheets of paper and copies, not page sides
(issue 14: 「2ページ中0ページ印刷済み」 for a single-sheet 住民票)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.flow.state import Done, IssuedDocument, Printing, Transaction
from kiosk.ui.samples import sample
from kiosk.ui.screens.money import DoneScreen, PrintCount, PrintingScreen, print_count
from tests.kiosk.ui.conftest import MakeWindow, settle


def _txn(copies: int, sides_per_copy: int) -> Transaction:
    txn = sample("printing").txn
    assert txn is not None
    assert txn.request is not None
    return replace(
        txn,
        request=replace(txn.request, copies=copies),
        document=IssuedDocument(200 * copies, sides_per_copy, "digest"),
    )


@pytest.mark.parametrize(
    ("copies", "sides_per_copy", "sides_done", "expected"),
    [
        (1, 2, 0, PrintCount(0, 1, 0, 1)),  # one sheet, front and back: nothing out yet
        (1, 2, 1, PrintCount(0, 1, 0, 1)),  # the front only: the sheet is not out
        (1, 2, 2, PrintCount(1, 1, 1, 1)),
        (2, 4, 5, PrintCount(2, 4, 1, 2)),  # 2 sheets a copy: the first copy and half a sheet
        (2, 4, 99, PrintCount(4, 4, 2, 2)),  # never more than the order
        (3, 3, 4, PrintCount(2, 6, 1, 3)),  # an odd number of sides still fills whole sheets
    ],
)
def test_sides_become_sheets_and_copies(
    copies: int, sides_per_copy: int, sides_done: int, expected: PrintCount
) -> None:
    assert print_count(_txn(copies, sides_per_copy), sides_done) == expected


def test_printing_screen_counts_sheets(make_window: MakeWindow) -> None:
    state = sample("printing")
    single = replace(state, screen=Printing(0, 2), txn=_txn(1, 2))
    window, _ = make_window(single)
    view = window.view
    assert isinstance(view, PrintingScreen)
    assert view.pages.text() == "用紙1枚中0枚を印刷しました"
    window.show_state(replace(state, screen=Printing(5, 8), txn=_txn(2, 4)))
    settle(window)
    assert view.pages.text() == "用紙4枚中2枚を印刷しました\n2通中1通が完了"


def test_done_screen_says_how_many_to_take(make_window: MakeWindow) -> None:
    state = sample("done")
    window, _ = make_window(replace(state, screen=Done(), txn=_txn(2, 4)))
    view = window.view
    assert isinstance(view, DoneScreen)
    text = view.certificates.text()
    assert text == "排出口（端末の下部）から、証明書2通（用紙4枚）をお取りください。"
