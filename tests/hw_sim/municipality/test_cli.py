"""The command-line tools, run as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest

from hw_sim.municipality.__main__ import main as municipality_main
from hw_sim.world.__main__ import main as world_main

from .conftest import pdf_text


def test_world_check_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert world_main(["check"]) == 0
    assert "ok: 42 municipalities" in capsys.readouterr().out
    assert world_main(["table"]) == 0
    table = capsys.readouterr().out
    assert "| 131202 | 東京都練馬区 | 住記印税戸附 |" in table
    assert "not participating" in table


def test_offer_and_issue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = str(tmp_path / "state")
    assert municipality_main(["offer", "normal", "--at", "2026-11-26T10:00", "--state", state]) == 0
    out = capsys.readouterr().out
    assert "131202 練馬区" in out
    assert "member m4: 山田　大翔" in out
    pdf = tmp_path / "k.pdf"
    args = ["issue", "honseki", "koseki", "--honseki", "221007", "--at", "2026-11-26T10:00"]
    assert municipality_main([*args, "--state", state, "--out", str(pdf)]) == 0
    assert "静岡県静岡市葵区追手町５番" in pdf_text(pdf.read_bytes())
    assert municipality_main(["offer", "gaiji", "--state", state]) == 0
    assert "characters_not_supported" in capsys.readouterr().out
    assert municipality_main(["offer", "nobody", "--state", state]) == 2
