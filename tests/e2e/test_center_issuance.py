"""End to end: the virtual card through pcscd + vpcd → the kiosk's center client → the real
simulated center over mutual TLS → a verified envelope, for every certificate type and option;
replays of an issuance; and the ``python -m kiosk.center`` CLI."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from hw_sim.personas import get_persona
from kiosk.center import wire
from kiosk.center.client import CenterClient, IssuanceResult, new_idempotency_key
from kiosk.domain import Offer
from printing.certificates import (
    CertificateKind,
    CertificateOptions,
    CertificateRequest,
    JuminhyoOptions,
    Jurisdiction,
    KosekiOptions,
    KosekiScope,
    NoOptions,
    Scope,
    TaxOptions,
)
from tests.hw_sim.center.harness import REPO, CardReader, RunningCenter, card_reader

__all__ = ["card_reader"]  # a module-scoped fixture used here

pytestmark = pytest.mark.pcscd

TITLES = {
    CertificateKind.JUMINHYO: "住民票",
    CertificateKind.KISAI_JIKO: "記載事項",
    CertificateKind.INKAN: "印鑑",
    CertificateKind.TAX_INCOME: "証明",
    CertificateKind.TAX_PAYMENT: "納税",
    CertificateKind.KOSEKI: "戸籍",
    CertificateKind.KOSEKI_FUHYO: "附票",
}


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "front.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return unicodedata.normalize("NFKC", text)  # certificates print full-width digits


class Resident:
    """A persona authenticated with their card once, issuing through one session."""

    def __init__(self, client: CenterClient, reader: CardReader, persona: str) -> None:
        self.client = client
        self.persona = get_persona(persona)
        self.session = reader.session(client, persona)
        self.offer: Offer = client.offer(self.session)

    def issue(
        self,
        kind: CertificateKind,
        options: CertificateOptions,
        *,
        copies: int = 1,
        jurisdiction: Jurisdiction = Jurisdiction.RESIDENCE,
    ) -> IssuanceResult:
        request = CertificateRequest(kind, jurisdiction, options, copies)
        result = self.client.issue(self.session, request, new_idempotency_key())
        envelope = result.envelope
        entry = next(
            c for c in self.offer.certificates if c.kind is kind and c.jurisdiction is jurisdiction
        )
        assert envelope.fee_yen_per_copy == entry.fee_yen
        assert envelope.total_fee_yen == entry.fee_yen * copies
        assert len(envelope.copies) == copies
        for copy in envelope.copies:
            assert TITLES[kind] in copy.title
            assert copy.front_pdf.startswith(b"%PDF-")
            assert len(copy.back_sides) == copy.page_count
        assert len({copy.serial for copy in envelope.copies}) == copies
        return result


@pytest.fixture(scope="module")
def client(running_center: RunningCenter) -> Iterator[CenterClient]:
    running_center.reset()
    with running_center.client() as kiosk:
        yield kiosk


@pytest.fixture(scope="module")
def normal(client: CenterClient, card_reader: CardReader) -> Resident:
    return Resident(client, card_reader, "normal")


def test_card_session_places_the_resident(normal: Resident) -> None:
    assert normal.session.municipality_code == normal.persona.municipality_code
    assert normal.offer.municipality_code == "131202"
    assert {c.kind for c in normal.offer.certificates} == set(CertificateKind)


@pytest.mark.parametrize("scope", list(Scope))
@pytest.mark.parametrize("kind", [CertificateKind.JUMINHYO, CertificateKind.KISAI_JIKO])
def test_juminhyo_scopes(
    normal: Resident, kind: CertificateKind, scope: Scope, tmp_path: Path
) -> None:
    members = normal.offer.household
    chosen = tuple(m.member_id for m in members[:2]) if scope is Scope.HOUSEHOLD_PART else ()
    result = normal.issue(kind, JuminhyoOptions(scope=scope, member_ids=chosen))
    text = pdf_text(result.envelope.copies[0].front_pdf, tmp_path).replace(" ", "")
    names = {m.member_id: m.display_name.replace("\u3000", "") for m in members}
    shown = {mid for mid, name in names.items() if name in text or name[-2:] in text}
    if scope is Scope.HOUSEHOLD_ALL:
        assert shown == set(names)
    elif scope is Scope.HOUSEHOLD_PART:
        assert set(chosen) <= shown
        assert len(shown) < len(names)
    else:
        assert len(shown) <= 1


@pytest.mark.parametrize("option", ["show_head_and_relationship", "show_honseki", "show_my_number"])
def test_juminhyo_items(normal: Resident, option: str, tmp_path: Path) -> None:
    with_item = normal.issue(CertificateKind.JUMINHYO, JuminhyoOptions(**{option: True}))
    without = normal.issue(CertificateKind.JUMINHYO, JuminhyoOptions())
    text_with = pdf_text(with_item.envelope.copies[0].front_pdf, tmp_path)
    text_without = pdf_text(without.envelope.copies[0].front_pdf, tmp_path)
    assert text_with != text_without
    if option == "show_my_number":
        digits = normal.persona.my_number
        assert digits in text_with.replace(" ", "")
        assert digits not in text_without.replace(" ", "")


def test_juminhyo_foreign_items(
    client: CenterClient, card_reader: CardReader, tmp_path: Path
) -> None:
    foreign = Resident(client, card_reader, "foreign")
    result = foreign.issue(CertificateKind.JUMINHYO, JuminhyoOptions(show_foreign_items=True))
    plain = foreign.issue(CertificateKind.JUMINHYO, JuminhyoOptions())
    assert pdf_text(result.envelope.copies[0].front_pdf, tmp_path) != pdf_text(
        plain.envelope.copies[0].front_pdf, tmp_path
    )


def test_inkan(normal: Resident) -> None:
    normal.issue(CertificateKind.INKAN, NoOptions(), copies=3)


@pytest.mark.parametrize("kind", [CertificateKind.TAX_INCOME, CertificateKind.TAX_PAYMENT])
def test_tax_every_offered_year(normal: Resident, kind: CertificateKind, tmp_path: Path) -> None:
    entry = next(c for c in normal.offer.certificates if c.kind is kind)
    assert entry.rules.fiscal_years
    texts = set()
    for year in entry.rules.fiscal_years:
        result = normal.issue(kind, TaxOptions(year))
        texts.add(pdf_text(result.envelope.copies[0].front_pdf, tmp_path))
    assert len(texts) == len(entry.rules.fiscal_years)


@pytest.mark.parametrize("scope", list(KosekiScope))
def test_koseki_residence(normal: Resident, scope: KosekiScope) -> None:
    normal.issue(CertificateKind.KOSEKI, KosekiOptions(scope))


@pytest.mark.parametrize(
    "options", [NoOptions(), KosekiOptions(KosekiScope.ALL), KosekiOptions(KosekiScope.INDIVIDUAL)]
)
def test_koseki_fuhyo_residence(normal: Resident, options: CertificateOptions) -> None:
    normal.issue(CertificateKind.KOSEKI_FUHYO, options)


def test_honseki_certificates(client: CenterClient, card_reader: CardReader) -> None:
    resident = Resident(client, card_reader, "honseki")
    assert resident.offer.honseki_municipality_code == "221007"
    honseki_kinds = {
        c.kind for c in resident.offer.certificates if c.jurisdiction is Jurisdiction.HONSEKI
    }
    assert honseki_kinds == {CertificateKind.KOSEKI, CertificateKind.KOSEKI_FUHYO}
    for scope in KosekiScope:
        result = resident.issue(
            CertificateKind.KOSEKI, KosekiOptions(scope), jurisdiction=Jurisdiction.HONSEKI
        )
        assert result.envelope.municipality_code == "221007"
    fuhyo = resident.issue(
        CertificateKind.KOSEKI_FUHYO, NoOptions(), jurisdiction=Jurisdiction.HONSEKI
    )
    assert fuhyo.envelope.copies[0].serial.startswith("221007-")


def test_envelope_composes_into_a_print_job(
    normal: Resident, center: RunningCenter, tmp_path: Path
) -> None:
    """What the kiosk receives is what printing.security needs: back sides parse, their signed
    codes verify with the center's document key and name the copy's serial, and the copies
    compose into a duplex job."""
    from cryptography import x509

    from printing.documents import document_layout
    from printing.security import BackSideData, CopyToPrint, compose_job, verify_signed_code
    from printing.security.signed_code import text_digest

    result = normal.issue(
        CertificateKind.JUMINHYO, JuminhyoOptions(scope=Scope.HOUSEHOLD_ALL), copies=2
    )
    keys_dir = center.state_dir / "keys"
    document_cert = x509.load_pem_x509_certificate((keys_dir / "document-signer.pem").read_bytes())
    trusted = {b"document-1": document_cert.public_key()}
    copies = []
    for copy in result.envelope.copies:
        backs = tuple(BackSideData.from_bytes(page.data) for page in copy.back_sides)
        assert [b.serial for b in backs] == [copy.serial] * copy.page_count
        assert [b.page_index for b in backs] == list(range(copy.page_count))
        box = document_layout().content
        assert {b.content_area_mm for b in backs} == {
            (box.left_mm, box.top_mm, box.width_mm, box.height_mm)
        }
        for back in backs:
            payload = verify_signed_code(back.signed_code, trusted)  # type: ignore[arg-type]
            assert payload.serial == copy.serial
            # The code carries the text, or only its digest when the text is long.
            assert payload.text in (None, copy.canonical_text)
            assert payload.text_sha256 == text_digest(copy.canonical_text)
        copies.append(CopyToPrint(copy.front_pdf, backs))
    # The back names the deployment's verification service (here the simulated center's own
    # listener, as the developer profile prints it); the front prints the copy's code.
    url = center.endpoints["verification_url"]
    job = compose_job(copies, verification=url)
    with pikepdf.open(io.BytesIO(job)) as pdf:
        assert len(pdf.pages) == 2 * sum(c.page_count for c in result.envelope.copies)
    _check_online(job, copies[0], url, Path(center.endpoints["ca_path"]), trusted, tmp_path)


def _check_online(
    job: bytes,
    copy: Any,
    url: str,
    ca: Path,
    trusted: dict[bytes, Any],
    tmp_path: Path,
) -> None:
    """A relying party with only the paper: the service the back names, queried with the
    発行番号 and 検証コード the front prints, answers with the copy's signed pages."""
    from printing.verify.online import verify_online

    path = tmp_path / "job.pdf"
    path.write_bytes(job)

    def page_text(page: int) -> str:
        return subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout

    back = re.sub(r"\s", "", page_text(2))
    assert f"検証サービス：{url}" in back
    assert "下記の検証サービスに照会" in back
    front = page_text(1)
    serial = re.search(r"発行番号\s+(\S+)\s", front)
    code = re.search(r"検証コード\s+([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})", front)
    assert serial, front
    assert code, front
    answer = verify_online(url, serial.group(1), code.group(1), trusted, ca=ca)
    assert answer.serial == copy.back_sides[0].serial
    assert len(answer.pages) == len(copy.back_sides)


# -- replay ----------------------------------------------------------------------------------
def test_replay_returns_the_same_certificate(normal: Resident, center: RunningCenter) -> None:
    request = CertificateRequest(
        CertificateKind.JUMINHYO, Jurisdiction.RESIDENCE, JuminhyoOptions(), 2
    )
    key = new_idempotency_key()
    before = center.admin("GET", "/admin/status")["issuances"]
    first = normal.client.issue(normal.session, request, key)
    again = normal.client.issue(normal.session, request, key)
    assert not first.replayed
    assert again.replayed
    assert again.envelope == first.envelope
    assert center.admin("GET", "/admin/status")["issuances"] == before + 1


def test_concurrent_repeats_make_one_certificate(normal: Resident, center: RunningCenter) -> None:
    request = CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 1)
    key = new_idempotency_key()
    before = center.admin("GET", "/admin/status")["issuances"]
    results: list[IssuanceResult] = []
    errors: list[BaseException] = []

    def worker() -> None:
        with center.client() as own:  # same kiosk certificate, own connection
            try:
                results.append(own.issue(normal.session, request, key))
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len({r.envelope.issuance_id for r in results}) == 1
    assert len({r.envelope.copies[0].serial for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert center.admin("GET", "/admin/status")["issuances"] == before + 1


def test_same_key_for_another_request_is_a_conflict(normal: Resident) -> None:
    from kiosk.center.errors import IdempotencyConflict

    key = new_idempotency_key()
    normal.client.issue(
        normal.session,
        CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 1),
        key,
    )
    with pytest.raises(IdempotencyConflict):
        normal.client.issue(
            normal.session,
            CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 2),
            key,
        )


# -- the CLI ---------------------------------------------------------------------------------
def test_cli_runs_one_issuance_with_the_card(
    running_center: RunningCenter, card_reader: CardReader, pcscd: object, tmp_path: Path
) -> None:
    from tests.cardio.pcsc_cards import READER, wait_for_card

    running_center.reset()
    out = tmp_path / "out"
    persona = get_persona("normal")
    card_reader.dock.insert(0, "normal")
    try:
        wait_for_card(card_reader.context, present=True)
        env = {**os.environ, **pcscd.env}  # type: ignore[attr-defined]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "kiosk.center",
                "--endpoints",
                str(running_center.state_dir / "endpoints.json"),
                "issue",
                "--kind",
                "juminhyo",
                "--scope",
                "household_all",
                "--copies",
                "2",
                "--reader",
                READER,
                "--pin-stdin",
                "--out",
                str(out),
            ],
            input=persona.auth_pin + "\n",
            capture_output=True,
            text=True,
            cwd=REPO,
            env=env,
            timeout=120,
            check=False,
        )
    finally:
        card_reader.dock.remove(0)
        wait_for_card(card_reader.context, present=False)
    assert result.returncode == 0, result.stderr
    assert persona.auth_pin not in result.stdout + result.stderr
    assert "envelope verified" in result.stderr
    summary = wire.loads((out / "envelope.json").read_bytes())
    assert isinstance(summary, dict)
    pages = summary["copies"][0]["page_count"]
    expected = {"envelope.json"}
    for copy in (1, 2):
        expected.add(f"copy{copy}-front.pdf")
        expected.update(f"copy{copy}-back-page{page}.bin" for page in range(1, pages + 1))
    assert {p.name for p in out.iterdir()} == expected
    assert (out / "copy1-front.pdf").read_bytes().startswith(b"%PDF-")
    assert summary["kiosk_id"] == "kiosk-0001"
