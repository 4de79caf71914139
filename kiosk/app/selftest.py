"""``python -m kiosk --profile … --selftest``: is this installation able to run a kiosk?

Checks, without touching any device: the profile is valid (already loaded), the card and print
libraries load (pyscard, pycups), the fonts the printout needs are there (IPAex Mincho, IPAmj
Mincho, IPAex Gothic) and render, the translation catalogs of the profile's languages are
compiled, the kiosk window shows the start screen, the profile's journal is one this release can
read (kiosk/journal/schema.py: read only, never upgraded here — the self test runs before an
update or a rollback switches releases), and with audio guidance on, every language of the
profile can be spoken. Used after installing a kiosk and by the
PyInstaller bundle's test (kiosk.spec). Prints one line per check; exit 0 when all pass.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime

from kiosk.config import KioskConfig

SELFTEST_TIMEOUT_MS = 30_000


def _card_library() -> str:
    from cardio import pcsc  # pyscard's C extension loads here

    return f"pyscard via {pcsc.__name__}"


def _print_library() -> str:
    from printing import cups  # pycups' C extension loads here

    return f"pycups via {cups.__name__}"


def _fonts() -> str:
    from printing.documents.fonts import FALLBACK_FONT, TEXT_FONT, font_path
    from printing.security.fonts import gothic_path

    paths = [font_path(TEXT_FONT), font_path(FALLBACK_FONT), gothic_path()]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise RuntimeError(f"missing: {', '.join(missing)}")
    from kiosk.runtime.ticket import render_ticket

    if not render_ticket(1, 300, datetime.now(UTC)).startswith(b"%PDF-"):
        raise RuntimeError("the reception ticket did not render")
    folders = sorted({str(p.parent) for p in paths})
    return f"{', '.join(p.name for p in paths)} in {', '.join(folders)}"


def _catalogs(config: KioskConfig) -> Callable[[], str]:
    def check() -> str:
        from kiosk import i18n

        missing = [
            code
            for code in config.languages
            if not (i18n.LOCALE_DIR / code / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo").is_file()
        ]
        if missing:
            raise RuntimeError(f"not compiled: {', '.join(missing)} (scripts/i18n compile)")
        if "ja" in config.languages and i18n.translate("Cancel", "ja") == "Cancel":
            raise RuntimeError("the Japanese catalog does not translate")
        return ", ".join(config.languages)

    return check


def _journal(config: KioskConfig) -> Callable[[], str]:
    def check() -> str:
        from kiosk.journal.schema import check_readable

        return check_readable(config.journal_path)  # raises SchemaError

    return check


def _window(config: KioskConfig, size: tuple[int, int]) -> str:
    from kiosk.app.qt import application, exit_when_start_screen_shows
    from kiosk.flow import initial_state
    from kiosk.ui import KioskWindow, StateHolder, ThemeName

    app = application(["kiosk-selftest"])
    holder = StateHolder(initial_state(config.flow_settings("selftest")))
    theme = ThemeName.HIGH_CONTRAST if config.accessibility.high_contrast else ThemeName.STANDARD
    window = KioskWindow(holder, lambda intent: None, theme=theme, size=size)
    window.show()
    lines: list[str] = []
    exit_when_start_screen_shows(window, app, timeout_ms=SELFTEST_TIMEOUT_MS, report=lines.append)
    code = app.exec()
    window.close_source()
    window.close()
    if code != 0:
        raise RuntimeError(lines[-1] if lines else "the window did not come up")
    return f"{lines[-1]} ({app.platformName()}, {size[0]}x{size[1]})"


def _voices(config: KioskConfig) -> Callable[[], str]:
    def check() -> str:
        from kiosk import i18n
        from kiosk.speech import render

        for code in config.languages:
            render(code, i18n.translate("Welcome", code))  # raises SpeechError
        return f"audio guidance speaks {', '.join(config.languages)}"

    return check


def run_selftest(config: KioskConfig, size: tuple[int, int]) -> int:
    checks: list[tuple[str, Callable[[], str]]] = [
        ("card library", _card_library),
        ("print library", _print_library),
        ("print fonts", _fonts),
        ("catalogs", _catalogs(config)),
        ("journal", _journal(config)),
        ("window", lambda: _window(config, size)),
    ]
    if config.accessibility.audio_guidance:
        checks.append(("voices", _voices(config)))
    failed = 0
    print(f"selftest: profile {config.kind.value} ({config.kiosk_id}) valid")
    for name, check in checks:
        try:
            detail = check()
        except Exception as exc:  # report every failing check, not just the first
            failed += 1
            print(f"selftest: {name}: FAILED: {type(exc).__name__}: {exc}")
        else:
            print(f"selftest: {name}: ok ({detail})")
    print("selftest: passed" if not failed else f"selftest: {failed} check(s) failed")
    sys.stdout.flush()
    return 0 if not failed else 1


__all__ = ["run_selftest"]
