"""The package's import rules (docs/architecture.md): the core imports no pyscard, and only
cardio/pcsc.py imports it in the whole project."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMPORTS_PYSCARD = re.compile(r"^\s*(from\s+smartcard[\s.]|import\s+smartcard\b)", re.MULTILINE)


def test_core_does_not_load_pyscard() -> None:
    code = (
        "import sys, cardio, cardio.testing, cardio.cli;"
        "print('smartcard' in sys.modules or any(m.startswith('smartcard.') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    # cardio.cli imports cardio.pcsc (it is the PC/SC tool), so check the core without it too.
    core = "import sys, cardio, cardio.testing; print('smartcard' in sys.modules)"
    core_result = subprocess.run(
        [sys.executable, "-c", core], capture_output=True, text=True, check=True
    )
    assert core_result.stdout.strip() == "False"
    assert result.stdout.strip() == "True"  # sanity: the check does see pyscard when loaded


def test_only_the_pcsc_adapter_imports_pyscard() -> None:
    importers = [
        path.relative_to(ROOT).as_posix()
        for folder in ("cardio", "kiosk", "printing", "hw_sim")
        for path in (ROOT / folder).rglob("*.py")
        if IMPORTS_PYSCARD.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert importers == ["cardio/pcsc.py"]
