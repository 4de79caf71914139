"""Colours, sizes and fonts of the kiosk screens, and the Qt style sheet made from them.

Sizing rule: everything is specified for the reference screen of 1280×800 and scaled by
``min(width / 1280, height / 800)``, so a layout that fits the reference fits every screen of
the same or a wider shape (1024×768 up to 1920×1080). At the reference size body text is 24 px
and a touch target 80 px (about 15 mm on a 15.6" panel, the common kiosk minimum); the scale
never goes below 0.8 (body 19 px, targets 64 px on a 1024×768 panel, whose pixels are larger).

Colours: dark text on light backgrounds. Every text/background pair of both palettes is checked
against WCAG 2.x contrast (AA 4.5:1 for the standard palette, AAA 7:1 for the high-contrast
one of the city-hall accessibility profile); see :func:`contrast_ratio` and the tests.

Fonts: Noto Sans CJK (Debian fonts-noto-cjk) in the family that matches the language, so that
glyph shapes are right (real-stack.md): each language's row in kiosk.languages names it (JP for
Japanese and the Latin-script languages, SC, TC, KR). The family is always named.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.languages import DEFAULT_LANGUAGE
from kiosk.languages import language as language_row

REFERENCE_WIDTH = 1280
REFERENCE_HEIGHT = 800
MIN_SCALE = 0.8
MAX_SCALE = 2.0


def font_family(language: str) -> str:
    """The Noto Sans CJK family for ``language`` (kiosk.languages; JP for unknown codes)."""
    try:
        return language_row(language).font_family
    except ValueError:
        return language_row(DEFAULT_LANGUAGE).font_family


# Digits of amounts and masked entries: the same family (tabular figures in Noto CJK).


class ThemeName(StrEnum):
    STANDARD = "standard"
    HIGH_CONTRAST = "high_contrast"  # city-hall accessibility profile


@dataclass(frozen=True)
class Palette:
    """Named colours (#RRGGBB). ``*_text`` colours are meant for the matching background."""

    background: str  # window
    surface: str  # panels, cards, keys
    text: str
    muted_text: str  # secondary text on background and surface
    border: str
    primary: str  # the main action
    primary_text: str
    choice: str  # unselected choice / key
    choice_text: str
    selected: str  # chosen option
    selected_text: str
    warning: str  # warning panel background (one try left, My Number)
    warning_text: str
    danger: str  # fault title band
    danger_text: str
    disabled: str
    disabled_text: str
    scrim: str  # behind overlays (#AARRGGBB)
    header: str
    header_text: str


STANDARD = Palette(
    background="#F3F5F7",
    surface="#FFFFFF",
    text="#1A1A1A",
    muted_text="#454B54",
    border="#8A939E",
    primary="#0B5CAD",
    primary_text="#FFFFFF",
    choice="#FFFFFF",
    choice_text="#10233A",
    selected="#0B5CAD",
    selected_text="#FFFFFF",
    warning="#FFF1C2",
    warning_text="#3D2B00",
    danger="#A61B1B",
    danger_text="#FFFFFF",
    disabled="#E1E4E8",
    disabled_text="#4A4F57",
    scrim="#B0202830",
    header="#0B3D6E",
    header_text="#FFFFFF",
)

HIGH_CONTRAST = Palette(
    background="#FFFFFF",
    surface="#FFFFFF",
    text="#000000",
    muted_text="#1F1F1F",
    border="#000000",
    primary="#000000",
    primary_text="#FFFFFF",
    choice="#FFFFFF",
    choice_text="#000000",
    selected="#000000",
    selected_text="#FFFF00",
    warning="#FFFF00",
    warning_text="#000000",
    danger="#000000",
    danger_text="#FFFFFF",
    disabled="#FFFFFF",
    disabled_text="#3A3A3A",
    scrim="#E0000000",
    header="#000000",
    header_text="#FFFFFF",
)

PALETTES: dict[ThemeName, Palette] = {
    ThemeName.STANDARD: STANDARD,
    ThemeName.HIGH_CONTRAST: HIGH_CONTRAST,
}

# (foreground, background) pairs that carry text, for the contrast check.
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    ("text", "background"),
    ("text", "surface"),
    ("muted_text", "background"),
    ("muted_text", "surface"),
    ("primary_text", "primary"),
    ("choice_text", "choice"),
    ("selected_text", "selected"),
    ("warning_text", "warning"),
    ("danger_text", "danger"),
    ("disabled_text", "disabled"),
    ("header_text", "header"),
)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of ``#RRGGBB``."""
    value = colour.lstrip("#")[-6:]
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.x contrast ratio (1–21)."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class Metrics:
    """Pixel sizes for one screen size (see the module docstring)."""

    scale: float

    @classmethod
    def for_size(cls, width: int, height: int) -> Metrics:
        raw = min(width / REFERENCE_WIDTH, height / REFERENCE_HEIGHT)
        return cls(max(MIN_SCALE, min(MAX_SCALE, raw)))

    def px(self, reference_px: float) -> int:
        return max(1, round(reference_px * self.scale))

    @property
    def body(self) -> int:
        return self.px(24)

    @property
    def large(self) -> int:
        return self.px(30)

    @property
    def title(self) -> int:
        return self.px(34)

    @property
    def figure(self) -> int:  # amounts, masked PIN
        return self.px(44)

    @property
    def small(self) -> int:  # staff codes, hints: still readable at arm's length
        return self.px(20)

    @property
    def target(self) -> int:  # minimum touch target (height of a button, side of a key)
        return self.px(80)

    @property
    def key(self) -> int:  # keys of the kana keyboard (a dense grid, still ≥ 12 mm)
        return self.px(64)

    @property
    def gap(self) -> int:
        return self.px(12)

    @property
    def margin(self) -> int:
        return self.px(24)

    @property
    def radius(self) -> int:
        return self.px(10)

    @property
    def border(self) -> int:
        return max(2, self.px(2))


@dataclass(frozen=True)
class Theme:
    """A palette and the metrics for one screen size."""

    palette: Palette
    metrics: Metrics
    name: ThemeName = ThemeName.STANDARD

    @classmethod
    def create(
        cls, name: ThemeName | str = ThemeName.STANDARD, width: int = 1280, height: int = 800
    ) -> Theme:
        theme_name = ThemeName(name)
        return cls(PALETTES[theme_name], Metrics.for_size(width, height), theme_name)

    def resized(self, width: int, height: int) -> Theme:
        return Theme(self.palette, Metrics.for_size(width, height), self.name)

    def style_sheet(self, language: str) -> str:
        """The application style sheet for this theme in ``language``'s font family."""
        p, m = self.palette, self.metrics
        family = font_family(language)
        return _STYLE.format(
            p=p,
            family=family,
            body=m.body,
            large=m.large,
            title=m.title,
            figure=m.figure,
            small=m.small,
            radius=m.radius,
            border=m.border,
            pad=m.px(14),
            pad_small=m.px(8),
            focus=3 * m.border,  # the keypad's focus ring: seen from arm's length
        )


# Roles are set as the dynamic property "role" on widgets (kiosk.ui.widgets). Button text is a
# word-wrapped QLabel inside the button; its colour follows the button's "tone" property.
_STYLE = """
* {{ font-family: "{family}"; font-size: {body}px; color: {p.text}; }}
QWidget#KioskWindow, QWidget#ScreenBody {{ background: {p.background}; }}
QWidget#StaffConsole {{ background: {p.background}; border-bottom: {border}px solid {p.text}; }}
QWidget[role="header"] {{ background: {p.header}; }}
QLabel[role="header-title"] {{ color: {p.header_text}; font-size: {large}px; font-weight: bold; }}
QLabel[role="header-title-small"] {{
    color: {p.header_text}; font-size: {body}px; font-weight: bold; }}
QLabel[role="title"] {{ font-size: {title}px; font-weight: bold; }}
QLabel[role="lead"] {{ font-size: {large}px; }}
QLabel[role="body"] {{ font-size: {body}px; }}
QLabel[role="muted"] {{ font-size: {body}px; color: {p.muted_text}; }}
QLabel[role="small"] {{ font-size: {small}px; color: {p.muted_text}; }}
QLabel[role="figure"] {{ font-size: {figure}px; font-weight: bold; }}
QLabel[role="figure-label"] {{ font-size: {large}px; color: {p.muted_text}; }}
QLabel[role="staff"] {{ font-size: {small}px; color: {p.muted_text}; }}
QLabel[role="field-label"] {{ font-size: {body}px; font-weight: bold; }}
QLabel[role="field"] {{ background: {p.surface}; border: {border}px solid {p.border};
    border-radius: {radius}px; padding: {pad_small}px; font-size: {body}px; }}
QLabel[role="field"][invalid="true"] {{ border: {border}px solid {p.danger}; }}
QFrame[role="panel"] {{ background: {p.surface}; border: {border}px solid {p.border};
    border-radius: {radius}px; }}
QFrame[role="warning"] {{ background: {p.warning}; border: {border}px solid {p.warning_text};
    border-radius: {radius}px; }}
QFrame[role="warning"] QLabel {{ color: {p.warning_text}; }}
QFrame[role="fault-band"] {{ background: {p.danger}; border-radius: {radius}px; }}
QFrame[role="fault-band"] QLabel {{ color: {p.danger_text}; }}
QWidget[role="scrim"] {{ background: {p.scrim}; }}
QFrame[role="dialog"] {{ background: {p.surface}; border: {border}px solid {p.text};
    border-radius: {radius}px; }}
QPushButton {{ border-radius: {radius}px; border: {border}px solid {p.border};
    background: {p.choice}; padding: {pad_small}px; }}
QPushButton[role="primary"] {{ background: {p.primary}; border-color: {p.primary}; }}
QPushButton[role="header"] {{ background: {p.surface}; border-color: {p.header_text}; }}
QPushButton[tone="selected"] {{ background: {p.selected}; border-color: {p.selected}; }}
QPushButton:disabled {{ background: {p.disabled}; border: {border}px dashed {p.border}; }}
QPushButton:pressed {{ border: {border}px solid {p.text}; }}
QPushButton[keypad_focus="true"] {{ background: {p.warning}; border: {focus}px solid {p.text}; }}
QPushButton[keypad_focus="true"] QLabel {{ color: {p.warning_text}; font-weight: bold; }}
QLabel[tone="choice"] {{ color: {p.choice_text}; }}
QLabel[tone="primary"] {{ color: {p.primary_text}; font-weight: bold; }}
QLabel[tone="selected"] {{ color: {p.selected_text}; font-weight: bold; }}
QPushButton QLabel:disabled {{ color: {p.disabled_text}; font-weight: normal; }}
QLabel[tone="header"] {{ color: {p.choice_text}; }}
QLabel[keycap="true"] {{ font-size: {large}px; }}
QProgressBar {{ border: {border}px solid {p.border}; border-radius: {radius}px;
    background: {p.surface}; text-align: center; }}
QProgressBar::chunk {{ background: {p.primary}; }}
"""
