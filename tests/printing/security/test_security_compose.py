"""compose_job: page order, determinism, the front kept vector, K-only marks, bad input."""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest
from security_helpers import SERIAL, backs_for

from printing import documents
from printing.documents import samples
from printing.security import (
    BackSideData,
    BackSideKeys,
    ComposeError,
    CopyToPrint,
    PrintCalibration,
    compose_job,
)


def _text(pdf: bytes, page: int, tmp_path: Path) -> str:
    path = tmp_path / "job.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout


def test_pages_go_front_back_per_page_per_copy(
    juminhyo: documents.Rendered,
    juminhyo_backs: tuple[BackSideData, ...],
    keys: BackSideKeys,
    tmp_path: Path,
) -> None:
    second = backs_for(juminhyo, keys, serial="131202-241203-000001-2")
    job = compose_job(
        [CopyToPrint(juminhyo.pdf, juminhyo_backs), CopyToPrint(juminhyo.pdf, second)]
    )
    assert len(pikepdf.open(io.BytesIO(job)).pages) == 8
    expected = [
        ("住民票の写し", "000001-1", "１／２"),
        ("スクランブル画像", "000001-1", "１／２"),
        ("住民票の写し", "000001-1", "２／２"),
        ("スクランブル画像", "000001-1", "２／２"),
        ("住民票の写し", "000001-2", "１／２"),
        ("スクランブル画像", "000001-2", "１／２"),
    ]
    for number, (marker, serial, page) in enumerate(expected, start=1):
        text = re.sub(r"\s", "", _text(job, number, tmp_path))  # titles are letter-spaced
        assert marker in text
        # One number (発行番号 with the copy), one page-count style (the page's own, full-width).
        assert f"発行番号131202-241203-{serial}（{page}）" in text, text
        assert text.count("発行番号131202") == 1
        assert "証明書番号" not in text
        assert not re.search(r"（[0-9]／[0-9]）", text)  # no half-width page count


def test_same_input_gives_the_same_bytes(
    inkan: documents.Rendered, inkan_back: BackSideData, inkan_job: bytes
) -> None:
    assert compose_job([CopyToPrint(inkan.pdf, (inkan_back,))]) == inkan_job


def test_front_stays_vector_with_its_embedded_fonts(inkan_job: bytes, tmp_path: Path) -> None:
    path = tmp_path / "job.pdf"
    path.write_bytes(inkan_job)
    fonts = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    rows = fonts.splitlines()[2:]
    assert any("IPAexMincho" in row for row in rows)  # the certificate's own font
    assert any("IPAexGothic" in row for row in rows)  # our serial and explanation
    for row in rows:
        assert row.split()[-5] == "yes", f"font not embedded: {row}"
    # The certificate text is still text (searchable), not a picture of text.
    assert "印鑑登録証明書" in re.sub(r"\s", "", _text(inkan_job, 1, tmp_path))


def _images(page: pikepdf.Page) -> list[pikepdf.Object]:
    found = []

    def walk(resources: pikepdf.Object) -> None:
        for xobject in resources.get("/XObject", {}).values():
            if xobject.get("/Subtype") == "/Image":
                found.append(xobject)
            elif "/Resources" in xobject:
                walk(xobject.Resources)

    walk(page.resources)
    return found


def test_security_images_are_1bit_stencil_masks(inkan_job: bytes) -> None:
    """No 8-bit or RGB images: module block, QR codes and pantograph are /ImageMask (§3.2)."""
    pdf = pikepdf.open(io.BytesIO(inkan_job))
    front, back = pdf.pages
    for page, at_least in ((front, 2), (back, 3)):  # pantograph + serial QR; + block, code
        images = [image for image in _images(page) if image.get("/ImageMask", False)]
        assert len(images) >= at_least
        for image in images:
            assert image.BitsPerComponent == 1
            assert image.get("/Interpolate") is False
    sizes = {(int(i.Width), int(i.Height)) for i in _images(back)}
    assert (768, 896) in sizes  # the module block, one image pixel per module
    assert (4961, 7016) in sizes  # the page pantograph at 600 dpi


def test_marks_are_drawn_in_k_only(inkan_job: bytes) -> None:
    """Every colour our layer sets is DeviceCMYK; grey or RGB black could print as CMY."""
    pdf = pikepdf.open(io.BytesIO(inkan_job))
    back = pdf.pages[1]
    operators = {str(op) for _, op in pikepdf.parse_content_stream(back)}
    assert not operators & {"g", "G", "rg", "RG"}
    assert "k" in operators  # the reportlab marks and the stencil forms set CMYK


def test_mismatched_copies_are_refused(
    inkan: documents.Rendered,
    inkan_back: BackSideData,
    juminhyo: documents.Rendered,
    juminhyo_backs: tuple[BackSideData, ...],
) -> None:
    with pytest.raises(ComposeError, match="nothing"):
        compose_job([])
    with pytest.raises(ComposeError, match="page"):
        compose_job([CopyToPrint(juminhyo.pdf, juminhyo_backs[:1])])
    with pytest.raises(ComposeError, match="page"):
        compose_job([CopyToPrint(juminhyo.pdf, (juminhyo_backs[1], juminhyo_backs[0]))])
    with pytest.raises(ComposeError, match="opened"):
        compose_job([CopyToPrint(b"not a pdf", (inkan_back,))])
    with pytest.raises(ComposeError, match="back-side data"):
        compose_job([CopyToPrint(inkan.pdf, ())])


def test_front_must_be_a4_portrait(inkan_back: BackSideData) -> None:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=landscape(A4))
    canvas.drawString(100, 100, "landscape")
    canvas.showPage()
    canvas.save()
    with pytest.raises(ComposeError, match="A4 portrait"):
        compose_job([CopyToPrint(out.getvalue(), (inkan_back,))])


def test_calibration_changes_the_pantograph_only(
    inkan: documents.Rendered, inkan_back: BackSideData, inkan_job: bytes
) -> None:
    other = compose_job(
        [CopyToPrint(inkan.pdf, (inkan_back,))],
        PrintCalibration(background_pitch_px=4, word_pitch_px=12),
    )
    assert other != inkan_job
    assert len(pikepdf.open(io.BytesIO(other)).pages) == 2


def test_serial_is_not_in_repr(inkan: documents.Rendered, inkan_back: BackSideData) -> None:
    copy = CopyToPrint(inkan.pdf, (inkan_back,))
    assert SERIAL not in repr(copy)
    assert SERIAL not in repr(replace(copy))
    _ = samples  # the fixtures come from printing.documents.samples


def test_calibration_chart_cli_writes_a_one_page_pdf(tmp_path: Path) -> None:
    import sys

    out = tmp_path / "chart.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "printing.security", "chart", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    pdf = pikepdf.open(out)
    assert len(pdf.pages) == 1
    text = re.sub(r"\s", "", _text(out.read_bytes(), 1, tmp_path))
    assert "bg1/3word3/9px" in text
    assert "latentink" in text


def test_the_back_names_the_verification_service(
    inkan: documents.Rendered, inkan_back: BackSideData, tmp_path: Path
) -> None:
    """Where to verify is the deployment's (the profile's printer.verification_service)."""
    where = "https://verify.konbini-kiosk.example/"
    job = compose_job([CopyToPrint(inkan.pdf, (inkan_back,))], verification=where)
    back = re.sub(r"\s", "", _text(job, 2, tmp_path))
    assert f"検証サービス：{where}" in back
    assert "発行者：" in back  # the line after it still fits the explanation's box
    plain = re.sub(
        r"\s", "", _text(compose_job([CopyToPrint(inkan.pdf, (inkan_back,))]), 2, tmp_path)
    )
    assert "検証サービス：" not in plain
    with pytest.raises(ComposeError, match="one line"):
        compose_job([CopyToPrint(inkan.pdf, (inkan_back,))], verification="x" * 81)


@pytest.mark.parametrize("layout_version", [1, 2])
@pytest.mark.parametrize(
    "where",
    ["東京都練馬区役所戸籍住民課証明書検証窓口" * 4, "https://" + "w" * 72],
    ids=["full-width", "ascii"],
)
def test_the_longest_verification_service_fits_the_back(
    inkan: documents.Rendered,
    keys: BackSideKeys,
    layout_version: int,
    where: str,
    tmp_path: Path,
) -> None:
    """Any line the profile accepts (≤ 80 characters, full-width the widest) fits the back's
    explanation box with the issuer after it, in layout 2's narrower column too (the frame
    raises ComposeError for what it cannot hold)."""
    backs = backs_for(inkan, keys, layout_version=layout_version)
    back = re.sub(
        r"\s",
        "",
        _text(compose_job([CopyToPrint(inkan.pdf, backs)], verification=where), 2, tmp_path),
    )
    assert f"検証サービス：{where}" in back
    assert "発行者：東京都練馬区長" in back
