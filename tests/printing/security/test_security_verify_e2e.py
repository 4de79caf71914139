"""The verifier end to end: composed job → 600-dpi render (pdftoppm) → simulated print, aging
and scan → verify. Genuine → verified; wrong key; a back from another certificate; an edited
front; untrusted signer; unreadable input; the CLI with its files and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from cryptography.hazmat.primitives import serialization
from security_helpers import ISSUER, OFFICE_SCAN, SERIAL, backs_for, front_scan_of, render_600

from printing import documents
from printing.documents import samples
from printing.security import BackSideData, BackSideKeys, CopyToPrint, compose_job
from printing.security.channel import ChannelParams, simulate
from printing.security.signed_code import parse_signed_code
from printing.security.source import source_raster
from printing.verify import Outcome, TrustStore, Verdict, load_scan, verify_back

OFFICE = OFFICE_SCAN  # seed 11
FRONT_SCAN = front_scan_of(OFFICE)


def trust(keys: BackSideKeys, master: bytes | None = None) -> TrustStore:
    return TrustStore(
        master or keys.scramble_master_key, {keys.key_id: keys.signing_key.public_key()}
    )


def scan(render: np.ndarray, params: ChannelParams = OFFICE, behind: np.ndarray | None = None):
    return load_scan(simulate(render, params, behind))[0]


@pytest.fixture(scope="module")
def genuine(inkan_pages: tuple[np.ndarray, np.ndarray], keys: BackSideKeys) -> Verdict:
    front, back = inkan_pages
    return verify_back(scan(back, OFFICE, front), trust(keys), scan(front, FRONT_SCAN, back))


def test_genuine_certificate_verifies(genuine: Verdict, inkan: documents.Rendered) -> None:
    assert genuine.outcome is Outcome.VERIFIED, genuine.detail
    assert genuine.signature_valid
    assert genuine.payload is not None
    assert (genuine.payload.serial, genuine.payload.issuer) == (SERIAL, ISSUER)
    assert genuine.payload.text == inkan.canonical_text  # short certificate: text in the code
    assert genuine.restored is not None
    assert genuine.restored.check_agreement > 0.98
    assert genuine.pilot_error_rate is not None
    assert genuine.pilot_error_rate < 0.01
    assert genuine.front is not None
    assert genuine.front.serial == SERIAL
    assert genuine.front.regions == ()


def test_restored_front_matches_the_source(genuine: Verdict, inkan: documents.Rendered) -> None:
    """Ink-F1 of the restored image against the center's source raster (§8 metric 3)."""
    assert genuine.restored is not None
    assert genuine.payload is not None
    _, truth = source_raster(inkan.pdf, 0, genuine.payload.source.area_mm)
    restored = genuine.restored.image < 128
    f1 = 2 * np.sum(restored & truth) / (restored.sum() + truth.sum())
    assert f1 > 0.97


def test_wrong_master_key_is_reported(
    inkan_pages: tuple[np.ndarray, np.ndarray], keys: BackSideKeys
) -> None:
    front, back = inkan_pages
    verdict = verify_back(scan(back, OFFICE, front), trust(keys, master=bytes(32)))
    assert verdict.outcome is Outcome.WRONG_KEY
    assert verdict.signature_valid  # the code is genuine, the scramble is not ours
    assert verdict.restored is not None
    assert 0.4 < verdict.restored.check_agreement < 0.6


def test_forged_back_with_a_copied_code_is_reported(
    inkan: documents.Rendered,
    keys: BackSideKeys,
    other_keys: BackSideKeys,
    inkan_back: BackSideData,
    tmp_path: Path,
) -> None:
    """A forger scrambles with their own key and pastes the genuine signed code."""
    forged = backs_for(inkan, other_keys)[0]
    forged = replace(forged, signed_code=inkan_back.signed_code)
    back = render_600(compose_job([CopyToPrint(inkan.pdf, (forged,))]), 2, tmp_path)
    verdict = verify_back(scan(back), trust(keys))
    assert verdict.outcome is Outcome.WRONG_KEY


def test_back_of_another_certificate_is_a_serial_mismatch(
    inkan: documents.Rendered,
    inkan_pages: tuple[np.ndarray, np.ndarray],
    keys: BackSideKeys,
    tmp_path: Path,
) -> None:
    other = backs_for(inkan, keys, serial="131202-241203-000777-1")
    other_back = render_600(compose_job([CopyToPrint(inkan.pdf, other)]), 2, tmp_path)
    front, _ = inkan_pages
    verdict = verify_back(
        scan(other_back, OFFICE, front), trust(keys), scan(front, FRONT_SCAN, other_back)
    )
    assert verdict.outcome is Outcome.SERIAL_MISMATCH
    assert verdict.front_serial == SERIAL
    assert verdict.payload is not None
    assert verdict.payload.serial == "131202-241203-000777-1"


def test_edited_front_is_reported_where_it_was_edited(
    juminhyo: documents.Rendered,
    juminhyo_backs: tuple[BackSideData, ...],
    keys: BackSideKeys,
    tmp_path: Path,
) -> None:
    """花子 → 花江 on the printed front; the back is the genuine one: the field is named, with
    what the scan shows (江 read among the font's characters) and what was signed."""
    household = samples.yamada_household()
    members = list(household.members)
    members[1] = replace(members[1], name=replace(members[1].name, given="花江"))
    edited = documents.render_document(
        samples.juminhyo(household=replace(household, members=tuple(members)))
    )
    job = compose_job([CopyToPrint(edited.pdf, juminhyo_backs)])
    front, back = render_600(job, 1, tmp_path), render_600(job, 2, tmp_path)
    verdict = verify_back(scan(back, OFFICE, front), trust(keys), scan(front, FRONT_SCAN, back))
    assert verdict.outcome is Outcome.FIELDS_DIFFER, verdict.to_record()
    assert verdict.fields is not None
    differing = {field.key: field for field in verdict.fields.differing}
    assert set(differing) == {"members[1].name"}, verdict.to_record()["front"]
    name = differing["members[1].name"]
    assert name.signed == "山田　花子"
    assert name.printed == "山田　花江"
    assert "members[1].name" in verdict.message_ja
    assert "表面「江」、署名「子」" in verdict.message_ja


def test_untrusted_signer_is_reported(
    inkan_pages: tuple[np.ndarray, np.ndarray], keys: BackSideKeys, other_keys: BackSideKeys
) -> None:
    front, back = inkan_pages
    verdict = verify_back(
        scan(back, OFFICE, front), trust(other_keys, master=keys.scramble_master_key)
    )
    assert verdict.outcome is Outcome.UNTRUSTED_KEY
    assert not verdict.signature_valid


def test_upside_down_scan_verifies(
    inkan_pages: tuple[np.ndarray, np.ndarray], keys: BackSideKeys
) -> None:
    """The fiducials' ids give the orientation: a sheet put in the scanner the wrong way."""
    front, back = inkan_pages
    verdict = verify_back(scan(back, replace(OFFICE, rotation_deg=181.0), front), trust(keys))
    assert verdict.outcome is Outcome.VERIFIED, verdict.detail


def test_blank_and_noise_pages_are_unreadable(keys: BackSideKeys) -> None:
    blank = np.full((3508, 2480), 255, np.uint8)
    rng = np.random.default_rng(0)
    noise = (rng.random((3508, 2480)) < 0.5).astype(np.uint8) * 255
    for render in (blank, noise):
        verdict = verify_back(scan(render, replace(OFFICE, show_through=0.0)), trust(keys))
        assert verdict.outcome is Outcome.UNREADABLE


def test_cli_writes_outputs_and_exit_codes(
    inkan_pages: tuple[np.ndarray, np.ndarray],
    keys: BackSideKeys,
    inkan: documents.Rendered,
    tmp_path: Path,
) -> None:
    front, back = inkan_pages
    (tmp_path / "back.jpg").write_bytes(simulate(back, OFFICE, front))
    (tmp_path / "front.jpg").write_bytes(simulate(front, FRONT_SCAN, back))
    (tmp_path / "master.key").write_bytes(keys.scramble_master_key)
    (tmp_path / "wrong.key").write_text(bytes(range(1, 33)).hex() + "\n")  # hex form works
    (tmp_path / "signer.pem").write_bytes(
        keys.signing_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "printing.verify", *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )

    trusted = f"{keys.key_id.decode()}=signer.pem"
    ok = run(
        "back.jpg",
        "--front",
        "front.jpg",
        "--master-key",
        "master.key",
        "--trust",
        trusted,
        "--out",
        "out",
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "verified" in ok.stdout
    record = json.loads((tmp_path / "out" / "verdict.json").read_text())
    assert record["outcome"] == "verified"
    assert record["document"]["serial"] == SERIAL
    assert record["document"]["signed_text"] == inkan.canonical_text
    text = (tmp_path / "out" / "verdict.txt").read_text()
    assert "signed fields of this page" in text  # layout v2 lists the signed facts
    for signed in record["document"]["signed_fields"]:
        assert f"{signed['label']}: {signed['value']}" in text
    for name in ("restored.png", "side_by_side.png", "verdict.txt"):
        assert (tmp_path / "out" / name).stat().st_size > 0

    wrong = run("back.jpg", "--master-key", "wrong.key", "--trust", trusted, "--json")
    assert wrong.returncode == 1
    assert json.loads(wrong.stdout)["outcome"] == "wrong_key"

    for bad in (
        ["back.jpg", "--master-key", "missing.key", "--trust", trusted],
        ["back.jpg", "--master-key", "master.key", "--trust", "no-equals-sign"],
        ["signer.pem", "--master-key", "master.key", "--trust", trusted],
    ):
        result = run(*bad)
        assert result.returncode == 2, result.stdout
        assert "error:" in result.stderr


def test_scan_delivered_as_pdf(
    inkan_pages: tuple[np.ndarray, np.ndarray], keys: BackSideKeys, tmp_path: Path
) -> None:
    """Scanners often save PDF: the page is rasterised and verified the same way."""
    from PIL import Image

    front, back = inkan_pages
    scanned = load_scan(simulate(back, replace(OFFICE, jpeg_quality=None), front))[0]
    pdf = tmp_path / "scan.pdf"
    Image.fromarray(scanned.grey_u8).save(pdf, format="PDF", resolution=300.0)
    pages = load_scan(pdf)
    assert len(pages) == 1
    assert verify_back(pages[0], trust(keys)).outcome is Outcome.VERIFIED


def test_signed_text_is_what_the_center_signed(genuine: Verdict, inkan_back: BackSideData) -> None:
    assert genuine.payload == parse_signed_code(inkan_back.signed_code).payload


@pytest.mark.parametrize(
    ("agreement", "pilot_errors", "outcome"),
    [
        (0.50, 0.001, Outcome.WRONG_KEY),  # a clean scan under the wrong key
        (0.52, 0.04, Outcome.WRONG_KEY),
        (0.78, 0.14, Outcome.UNREADABLE),  # a genuine back scanned too badly: not a forgery
        (0.75, 0.13, Outcome.UNREADABLE),
    ],
)
def test_a_poor_scan_is_not_called_a_forgery(
    agreement: float, pilot_errors: float, outcome: Outcome
) -> None:
    from printing.verify.verifier import check_failure

    assert check_failure(agreement, pilot_errors) is outcome


def test_600_dpi_scan_is_verified_at_a_working_resolution(
    inkan_pages: tuple[np.ndarray, np.ndarray], keys: BackSideKeys
) -> None:
    front, back = inkan_pages
    fine = scan(back, replace(OFFICE, scan_dpi=600, blur_sigma_px=1.4), front)
    assert fine.dpi > 550
    verdict = verify_back(fine, trust(keys), scan(front, replace(FRONT_SCAN, scan_dpi=600), back))
    assert verdict.outcome is Outcome.VERIFIED, verdict.detail
    assert verdict.located is not None
    assert 2.8 < verdict.located.module_px < 3.2  # sampled at ~300 dpi
