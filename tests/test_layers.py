"""The layer contracts of docs/architecture.md, enforced: `lint-imports` (import-linter, the
contracts are in pyproject.toml) and what a pure import of the flow really loads."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_every_layer_contract_is_kept() -> None:
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"
    ]
    assert f"Contracts: {len(contracts)} kept, 0 broken." in result.stdout


def test_importing_the_flow_loads_no_device_or_storage_library() -> None:
    """Not only no import statement: nothing the flow imports loads them at import time."""
    probe = (
        "import sys, kiosk.flow, kiosk.flow.machine\n"
        "names = ('sqlite3', 'babel', 'PySide6', 'requests', 'smartcard', 'cups', 'hw_sim')\n"
        "print(' '.join(n for n in names if n in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == []


def test_the_runtime_loads_no_pyscard_and_no_qt() -> None:
    probe = (
        "import sys, kiosk.runtime\n"
        "names = ('smartcard', 'PySide6', 'cups', 'hw_sim')\n"
        "print(' '.join(n for n in names if n in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == []
