"""券面事項入力補助AP of the virtual card (jpki-card.md §5): credentials, access rules, the
byte formats with the card's BER quirks, and the integrity record."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from hw_sim.card.model import ber_tlv
from hw_sim.personas import get_persona
from hw_sim.pki import JpkiTestPki
from tests.hw_sim.card.conftest import MakeCard
from tests.hw_sim.card.helpers import HOJO, Card


def parse_ber(data: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """(tag, length bytes, value) of consecutive TLVs; stops at FF filler after the last one."""
    out = []
    i = 0
    while i < len(data):
        if data[i] == 0xFF and (i + 1 >= len(data) or data[i + 1] == 0xFF):
            break
        start = i
        i += 1
        if data[start] & 0x1F == 0x1F:
            while data[i] & 0x80:
                i += 1
            i += 1
        tag = data[start:i]
        first = data[i]
        if first < 0x80:
            length, nlen = first, 1
        else:
            nlen = 1 + (first & 0x7F)
            length = int.from_bytes(data[i + 1 : i + nlen], "big")
        length_bytes = data[i : i + nlen]
        i += nlen
        out.append((tag, length_bytes, data[i : i + length]))
        i += length
    return out


def rsa_key_from_tlv(value: bytes) -> rsa.RSAPublicKey:
    parts = {tag: v for tag, _, v in parse_ber(value)}
    return rsa.RSAPublicNumbers(
        int.from_bytes(parts[b"\x90"], "big"), int.from_bytes(parts[b"\x91"], "big")
    ).public_key()


def open_hojo(card: Card, credential_fid: int | None, secret: str | None) -> None:
    assert card.select_aid(HOJO) == 0x9000
    if credential_fid is not None and secret is not None:
        assert card.select_ef(credential_fid) == 0x9000
        assert card.verify(secret) == 0x9000


def read_ef(card: Card, fid: int) -> tuple[bytes, int]:
    assert card.select_ef(fid) == 0x9000
    return card("00B0000000")


def test_ber_lengths_use_82_from_128_even_below_256() -> None:
    assert ber_tlv(b"\xdf\x22", b"x" * 127)[:3] == b"\xdf\x22\x7f"
    assert ber_tlv(b"\xdf\x22", b"x" * 128)[:5] == b"\xdf\x22\x82\x00\x80"
    assert ber_tlv(b"\xff\x40", b"x" * 0x9F)[:5] == bytes.fromhex("FF4082009F")


def test_my_number_ef_exact_bytes_with_pin(card: Card) -> None:
    open_hojo(card, 0x0011, "1234")
    card.select_ef(0x0001)
    assert card.ok("00B0000011") == b"\xff\x10\x0c" + b"721682792115" + b"\xff\xff"
    assert card.sw("00B0001101") == 0x6B00  # physical size 17


@pytest.mark.parametrize(
    ("credential", "secret", "ef_0001", "ef_0002", "ef_0003"),
    [
        (None, None, 0x6982, 0x6982, 0x6982),
        (0x0011, "1234", 0x9000, 0x9000, 0x9000),  # PIN opens both
        (0x0014, "721682792115", 0x9000, 0x6982, 0x9000),  # 照合番号A: My Number only
        (0x0015, "55051420354821", 0x6982, 0x9000, 0x9000),  # 照合番号B: the 4 facts only
    ],
)
def test_access_rules(
    card: Card, credential: int | None, secret: str | None, ef_0001: int, ef_0002: int, ef_0003: int
) -> None:
    open_hojo(card, credential, secret)
    assert read_ef(card, 0x0001)[1] == ef_0001
    assert read_ef(card, 0x0002)[1] == ef_0002
    assert read_ef(card, 0x0003)[1] == ef_0003
    assert read_ef(card, 0x0004)[1] == 0x9000  # CV certificate: free
    assert read_ef(card, 0x0005)[1] == 0x9000  # basic info: free


def test_four_facts_with_offset_table(card: Card) -> None:
    open_hojo(card, 0x0015, "55051420354821")
    raw, _ = read_ef(card, 0x0002)
    ((outer_tag, _, outer),) = parse_ber(raw)
    assert outer_tag == b"\xff\x20"  # two-byte private tag
    items = parse_ber(outer)
    assert [t for t, _, _ in items] == [
        b"\xdf\x21",
        b"\xdf\x22",
        b"\xdf\x23",
        b"\xdf\x24",
        b"\xdf\x25",
    ]
    offsets = [int.from_bytes(items[0][2][i : i + 2], "big") for i in range(0, 8, 2)]
    for offset, tag in zip(offsets, (0x22, 0x23, 0x24, 0x25), strict=True):
        assert raw[offset : offset + 2] == bytes([0xDF, tag])
    persona = get_persona("normal")
    values = {t: v for t, _, v in items}
    assert values[b"\xdf\x22"].decode() == "山田\u3000太郎"
    assert values[b"\xdf\x23"].decode() == persona.address
    assert values[b"\xdf\x24"] == b"19800514"
    assert values[b"\xdf\x25"] == b"1"


def test_long_address_uses_the_82_length_form(make_card: MakeCard) -> None:
    persona = get_persona("rare-chars")
    card = make_card("rare-chars")
    open_hojo(card, 0x0011, persona.auth_pin)
    raw, _ = read_ef(card, 0x0002)
    assert raw[:3] == b"\xff\x20\x82"
    ((_, _, outer),) = parse_ber(raw)
    items = {t: (lb, v) for t, lb, v in parse_ber(outer)}
    length_bytes, address = items[b"\xdf\x23"]
    assert length_bytes == b"\x82" + len(address).to_bytes(2, "big")
    assert 128 <= len(address) < 256
    assert address.decode() == persona.address
    assert "髙﨑" in items[b"\xdf\x22"][1].decode()


def test_integrity_record_digests_and_signature(card: Card, pki: JpkiTestPki) -> None:
    open_hojo(card, 0x0011, "1234")
    card.select_ef(0x0001)
    ef1 = card.ok("00B0000011")
    ef2, _ = read_ef(card, 0x0002)
    card.select_ef(0x0003)
    ef3 = card.read_all()
    assert len(ef3) == 336
    assert ef3[:5] == bytes.fromhex("FF3082014B")
    ((_, _, body),) = parse_ber(ef3)
    items = parse_ber(body)
    assert [(t, lb) for t, lb, _ in items] == [
        (b"\xdf\x31", b"\x20"),
        (b"\xdf\x32", b"\x20"),
        (b"\xdf\x33", b"\x82\x01\x00"),
    ]
    assert items[0][2] == hashlib.sha256(ef1).digest()  # the physical 17 bytes incl. FF FF
    ((_, _, outer2),) = parse_ber(ef2)
    table = parse_ber(outer2)[0]
    without_table = outer2[2 + len(table[1]) + len(table[2]) :]
    assert items[1][2] == hashlib.sha256(without_table).digest()
    issuer = serialization.load_pem_public_key(pki.kenmen_issuer_public_pem)
    assert isinstance(issuer, rsa.RSAPublicKey)
    signed = body[: 2 * 35]
    issuer.verify(items[2][2], signed, padding.PKCS1v15(), hashes.SHA256())


def test_cv_certificate_and_basic_info_shapes(card: Card, pki: JpkiTestPki) -> None:
    open_hojo(card, None, None)
    card.select_ef(0x0004)
    cv = card.read_all()
    assert len(cv) == 568
    assert cv[:5] == bytes.fromhex("7F21820233")
    ((_, _, inner),) = parse_ber(cv)
    (body_tag, _, body), (sig_tag, _, signature) = parse_ber(inner)
    assert (body_tag, sig_tag) == (b"\x5f\x4e", b"\x5f\x37")
    assert len(body) == 16 + 16 + 265
    assert body[:7] == b"6000033"  # test hierarchy key id
    pki.kenmen_cv_root_key.public_key().verify(
        signature, ber_tlv(b"\x5f\x4e", body), padding.PKCS1v15(), hashes.SHA256()
    )
    assert rsa_key_from_tlv(body[32:]).public_numbers() == (
        pki.kenmen_issuer_key.public_key().public_numbers()
    )
    card.select_ef(0x0005)
    info = card.read_all()
    assert len(info) == 256
    assert info[:5] == bytes.fromhex("FF4082009F")
    assert info[5:12] == bytes.fromhex("DF410401030E01")


def test_ap_key_signs_without_credential_and_chains_to_the_issuer(
    card: Card, pki: JpkiTestPki
) -> None:
    open_hojo(card, 0x0014, "721682792115")
    card.select_ef(0x0007)
    ef7 = card.read_all()
    ((_, _, body),) = parse_ber(ef7)
    (key_tag, key_len, key_value), (sig_tag, _, signature) = parse_ber(body)
    assert (key_tag, key_len, sig_tag) == (b"\xdf\x51", b"\x82\x01\x09", b"\xdf\x52")
    pki.kenmen_issuer_key.public_key().verify(
        signature, ber_tlv(key_tag, key_value), padding.PKCS1v15(), hashes.SHA256()
    )
    assert card.select_aid(HOJO) == 0x9000  # re-select: no credential needed to sign
    challenge = b"card authenticity"
    digest_info = (
        bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256(challenge).digest()
    )
    signature = card.ok(bytes([0x80, 0x2A, 0x00, 0x00, len(digest_info)]) + digest_info + b"\x00")
    rsa_key_from_tlv(key_value).verify(signature, challenge, padding.PKCS1v15(), hashes.SHA256())


def test_key_0012_is_blocked_on_every_card(card: Card) -> None:
    open_hojo(card, None, None)
    card.select_ef(0x0012)
    assert card.sw("00200080") == 0x63C0
    assert card.verify("1234") == 0x6984


def test_lookup_numbers_have_a_counter(card: Card) -> None:
    open_hojo(card, None, None)
    card.select_ef(0x0015)
    assert card.sw("00200080") == 0x63CA  # lookup_tries default 10 (uncertain, §5.1)
    assert card.verify("55051420350000") == 0x63C9
    assert card.verify("55051420354821") == 0x9000
    assert card.sw("00200080") == 0x63CA


def test_pin_0011_has_three_tries(card: Card) -> None:
    open_hojo(card, None, None)
    card.select_ef(0x0011)
    assert [card.verify("0000") for _ in range(4)] == [0x63C2, 0x63C1, 0x63C0, 0x6984]


def test_internal_authenticate_with_the_ap_key_is_6985(card: Card) -> None:
    open_hojo(card, None, None)
    assert card.sw("0088009308" + "11" * 8 + "00") == 0x6985


def test_set_session_key_is_refused_since_sm_is_not_simulated(card: Card) -> None:
    open_hojo(card, None, None)
    assert card.sw("80AE0000" + "0100" + "00") == 0x6A80
