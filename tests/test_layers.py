"""The layer contracts of docs/architecture.md, enforced: `lint-imports` (import-linter, the
contracts are in pyproject.toml) and what a pure import of the flow really loads."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

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


def _callable_defaults(owner: str, function: Any) -> list[str]:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return []
    return [
        f"{owner}({name}={parameter.default!r})"
        for name, parameter in signature.parameters.items()
        if parameter.default is not inspect.Parameter.empty and callable(parameter.default)
    ]


def test_the_runtime_takes_every_implementation_from_the_wiring() -> None:
    """A default that is a callable (a clock, a client class, a connector, a random source) is
    an implementation chosen outside kiosk/app: every runtime constructor and function takes
    its implementations from the wiring, and the wiring's parts name each one explicitly."""
    import kiosk.runtime
    from kiosk.app.wiring import KioskParts

    found: list[str] = []
    for info in pkgutil.walk_packages(kiosk.runtime.__path__, "kiosk.runtime."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if getattr(value, "__module__", None) != module.__name__:
                continue
            if inspect.isclass(value):
                found += _callable_defaults(f"{info.name}.{name}", value.__init__)
                for method_name, method in vars(value).items():
                    if inspect.isfunction(method) and method_name != "__init__":
                        found += _callable_defaults(f"{info.name}.{name}.{method_name}", method)
            elif inspect.isfunction(value):
                found += _callable_defaults(f"{info.name}.{name}", value)
    for part in dataclasses.fields(KioskParts):
        if part.default is not dataclasses.MISSING and callable(part.default):
            found.append(f"KioskParts.{part.name}={part.default!r}")
    assert found == []
    # The rule can fail: a callable default is seen where there is one.
    assert _callable_defaults("probe", lambda clock=time.monotonic: clock) != []
