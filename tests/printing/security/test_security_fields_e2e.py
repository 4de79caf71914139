"""Layout v2 end to end: composed job → 600-dpi render (pdftoppm) → simulated office print and
scan → verify, field by field. A changed, swapped, added or removed digit and a substituted
kanji are named with what the scan shows and what was signed; a genuine front passes, upside
down too, and without the master key; a 150-dpi front is sent back for a rescan; a front of
another certificate, a damaged code, a code forged with an unknown key are never verified; and
a layout-v1 back still verifies."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import cbor2
import numpy as np
import pytest
from cryptography.hazmat.primitives import serialization
from security_helpers import (
    OFFICE_SCAN,
    SERIAL,
    VERIFICATION_CODE,
    backs_for,
    front_scan_of,
    key,
    render_600,
)

from printing import documents
from printing.documents import samples
from printing.documents.tax import IncomeLine
from printing.security import BackSideData, BackSideKeys, CopyToPrint, compose_job
from printing.security.channel import ChannelParams, simulate
from printing.security.layout import BAND_TOP_PX, QR_BOX_PX, code_boxes
from printing.security.signed_code import parse_signed_code
from printing.verify import Outcome, TrustStore, Verdict, load_scan, verify_back, verify_front
from printing.verify.report import summary

OFFICE = replace(OFFICE_SCAN, seed=21)
FRONT_SCAN = front_scan_of(OFFICE)


def trust(keys: BackSideKeys, *, master: bool = True) -> TrustStore:
    return TrustStore(
        keys.scramble_master_key if master else None, {keys.key_id: keys.signing_key.public_key()}
    )


def scan(render: np.ndarray, params: ChannelParams = OFFICE):
    return load_scan(simulate(render, params))[0]


class Certificate:
    """A certificate's genuine back (scanned once) and fronts printed from any document."""

    def __init__(self, document: documents.Document, keys: BackSideKeys, folder: Path) -> None:
        self.rendered = documents.render_document(document)
        self.keys = keys
        self.backs = backs_for(self.rendered, keys)
        self.folder = folder
        job = compose_job([CopyToPrint(self.rendered.pdf, self.backs)])
        self.back_render = render_600(job, 2, folder)
        self.front_render = render_600(job, 1, folder)
        self.back = scan(self.back_render)
        self.verdict = verify_back(self.back, trust(keys))
        assert self.verdict.outcome is Outcome.VERIFIED, self.verdict.detail

    def forged_front(self, document: documents.Document) -> np.ndarray:
        """``document`` printed as this certificate's front (its serial, code, background): a
        forger who changed a value and reprinted the page on a perfect background."""
        forged = documents.render_document(document)
        assert forged.page_count == self.rendered.page_count
        return render_600(compose_job([CopyToPrint(forged.pdf, self.backs)]), 1, self.folder)

    def check(self, front: np.ndarray, params: ChannelParams = FRONT_SCAN) -> Verdict:
        return verify_front(self.verdict, self.back, scan(front, params))


@pytest.fixture(scope="module")
def keys() -> BackSideKeys:
    return BackSideKeys(bytes(range(32)), key(1), b"test-doc-1")


@pytest.fixture(scope="module")
def inkan(keys: BackSideKeys, tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return Certificate(samples.inkan(), keys, tmp_path_factory.mktemp("inkan"))


@pytest.fixture(scope="module")
def income(keys: BackSideKeys, tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return Certificate(samples.income_tax(), keys, tmp_path_factory.mktemp("income"))


def differing(verdict: Verdict) -> dict[str, tuple[str, str]]:
    assert verdict.fields is not None
    return {f.key: (f.printed, f.signed) for f in verdict.fields.differing}


def test_genuine_front_verifies_field_by_field(inkan: Certificate) -> None:
    verdict = inkan.check(inkan.front_render)
    assert verdict.outcome is Outcome.VERIFIED, verdict.to_record().get("front")
    assert verdict.fields is not None
    assert verdict.fields.characters_checked > 100
    assert verdict.front_serial == SERIAL
    record = verdict.to_record()
    fields = {f["field"]: f["value"] for f in record["document"]["signed_fields"]}
    assert fields["birth_date"] == "平成元年１月８日生"


def test_a_changed_digit_is_named_with_what_was_read(inkan: Certificate) -> None:
    """平成元年１月８日生 → １月９日生: the digit is read as 9, the signed value says 8."""
    forged = inkan.forged_front(replace(samples.inkan(), birth_date=date(1989, 1, 9)))
    verdict = inkan.check(forged)
    assert verdict.outcome is Outcome.FIELDS_DIFFER, verdict.to_record().get("front")
    assert differing(verdict) == {"birth_date": ("平成元年１月９日生", "平成元年１月８日生")}
    assert "生年月日" in verdict.message_ja


@pytest.mark.parametrize(
    ("revenue", "printed"),
    [
        (2_600_000, "2,600,000円"),  # two digits swapped
        (16_200_000, "〓6,200,000円"),  # a digit added in front (right-aligned: the rest stays)
        (620_000, None),  # a digit removed
    ],
    ids=["swapped", "added", "removed"],
)
def test_amount_edits_are_named(income: Certificate, revenue: int, printed: str | None) -> None:
    document = samples.income_tax()
    lines = (IncomeLine("給与", 4_360_000, revenue), *document.income[1:])
    verdict = income.check(income.forged_front(replace(document, income=lines)))
    assert verdict.outcome is Outcome.FIELDS_DIFFER, verdict.to_record().get("front")
    found = differing(verdict)
    assert "income[0].revenue" in found, found
    read, signed = found["income[0].revenue"]
    assert signed == "6,200,000円"
    if printed is not None:
        assert read == printed


def test_a_substituted_kanji_is_named_with_the_character_printed(inkan: Certificate) -> None:
    """東京都 → 束京都: 束 is read among the font's characters (glyphread.py), not only judged
    "not 東"."""
    forged = inkan.forged_front(replace(samples.inkan(), address="束" + samples.ADDRESS[1:]))
    verdict = inkan.check(forged)
    assert verdict.outcome is Outcome.FIELDS_DIFFER, verdict.to_record().get("front")
    assert differing(verdict) == {"address": ("束" + samples.ADDRESS[1:], samples.ADDRESS)}
    assert "住所〔address〕：表面「束」、署名「東」" in verdict.message_ja
    assert "printed “束”, signed “東”" in verdict.message_en


def test_upside_down_front_verifies_and_a_forged_one_does_not(inkan: Certificate) -> None:
    upside_down = replace(FRONT_SCAN, rotation_deg=179.2)
    verdict = inkan.check(inkan.front_render, upside_down)
    assert verdict.outcome is Outcome.VERIFIED, verdict.to_record().get("front")
    assert verdict.fields is not None
    assert verdict.fields.rotated
    forged = inkan.forged_front(replace(samples.inkan(), birth_date=date(1989, 1, 9)))
    assert inkan.check(forged, upside_down).outcome is Outcome.FIELDS_DIFFER


def test_a_150_dpi_front_is_sent_back_for_a_rescan(inkan: Certificate) -> None:
    verdict = inkan.check(inkan.front_render, replace(FRONT_SCAN, scan_dpi=150))
    assert verdict.outcome is Outcome.FRONT_RESCAN, verdict.detail
    assert "300dpi" in verdict.message_ja
    assert "300 dpi" in verdict.message_en


# A phone's photo of the front (the camera envelope of channel.py at its edges): 4° turned, the
# page's corners up to 1.2 % of its size out of a rectangle, vignetting, motion blur.
PHOTO = replace(
    FRONT_SCAN,
    camera=True,
    scan_dpi=290,
    rotation_deg=4.0,
    scale=1.0,
    perspective=(0.012, 0.012, -0.012, 0.012, 0.0, 0.0, 0.0, 0.0),  # tilted back: keystone
    vignetting=0.15,
    motion_blur_px=1.0,
    noise_sigma=4,
    jpeg_quality=85,
)


def test_a_photographed_front_verifies_and_a_forged_one_is_named(inkan: Certificate) -> None:
    """The page map follows the photo's perspective (a similarity left every field at the far
    side of the page flagged)."""
    verdict = inkan.check(inkan.front_render, PHOTO)
    assert verdict.outcome is Outcome.VERIFIED, verdict.to_record().get("front")
    assert verdict.fields is not None
    assert verdict.fields.page_to_scan is not None
    assert np.any(verdict.fields.page_to_scan[2, :2]), "not mapped in perspective"
    forged = inkan.forged_front(replace(samples.inkan(), birth_date=date(1989, 1, 9)))
    verdict = inkan.check(forged, PHOTO)
    assert verdict.outcome is Outcome.FIELDS_DIFFER, verdict.to_record().get("front")
    assert "birth_date" in differing(verdict)


def test_a_front_too_distorted_to_judge_is_sent_back_not_listed(inkan: Certificate) -> None:
    """A crumpled sheet (a 2.5-mm warp every 60 mm, which no page map follows): most fields
    differ at once — a bad capture, not a forgery: "rescan it flat", never a list of fields."""
    crumpled = replace(FRONT_SCAN, warp_mm=2.5, warp_period_mm=60)
    verdict = inkan.check(inkan.front_render, crumpled)
    assert verdict.outcome is Outcome.FRONT_RECAPTURE, verdict.to_record().get("front")
    assert "平らに" in verdict.message_ja
    assert "300dpi" in verdict.message_ja
    assert "Rescan it flat at 300 dpi" in verdict.message_en
    assert "生年月日" not in verdict.message_ja
    record = verdict.to_record()
    assert not record["verified"]
    assert record["front"]["recapture"]
    text = summary(verdict)
    assert "rescan the front" in text
    assert "≠" not in text  # no field listed


def test_a_front_of_another_certificate_is_not_verified(
    inkan: Certificate, keys: BackSideKeys, tmp_path: Path
) -> None:
    other_person = replace(
        samples.inkan(), birth_date=date(1970, 5, 1), address="東京都練馬区光が丘一丁目１番１号"
    )
    rendered = documents.render_document(other_person)
    other_backs = backs_for(rendered, keys, serial="131202-241203-000777-1")
    other_front = render_600(compose_job([CopyToPrint(rendered.pdf, other_backs)]), 1, tmp_path)
    assert inkan.check(other_front).outcome is Outcome.SERIAL_MISMATCH
    # Its serial code cut off: the printed facts still differ.
    h, w = other_front.shape
    cut = other_front.copy()
    cut[int(h * 0.9) :, : int(w * 0.2)] = 255
    assert inkan.check(cut).outcome in (Outcome.FIELDS_DIFFER, Outcome.FRONT_MISMATCH)


def test_a_relying_party_without_the_master_key(inkan: Certificate) -> None:
    verdict = verify_back(inkan.back, trust(inkan.keys, master=False))
    assert verdict.outcome is Outcome.VERIFIED
    assert verdict.restored is None
    assert "スクランブル画像は検証していません" in verdict.message_ja
    forged = inkan.forged_front(replace(samples.inkan(), birth_date=date(1989, 1, 9)))
    checked = verify_front(verdict, inkan.back, scan(forged, FRONT_SCAN))
    assert checked.outcome is Outcome.FIELDS_DIFFER


def test_a_damaged_code_never_verifies(inkan: Certificate) -> None:
    """One of the two codes scratched out: the facts cannot be checked, whatever the front."""
    damaged = inkan.back_render.copy()
    left = code_boxes(2)[0].left_px
    damaged[BAND_TOP_PX + 120 : BAND_TOP_PX + QR_BOX_PX - 120, left + 150 : left + 500] = 255
    verdict = verify_back(scan(damaged), trust(inkan.keys), scan(inkan.front_render, FRONT_SCAN))
    assert verdict.outcome is Outcome.CODE_UNREADABLE, verdict.detail
    assert "署名された内容を確認できません" in verdict.message_ja


def _forged_code(back: BackSideData, key_id: bytes, signer: BackSideKeys) -> bytes:
    """The genuine payload signed again by a forger's key, under ``key_id``."""
    from printing.security.signed_code import _cose

    _, _, body, _ = cbor2.loads(back.signed_code).value
    return _cose(cbor2.loads(body), signer.signing_key, key_id)


@pytest.mark.parametrize("key_id", [b"forger-1", b"test-doc-1"], ids=["unknown", "impersonated"])
def test_a_code_forged_with_an_unknown_key_is_refused(
    inkan: Certificate, keys: BackSideKeys, other_keys_: BackSideKeys, key_id: bytes, tmp_path: Path
) -> None:
    forged = replace(inkan.backs[0], signed_code=_forged_code(inkan.backs[0], key_id, other_keys_))
    back = render_600(compose_job([CopyToPrint(inkan.rendered.pdf, (forged,))]), 2, tmp_path)
    verdict = verify_back(scan(back), trust(keys), scan(inkan.front_render, FRONT_SCAN))
    expected = Outcome.UNTRUSTED_KEY if key_id == b"forger-1" else Outcome.INVALID_SIGNATURE
    assert verdict.outcome is expected
    assert not verdict.signature_valid


@pytest.fixture(scope="module")
def other_keys_() -> BackSideKeys:
    return BackSideKeys(bytes(range(100, 132)), key(2), b"forger-1")


def test_a_layout_v1_back_still_verifies(keys: BackSideKeys, tmp_path: Path) -> None:
    rendered = documents.render_document(samples.inkan())
    backs = backs_for(rendered, keys, layout_version=1)
    assert backs[0].verification_code is None
    job = compose_job([CopyToPrint(rendered.pdf, backs)])
    verdict = verify_back(
        scan(render_600(job, 2, tmp_path)),
        trust(keys),
        scan(render_600(job, 1, tmp_path), FRONT_SCAN),
    )
    assert verdict.outcome is Outcome.VERIFIED, verdict.detail
    assert verdict.payload is not None
    assert verdict.payload.layout_version == 1
    assert verdict.payload.page_facts is None
    assert parse_signed_code(backs[0].signed_code).payload.text == rendered.canonical_text


def test_the_cli_draws_the_differing_fields(inkan: Certificate, tmp_path: Path) -> None:
    forged = inkan.forged_front(replace(samples.inkan(), birth_date=date(1989, 1, 9)))
    (tmp_path / "back.jpg").write_bytes(simulate(inkan.back_render, OFFICE))
    (tmp_path / "front.jpg").write_bytes(simulate(forged, FRONT_SCAN))
    (tmp_path / "signer.pem").write_bytes(
        inkan.keys.signing_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "printing.verify", "back.jpg", "--front", "front.jpg", "--trust",
         f"{inkan.keys.key_id.decode()}=signer.pem", "--out", "out"],
        capture_output=True, text=True, timeout=180, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "生年月日" in result.stdout
    record = json.loads((tmp_path / "out" / "verdict.json").read_text())
    assert record["outcome"] == "fields_differ"
    assert record["scramble_checked"] is False  # no master key given
    [field] = record["front"]["differing_fields"]
    assert (field["field"], field["printed"], field["signed"]) == (
        "birth_date",
        "平成元年１月９日生",
        "平成元年１月８日生",
    )
    from PIL import Image

    with Image.open(tmp_path / "out" / "side_by_side.png") as sheet:
        pixels = np.asarray(sheet.convert("RGB"))
    red = (pixels[..., 0] > 180) & (pixels[..., 1] < 80) & (pixels[..., 2] < 80)
    assert red.sum() > 500  # the boxes and the legend


def test_verification_code_is_printed_on_the_front(inkan: Certificate, tmp_path: Path) -> None:
    from printing.security.vcode import grouped

    job = tmp_path / "job.pdf"
    job.write_bytes(compose_job([CopyToPrint(inkan.rendered.pdf, inkan.backs)]))
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(job), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "検証コード" in text
    assert grouped(VERIFICATION_CODE) in text
