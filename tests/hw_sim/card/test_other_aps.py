"""券面事項確認AP, 住基AP, 共通カードAP and the MF level of the virtual card (jpki-card.md §6–§8),
and which applications each medium carries."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from hw_sim.personas import get_persona
from hw_sim.pki import JpkiTestPki
from tests.hw_sim.card.conftest import MakeCard
from tests.hw_sim.card.helpers import COMMON, HOJO, JPKI, JUKI, KENMEN, Card


def test_kenmen_ap_credentials_and_access(card: Card) -> None:
    assert card.select_aid(KENMEN) == 0x9000
    for fid in (0x0011, 0x0012, 0x0013):
        card.select_ef(fid)
        assert card.sw("00200080") == 0x63CA
    card.select_ef(0x0002)
    assert card.sw("00B0000004") == 0x6982
    card.select_ef(0x0003)
    basic = card.ok("00B0000000")
    assert basic[:2] == b"\xff\x30"
    assert b"\xdf\x34\x05" + b"13120" in basic  # 5-digit municipality code
    card.select_ef(0x0011)
    assert card.verify("550514") == 0x9000  # 生年月日 as 和暦 YYMMDD (昭和55)
    card.select_ef(0x0001)
    age = card.ok("00B0000010")
    assert age[:5] == b"\xff\x10\x82\x02\x1e"
    assert age[5:16] == b"\xdf\x11\x0819800514"[:11]
    card.select_ef(0x0005)
    assert card.sw("00B0000004") == 0x6982  # My Number image needs 照合番号A
    card.select_ef(0x0012)
    assert card.verify("55051420354821") == 0x9000
    card.select_ef(0x0002)
    assert card.ok("00B0000002") == b"\xff\x20"
    card.select_ef(0x0005)
    assert card.sw("00B0000004") == 0x6982  # 照合番号B does not open it
    card.select_ef(0x0013)
    assert card.verify("721682792115") == 0x9000
    card.select_ef(0x0005)
    assert card.ok("00B0000002") == b"\xff\x40"
    assert card.select_ef(0x0007) == 0x6A82
    assert card.sw("80AE00000100") == 0x66F1


def test_juki_ap_pin_record_and_change_key(card: Card) -> None:
    assert card.select_aid(JUKI) == 0x9000
    card.select_ef(0x0002)
    assert len(card.ok("00B2010400")) == 16
    assert card.sw("00B2020400") == 0x6A83
    assert card.sw("00B0000001") == 0x6981  # record EF read as binary
    card.select_ef(0x001C)
    assert card.sw("00200080") == 0x63C3
    assert card.verify("1234") == 0x9000
    assert card.sw("0024018004" + b"4321".hex()) == 0x6D00  # JPKI's instruction is not used here
    assert card.sw("8032008004" + b"4321".hex()) == 0x9000
    assert card.verify("1234") == 0x63C2
    assert card.verify("4321") == 0x9000
    assert card.sw("80AE00000100") == 0x6982


def test_common_ap_record_by_sfi_and_internal_authenticate(card: Card, pki: JpkiTestPki) -> None:
    assert card.select_aid(COMMON) == 0x9000
    record = card.ok("00B2010C00")  # record 1 of SFI 1 without SELECT
    assert record[:2] == b"\x01\x1c"
    assert len(record) == 30
    text = record[2:].decode()
    assert text.isdigit()
    assert text[15:20] == "13120"
    assert text[20:] == "20350514"
    assert card.sw("00B2010500") == 0x6A81  # not "record number in P1"
    challenge = b"\x42" * 16
    signature = card.ok("0088009910" + challenge.hex() + "00")  # key 0019 by SFI
    pki.common_ap_key.public_key().verify(signature, challenge, padding.PKCS1v15(), hashes.SHA256())
    card.select_ef(0x001C)
    assert card.sw("00200080") == 0x63C3
    assert card.sw("80AE00000100") == 0x66F1


def test_mf_level_files_and_data_objects(card: Card) -> None:
    assert card.select_ef(0x2F10) == 0x6A82
    assert card.select_ef(0x2F11) == 0x6A82
    assert card.select_ef(0x001E) == 0x9000
    assert card.sw("00B0000001") == 0x6981
    assert card.ok("00CA5F5100") == card.card.atr[1:]  # contact ATR without TS
    assert card.ok("00CA00F000") == b"13120"
    assert card.ok("00CA00F200") == b"20350514"
    assert card.sw("00CA00F100") == 0x6A88
    assert card.sw("00CA00F002") == 0x6700  # short Le
    card.select_aid(JPKI)
    assert card.sw("00CA00F000") == 0x6A88  # "a 6A88 in one state means try the other"


def test_get_data_inside_an_ap_as_an_option(make_card: MakeCard) -> None:
    card = make_card(get_data_at_mf=False)
    assert card.sw("00CA00F000") == 0x6A88
    card.select_aid(JPKI)
    assert card.ok("00CA00F000") == b"13120"


@pytest.mark.parametrize(
    ("persona", "present", "absent"),
    [
        ("normal", [JPKI, HOJO, KENMEN, JUKI, COMMON], []),
        ("juki-card", [JPKI, JUKI], [HOJO, KENMEN, COMMON]),
        ("android", [JPKI], [HOJO, KENMEN, JUKI, COMMON]),
        ("iphone", [JPKI], [HOJO, KENMEN, JUKI, COMMON]),
    ],
)
def test_applications_per_medium(
    make_card: MakeCard, persona: str, present: list[str], absent: list[str]
) -> None:
    card = make_card(persona)
    assert [card.select_aid(a) for a in present] == [0x9000] * len(present)
    assert [card.select_aid(a) for a in absent] == [0x6A82] * len(absent)


def test_atr_per_medium(make_card: MakeCard) -> None:
    assert make_card("normal").card.atr == bytes.fromhex("3BDA13FF8131FB468012392F31C173C601C03B")
    assert make_card("juki-card").card.atr == bytes.fromhex("3BE000FF8131FE4514")
    assert make_card(atr=bytes.fromhex("3BC5FF8131FB458073C6010000")).card.atr[:2] == b"\x3b\xc5"


def test_each_persona_builds_and_answers_its_auth_pin(make_card: MakeCard) -> None:
    for persona_id in ("foreign", "gaiji", "honseki", "revoked", "expired", "child-excluded"):
        persona = get_persona(persona_id)
        card = make_card(persona_id)
        card.select_aid(JPKI)
        card.select_ef(0x0018)
        assert card.verify(persona.auth_pin) == 0x9000, persona_id
