"""Theme: contrast (WCAG), sizes per screen, font family per language."""

from __future__ import annotations

import pytest

from kiosk.languages import LANGUAGES
from kiosk.ui.theme import (
    HIGH_CONTRAST,
    STANDARD,
    TEXT_PAIRS,
    Metrics,
    Theme,
    contrast_ratio,
    font_family,
)


@pytest.mark.parametrize(("palette", "minimum"), [(STANDARD, 4.5), (HIGH_CONTRAST, 7.0)])
def test_every_text_pair_meets_wcag(palette: object, minimum: float) -> None:
    for foreground, background in TEXT_PAIRS:
        ratio = contrast_ratio(getattr(palette, foreground), getattr(palette, background))
        assert ratio >= minimum, (foreground, background, ratio)


def test_contrast_ratio_reference_values() -> None:
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)


def test_metrics_scale_with_the_screen() -> None:
    assert Metrics.for_size(1280, 800).body == 24
    assert Metrics.for_size(1280, 800).target == 80
    assert Metrics.for_size(1024, 768).body == 19  # 0.8: the floor
    assert Metrics.for_size(1920, 1080).target == 108  # 1.35 (height-bound)
    assert Metrics.for_size(640, 480).scale == 0.8


def test_font_families_are_named_per_language() -> None:
    """The CJK languages' own glyph shapes; the others JP, whose Latin covers them (every
    language's letters: tests/kiosk/test_languages.py)."""
    assert {code: font_family(code) for code in LANGUAGES}.items() >= {
        "ja": "Noto Sans CJK JP",
        "en": "Noto Sans CJK JP",
        "es": "Noto Sans CJK JP",
        "pt": "Noto Sans CJK JP",
        "zh_Hans": "Noto Sans CJK SC",
        "zh_Hant": "Noto Sans CJK TC",
        "ko": "Noto Sans CJK KR",
        "vi": "Noto Sans CJK JP",
    }.items()


def test_style_sheet_names_the_family_and_sizes() -> None:
    sheet = Theme.create("high_contrast", 1280, 800).style_sheet("ko")
    assert 'font-family: "Noto Sans CJK KR"' in sheet
    assert "font-size: 24px" in sheet
    assert HIGH_CONTRAST.selected_text in sheet
