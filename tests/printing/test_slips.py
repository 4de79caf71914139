"""The plain slips (printing.slips): A4, every screen language's script, found fonts, wrapping."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from printing.cups import inspect_document
from printing.slips import SlipFontError, SlipText, _break_at, render_slip


def ink_rows(pdf: bytes, tmp_path: Path) -> np.ndarray:
    """Which pixel rows of the page (rendered at 50 dpi) carry ink."""
    (tmp_path / "slip.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-gray", "-png", str(tmp_path / "slip.pdf"), str(tmp_path / "p")],
        check=True,
        timeout=60,
    )
    (page,) = tmp_path.glob("p*.png")
    pixels = np.asarray(Image.open(page).convert("L"))
    return (pixels < 128).any(axis=1)


@pytest.mark.parametrize(
    ("family", "text"),
    [
        ("Noto Sans CJK JP", "申請番号　0120 2526 0415 0007"),
        ("Noto Sans CJK KR", "신청 번호 0120 2526 0415 0007"),
        ("Noto Sans CJK SC", "申请编号 0120 2526 0415 0007"),
        ("Noto Sans CJK TC", "申請編號 0120 2526 0415 0007"),
        ("Noto Sans CJK JP", "Số đơn đăng ký: Tiếng Việt ạ ơ ư đ"),
    ],
)
def test_a_slip_is_an_a4_page_with_the_text(family: str, text: str, tmp_path: Path) -> None:
    pdf = render_slip([SlipText(text, 14, bold=True), SlipText(text, 11)], family=family, title="t")
    assert inspect_document(pdf) == 1  # the certificate queue takes it (A4 portrait)
    rows = ink_rows(pdf, tmp_path)
    assert rows[: len(rows) // 5].any()  # the text, from the top margin down
    assert not rows[len(rows) // 2 :].any()  # and nothing else


def test_long_text_wraps_inside_the_margins(tmp_path: Path) -> None:
    words = "Keep this slip until the registration is complete. " * 12
    pdf = render_slip([SlipText(words, 11)], family="Noto Sans CJK JP", title="t")
    (tmp_path / "slip.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-gray", "-png", str(tmp_path / "slip.pdf"), str(tmp_path / "p")],
        check=True,
        timeout=60,
    )
    (page,) = tmp_path.glob("p*.png")
    pixels = np.asarray(Image.open(page).convert("L"))
    columns = np.flatnonzero((pixels < 128).any(axis=0))
    margin_px = 20 / 25.4 * 50
    assert columns.min() >= margin_px - 2
    assert columns.max() <= pixels.shape[1] - margin_px + 2
    assert (pixels < 128).any(axis=1).sum() > 3 * 11 / 72 * 50  # several lines


def test_lines_break_at_spaces_or_between_cjk_characters() -> None:
    assert _break_at("two words") == 4
    assert _break_at("申請番号です") == 5
    assert _break_at("unbreakable") == len("unbreakable")


def test_a_missing_family_is_a_clear_error() -> None:
    with pytest.raises(SlipFontError, match="Noto Sans CJK XX"):
        render_slip([SlipText("x")], family="Noto Sans CJK XX", title="t")
