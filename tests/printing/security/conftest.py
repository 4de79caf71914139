"""Fixtures of the security-printing tests: center keys, real fronts from printing.documents,
their back sides and composed jobs (session-scoped: making them is the slow part)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from security_helpers import backs_for, key, render_600

from printing import documents
from printing.documents import samples
from printing.security import BackSideData, BackSideKeys, CopyToPrint, compose_job


@pytest.fixture(scope="session")
def keys() -> BackSideKeys:
    return BackSideKeys(bytes(range(32)), key(1), b"test-doc-1")


@pytest.fixture(scope="session")
def other_keys() -> BackSideKeys:
    """Another center's keys: a different master key and signing key."""
    return BackSideKeys(bytes(range(100, 132)), key(2), b"test-doc-2")


@pytest.fixture(scope="session")
def inkan() -> documents.Rendered:
    """A one-page certificate (印鑑登録証明書) as the municipality renders it."""
    return documents.render_document(samples.inkan())


@pytest.fixture(scope="session")
def juminhyo() -> documents.Rendered:
    """A two-page 住民票の写し (three residents)."""
    return documents.render_document(samples.juminhyo())


@pytest.fixture(scope="session")
def inkan_back(inkan: documents.Rendered, keys: BackSideKeys) -> BackSideData:
    return backs_for(inkan, keys)[0]


@pytest.fixture(scope="session")
def juminhyo_backs(juminhyo: documents.Rendered, keys: BackSideKeys) -> tuple[BackSideData, ...]:
    return backs_for(juminhyo, keys)


@pytest.fixture(scope="session")
def inkan_job(inkan: documents.Rendered, inkan_back: BackSideData) -> bytes:
    return compose_job([CopyToPrint(inkan.pdf, (inkan_back,))])


@pytest.fixture
def rasterise(tmp_path: Path) -> Callable[..., Path]:
    """pdftoppm (poppler, the real tool) → PNG files; returns the folder's prefix path."""
    counter = iter(range(10**6))

    def run(pdf: bytes, dpi: int, *, gray: bool = True, first: int = 1, last: int = 999) -> Path:
        number = next(counter)
        source = tmp_path / f"job{number}.pdf"
        source.write_bytes(pdf)
        prefix = tmp_path / f"page{number}"
        args = ["pdftoppm", "-r", str(dpi), "-png", "-f", str(first), "-l", str(last)]
        if gray:
            args.append("-gray")
        subprocess.run([*args, str(source), str(prefix)], check=True, timeout=120)
        return prefix

    return run


@pytest.fixture(scope="session")
def inkan_pages(
    inkan_job: bytes, tmp_path_factory: pytest.TempPathFactory
) -> tuple[np.ndarray, np.ndarray]:
    """(front, back) of the one-page 印鑑登録証明書 job at 600 dpi."""
    folder = tmp_path_factory.mktemp("inkan-pages")
    return render_600(inkan_job, 1, folder), render_600(inkan_job, 2, folder)
