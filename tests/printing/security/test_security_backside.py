"""Back-side data: made by the center from a real front, its wire form, malformed input."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from security_helpers import ISSUER, SERIAL, VERIFICATION_CODE

from printing import documents
from printing.security import (
    BACK_SIDE_FORMAT,
    BackSideData,
    BackSideFormatError,
    BackSideGenerationError,
    BackSideKeys,
    SignedCodeError,
    make_back_side,
    verify_signed_code,
)
from printing.security.grid import encode_block_png
from printing.security.keys import Scrambler, document_key
from printing.security.layout import (
    CHECK_PATTERN_BITS,
    LAYOUT_VERSION,
    SUPPORTED_LAYOUT_VERSIONS,
    block_geometry,
    check_pattern,
)
from printing.security.source import source_raster


def test_back_side_restores_the_rendered_front(
    inkan: documents.Rendered, inkan_back: BackSideData, keys: BackSideKeys
) -> None:
    """With the key, the block's data sites unscramble to the front's raster + check pattern."""
    payload = verify_signed_code(
        inkan_back.signed_code, {keys.key_id: keys.signing_key.public_key()}
    )
    assert (payload.serial, payload.issuer) == (SERIAL, ISSUER)
    assert (payload.page_index, payload.page_count) == (0, 1)
    geometry = payload.source
    doc_key = document_key(
        keys.scramble_master_key, issuer=ISSUER, serial=SERIAL, layout_version=LAYOUT_VERSION
    )
    layout = block_geometry()
    scrambler = Scrambler.for_page(doc_key, 0, layout.data_capacity)
    sites = inkan_back.modules().ravel()[layout.data_index]
    bits = scrambler.unscramble_bits(sites, geometry.pixel_count + CHECK_PATTERN_BITS)
    assert np.array_equal(bits[-CHECK_PATTERN_BITS:], check_pattern())
    raster = bits[: geometry.pixel_count].reshape(geometry.height, geometry.width)
    # A certificate is mostly paper: a few percent of ink; the raster is the front's own.
    assert 0.01 < raster.mean() < 0.2
    area = documents.document_layout().content
    area_mm = (area.left_mm, area.top_mm, area.width_mm, area.height_mm)
    assert np.array_equal(raster, source_raster(inkan.pdf, 0, area_mm)[1])
    # The scrambled block, by contrast, is uniform noise.
    assert 0.48 < sites.mean() < 0.52


def test_text_fits_the_code_for_a_short_certificate(inkan_back: BackSideData) -> None:
    from printing.security.signed_code import parse_signed_code

    assert parse_signed_code(inkan_back.signed_code).payload.text is not None


def test_wire_round_trip(juminhyo_backs: tuple[BackSideData, ...]) -> None:
    for back in juminhyo_backs:
        wire = back.to_bytes()
        assert BackSideData.from_bytes(wire) == back
        assert BackSideData.from_dict(json.loads(wire)) == back
        assert json.loads(wire)["format"] == BACK_SIDE_FORMAT
    assert juminhyo_backs[0].modules_png != juminhyo_backs[1].modules_png


def test_repr_hides_the_serial(inkan_back: BackSideData) -> None:
    assert SERIAL not in repr(inkan_back)


def _mutated(back: BackSideData, **changes: Any) -> bytes:
    data = back.to_dict()
    data.update(changes)
    return json.dumps(data).encode()


def _png(image: Image.Image) -> str:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"format": "other"}, "format"),
        ({"layout_version": 99}, "layout version"),
        ({"layout_version": True}, "layout version"),
        ({"serial": "bad serial with spaces"}, "serial"),
        ({"serial": "x" * 40}, "serial"),
        ({"issuer": ""}, "issuer"),
        ({"issuer": "東京都\n練馬区長"}, "issuer"),
        ({"page_index": 5}, "page index"),
        ({"page_index": "0"}, "integer"),
        ({"page_count": 0}, "page index"),
        ({"content_area_mm": [1, 2, 3]}, "content area"),
        ({"content_area_mm": "15,15,180,262"}, "list"),
        ({"content_area_mm": [15, 15, -1, 262]}, "content area"),
        ({"modules_png": "not base64!"}, "base64"),
        ({"modules_png": base64.b64encode(b"GIF89a").decode()}, "PNG"),
        ({"modules_png": _png(Image.new("1", (10, 10)))}, "768"),
        ({"modules_png": _png(Image.new("L", (768, 896)))}, "1-bit"),
        ({"signed_code": base64.b64encode(b"\x00").decode()}, "signed code"),
        ({"extra": 1}, "fields"),
    ],
)
def test_malformed_wire_input_raises_typed_errors(
    inkan_back: BackSideData, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(BackSideFormatError, match=message):
        BackSideData.from_bytes(_mutated(inkan_back, **changes))


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"\xff\xfe", b"null", b"x" * 600_000])
def test_non_json_is_rejected(raw: bytes) -> None:
    with pytest.raises(BackSideFormatError):
        BackSideData.from_bytes(raw)


def test_truncated_png_and_broken_layout_are_rejected(inkan_back: BackSideData) -> None:
    truncated = base64.b64encode(inkan_back.modules_png[:5000]).decode()
    with pytest.raises(BackSideFormatError, match="decoded"):
        BackSideData.from_bytes(_mutated(inkan_back, modules_png=truncated))
    block = inkan_back.modules().copy()
    block[:40, :40] = False  # fiducial wiped
    with pytest.raises(BackSideFormatError, match="fixed modules"):
        replace(inkan_back, modules_png=encode_block_png(block))


def test_signed_code_must_name_the_same_serial_and_page(
    inkan_back: BackSideData, juminhyo_backs: tuple[BackSideData, ...]
) -> None:
    with pytest.raises(BackSideFormatError, match="serial, issuer and page"):
        replace(juminhyo_backs[1], signed_code=juminhyo_backs[0].signed_code)
    with pytest.raises(BackSideFormatError, match="serial, issuer and page"):
        replace(inkan_back, serial="131202-241203-000009-1")


def test_generation_errors_are_typed(inkan: documents.Rendered, keys: BackSideKeys) -> None:
    def make(pdf: bytes = inkan.pdf, page: int = 0, serial: str = SERIAL) -> BackSideData:
        return make_back_side(
            pdf,
            page,
            serial=serial,
            issuer=ISSUER,
            canonical_text="x",
            keys=keys,
            verification_code=VERIFICATION_CODE,
        )

    with pytest.raises(BackSideGenerationError, match="opened"):
        make(pdf=b"%PDF-1.4 garbage")
    with pytest.raises(BackSideGenerationError, match="out of range"):
        make(page=1)
    with pytest.raises(BackSideGenerationError, match="serial"):
        make(serial="")
    with pytest.raises(BackSideGenerationError, match="verification code"):
        make_back_side(inkan.pdf, 0, serial=SERIAL, issuer=ISSUER, canonical_text="x", keys=keys)


def test_same_input_same_back(inkan: documents.Rendered, keys: BackSideKeys) -> None:
    """The back is a function of the front, the keys and the fields (ECDSA aside)."""
    from security_helpers import backs_for

    first, second = backs_for(inkan, keys)[0], backs_for(inkan, keys)[0]
    assert first.modules_png == second.modules_png


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_corruption_of_the_wire_is_a_typed_error(
    inkan_back: BackSideData, data: st.DataObject
) -> None:
    """Truncations, flipped bytes and swapped values: parsed or BackSideFormatError, never
    another exception."""
    wire = bytearray(inkan_back.to_bytes())
    for _ in range(data.draw(st.integers(1, 5))):
        position = data.draw(st.integers(0, len(wire) - 1))
        wire[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        wire = wire[: data.draw(st.integers(0, len(wire)))]
    try:
        parsed = BackSideData.from_bytes(bytes(wire))
    except BackSideFormatError:
        return
    assert parsed.layout_version in SUPPORTED_LAYOUT_VERSIONS  # what survived is a valid back


@settings(max_examples=300, deadline=None)
@given(code=st.binary(max_size=700))
def test_any_bytes_as_a_signed_code_are_a_typed_error(code: bytes) -> None:
    from printing.security.signed_code import parse_signed_code

    with pytest.raises(SignedCodeError):
        parse_signed_code(code)


def test_default_content_area_is_the_documents_content_box(
    inkan: documents.Rendered, keys: BackSideKeys, tmp_path: Path
) -> None:
    """What the simulated center does (no area given): the kiosk's serial and its code then go
    in the margin the documents package keeps free, outside what the scramble holds."""
    import subprocess

    from printing.security import CopyToPrint, compose_job

    back = make_back_side(
        inkan.pdf,
        0,
        serial=SERIAL,
        issuer=ISSUER,
        canonical_text=inkan.canonical_text,
        keys=keys,
        verification_code=VERIFICATION_CODE,
    )
    box = documents.document_layout().content
    assert back.content_area_mm == (box.left_mm, box.top_mm, box.width_mm, box.height_mm)
    pdf = tmp_path / "job.pdf"
    pdf.write_bytes(compose_job([CopyToPrint(inkan.pdf, (back,))]))
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(tmp_path / "front"),
        ],
        check=True,
        timeout=60,
    )
    import zxingcpp

    with Image.open(tmp_path / "front.png") as image:
        codes = [b.text for b in zxingcpp.read_barcodes(image)]
    assert f"KSB-SN:{SERIAL}" in codes
