"""``python -m printing.documents``: the sample renderer developers use to look at pages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "printing.documents", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_renders_samples_with_png(tmp_path: Path) -> None:
    result = _run(str(tmp_path), "--only", "inkan", "koseki_all", "--png", "20")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "inkan.pdf").read_bytes().startswith(b"%PDF-")
    assert (
        (tmp_path / "inkan.txt")
        .read_text(encoding="utf-8")
        .startswith("konbini-certificate-text/1\nkind=inkan\n")
    )
    assert sorted(p.name for p in tmp_path.glob("koseki_all-*.png")) == [
        "koseki_all-1.png",
        "koseki_all-2.png",
    ]
    assert "koseki_all: 2 page(s)" in result.stdout


def test_unknown_sample_is_a_usage_error(tmp_path: Path) -> None:
    result = _run(str(tmp_path), "--only", "nonesuch")
    assert result.returncode == 2
    assert "unknown samples: nonesuch" in result.stderr
    assert not list(tmp_path.iterdir())
