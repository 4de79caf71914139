"""The JPKI AP of the virtual card, APDU by APDU, against jpki-card.md §2 and §4 (no driver)."""

from __future__ import annotations

import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from hw_sim.personas import get_persona
from hw_sim.pki import JpkiTestPki
from tests.hw_sim.card.conftest import MakeCard
from tests.hw_sim.card.helpers import HOJO, JPKI, Card

SHA256_DI = bytes.fromhex("3031300d060960864801650304020105000420")


def digest_info(message: bytes) -> bytes:
    return SHA256_DI + hashlib.sha256(message).digest()


def sign_apdu(data: bytes, p1: int = 0x00, p2: int = 0x80) -> bytes:
    return bytes([0x80, 0x2A, p1, p2, len(data)]) + data + b"\x00"


def public_key_of(der: bytes) -> rsa.RSAPublicKey:
    key = x509.load_der_x509_certificate(der).public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    return key


def read_cert(card: Card, fid: int) -> bytes:
    """Read a certificate EF the way OpenSC does: 4-byte header, then 256-byte chunks (§4.2)."""
    assert card.select_ef(fid) == 0x9000
    header = card.ok("00B0000004")
    assert header[:2] == b"\x30\x82"
    size = int.from_bytes(header[2:4], "big") + 4
    out = b""
    while len(out) < size:
        le = min(256, size - len(out))
        out += card.ok(bytes([0x00, 0xB0, len(out) >> 8, len(out) & 0xFF, le % 256]))
    return out


# -- selection -------------------------------------------------------------------------------------


def test_select_jpki_ap_answers_9000_without_data(card: Card) -> None:
    assert card("00A4040C0AD392F000260100000001") == (b"", 0x9000)


@pytest.mark.parametrize(
    "aid",
    [
        "A000000308000010000100",  # PIV (OpenSC's probes must all fail, §11.1)
        "D27600012401",  # OpenPGP
        "A00000039742544659",  # GIDS
        "E82B0601040181C31F0201",  # SmartCard-HSM
        "D392F000260100000002",  # a JPKI look-alike
    ],
)
def test_unknown_aid_is_6a82(card: Card, aid: str) -> None:
    assert card.select_aid(aid) == 0x6A82


def test_unknown_ef_is_6a82(card: Card) -> None:
    card.select_aid(JPKI)
    assert card.select_ef(0x0003) == 0x6A82
    assert card.select_ef(0x2F10) == 0x6A82


def test_select_3f00_is_6a82_and_iso_mf_select_after_reset_is_6a86(card: Card) -> None:
    assert card.sw("00A4000C023F00") == 0x6A82
    assert card.sw("00A40000") == 0x6A86  # cold reset, no AP current (§2.2)
    card.select_aid(JPKI)
    assert card.sw("00A40000") == 0x9000  # "90 00 but does nothing"
    assert card.select_ef(0x000A) == 0x9000  # still in the JPKI AP


def test_select_with_p2_00_returns_an_fci_naming_the_aid(card: Card) -> None:
    data, sw = card("00A404000AD392F00026010000000100")
    assert sw == 0x9000
    assert data[0] == 0x6F
    assert data[2:4] == b"\x84\x0a"
    assert data[4:14] == bytes.fromhex(JPKI)


def test_partial_aid_selects_first_match_then_next_occurrence(card: Card) -> None:
    prefix = bytes.fromhex("D39210003100010104")
    assert card.sw(bytes([0x00, 0xA4, 0x04, 0x0C, len(prefix)]) + prefix) == 0x9000
    assert card.select_ef(0x0015) == 0x9000  # 照合番号B exists only in the 入力補助AP
    assert card.sw(bytes([0x00, 0xA4, 0x04, 0x0E, len(prefix)]) + prefix) == 0x9000
    assert card.select_ef(0x0015) == 0x6A82  # now in the 券面事項確認AP
    assert card.select_ef(0x0013) == 0x9000
    short = bytes.fromhex("D392")  # shorter than a RID: never a match (OpenSC probing)
    assert card.sw(bytes([0x00, 0xA4, 0x04, 0x0C, len(short)]) + short) == 0x6A82


def test_partial_aid_can_be_switched_off(make_card: MakeCard) -> None:
    card = make_card(partial_aid_select=False)
    assert card.select_aid("D39210003100010104") == 0x6A82


# -- token, availability ---------------------------------------------------------------------------


def test_token_info_is_160_bytes_with_the_my_number_card_label(card: Card) -> None:
    card.select_aid(JPKI)
    card.select_ef(0x0006)
    info = card.read_all()
    assert len(info) == 160
    assert info[:32] == b"JPKIAPICCTOKEN2".ljust(32, b" ")
    assert info[64:80] == b"E16R01NJ".ljust(16, b" ")
    assert int.from_bytes(info[96:100], "big") == 0x40D  # flags
    assert int.from_bytes(info[116:120], "big") == 16  # ulMaxPinLen, 6th u32
    assert int.from_bytes(info[120:124], "big") == 6  # ulMinPinLen
    assert card.ok("00B0000020") == b"JPKIAPICCTOKEN2" + b" " * 17  # what myna reads (§1.3)


@pytest.mark.parametrize(
    ("persona", "label"),
    [("juki-card", "JPKIAPICCTOKEN"), ("android", "JPKIAPGPSETOKEN"), ("iphone", "JPKIAPIOSTOKEN")],
)
def test_token_label_per_medium(make_card: MakeCard, persona: str, label: str) -> None:
    card = make_card(persona)
    card.select_aid(JPKI)
    card.select_ef(0x0006)
    assert card.ok("00B0000020") == label.encode().ljust(32, b" ")


def test_ef_0008_says_both_certificates(card: Card) -> None:
    card.select_aid(JPKI)
    card.select_ef(0x0008)
    assert card.ok("00B0000000") == bytes.fromhex("8F8F00")


def test_child_card_has_no_signing_certificate_or_key(make_card: MakeCard) -> None:
    card = make_card("child")
    card.select_aid(JPKI)
    card.select_ef(0x0008)
    assert card.ok("00B0000000") == bytes.fromhex("008F00")
    assert card.select_ef(0x0001) == 0x6A82
    assert card.select_ef(0x001A) == 0x6A82
    assert card.select_ef(0x001B) == 0x9000
    assert card.sw("00200080") == 0x63C0
    assert card.verify("ABC123") == 0x6984
    assert card.sw(sign_apdu(digest_info(b"x"), p2=0x9A)) == 0x6A88


# -- certificates and READ BINARY --------------------------------------------------------------


def test_auth_certificate_ef_is_3808_bytes_with_der_at_offset_0(
    card: Card, pki: JpkiTestPki
) -> None:
    card.select_aid(JPKI)
    card.select_ef(0x000A)
    raw = card.read_all()
    assert len(raw) == 3808
    expected = pki.credentials("normal").auth_cert.public_bytes(serialization.Encoding.DER)
    assert raw[: len(expected)] == expected
    assert set(raw[len(expected) :]) == {0xFF}
    assert 1500 <= len(expected) <= 1650  # like the 1574 bytes of a real card (§4.2)


def test_opensc_style_read_returns_the_exact_certificate(card: Card, pki: JpkiTestPki) -> None:
    card.select_aid(JPKI)
    der = read_cert(card, 0x000A)
    assert der == pki.credentials("normal").auth_cert.public_bytes(serialization.Encoding.DER)


def test_auth_ca_issued_the_auth_certificate(card: Card) -> None:
    card.select_aid(JPKI)
    cert = x509.load_der_x509_certificate(read_cert(card, 0x000A))
    ca = x509.load_der_x509_certificate(read_cert(card, 0x000B))
    assert ca.subject == ca.issuer == cert.issuer
    cert.verify_directly_issued_by(ca)


def test_read_near_the_end_returns_the_rest_with_9000(card: Card) -> None:
    card.select_aid(JPKI)
    card.select_ef(0x000A)
    data, sw = card("00B00EC000")  # offset 3808 - 32 = 0x0EC0, Le 256
    assert (len(data), sw) == (32, 0x9000)


def test_read_past_the_end_is_6b00(card: Card) -> None:
    card.select_aid(JPKI)
    card.select_ef(0x000A)
    assert card("00B00EDF00") == (b"\xff", 0x9000)  # the last byte (filler)
    assert card.sw("00B00EDF") == 0x6700  # no Le
    assert card.sw("00B00EE001") == 0x6B00  # offset 3808: the end
    assert card.sw("00B00F0001") == 0x6B00  # offset 3840


def test_read_at_exactly_the_size_is_6b00(card: Card) -> None:
    card.select_aid(JPKI)
    card.select_ef(0x0008)
    assert card.sw("00B0000301") == 0x6B00


def test_read_binary_honours_le_and_offset(card: Card) -> None:
    card.select_aid(JPKI)
    card.select_ef(0x000A)
    full = card.read_all()
    assert card.ok("00B0000510") == full[5:21]
    assert card.ok("00B0010000") == full[256:512]


def test_read_by_short_ef_identifier_without_select(card: Card) -> None:
    card.select_aid(JPKI)
    card.select_ef(0x000A)
    full = card.read_all()
    card.select_ef(0x0006)
    assert card.ok("00B08A0010") == full[:16]  # P1 = 80 | SFI 0A, offset in P2
    assert card.ok("00B0001010") == full[16:32]  # and 000A became the current EF


def test_read_without_a_current_ef_is_6986(card: Card) -> None:
    card.select_aid(JPKI)
    assert card.sw("00B0000004") == 0x6986


def test_read_of_internal_ef_is_6981(card: Card) -> None:
    card.select_aid(JPKI)
    for fid in (0x0018, 0x0017, 0x001B, 0x001A):
        card.select_ef(fid)
        assert card.sw("00B0000001") == 0x6981


def test_signing_certificate_needs_the_signing_password(card: Card, pki: JpkiTestPki) -> None:
    card.select_aid(JPKI)
    card.select_ef(0x0001)
    assert card.sw("00B0000004") == 0x6982
    card.select_ef(0x0018)
    assert card.verify("1234") == 0x9000
    card.select_ef(0x0001)
    assert card.sw("00B0000004") == 0x6982  # the auth PIN does not open it
    card.select_ef(0x001B)
    assert card.verify("ABC123") == 0x9000
    expected = pki.credentials("normal").sign_cert
    assert expected is not None
    assert read_cert(card, 0x0001) == expected.public_bytes(serialization.Encoding.DER)


def test_android_token_needs_the_auth_pin_before_the_auth_certificate(make_card: MakeCard) -> None:
    card = make_card("android")
    card.select_aid(JPKI)
    card.select_ef(0x000A)
    assert card.sw("00B0000004") == 0x6982
    card.select_ef(0x0018)
    assert card.verify("2412") == 0x9000
    card.select_ef(0x000A)
    assert card.ok("00B0000002") == b"\x30\x82"


# -- VERIFY ---------------------------------------------------------------------------------------


def test_retry_query_answers_63c3_and_consumes_nothing(card: Card) -> None:
    card.select_aid(JPKI)
    card.select_ef(0x0018)
    assert [card.sw("00200080") for _ in range(5)] == [0x63C3] * 5


def test_five_byte_retry_query_answers_like_the_four_byte_one(card: Card) -> None:
    card.select_aid(JPKI)
    card.select_ef(0x0018)
    assert card.sw("0020008000") == 0x63C3


def test_exhausting_the_auth_pin(card: Card) -> None:
    card.select_aid(JPKI)
    card.select_ef(0x0018)
    assert [card.verify("0000") for _ in range(4)] == [0x63C2, 0x63C1, 0x63C0, 0x6984]
    assert card.sw("00200080") == 0x63C0  # query of a blocked key
    assert card.verify("1234") == 0x6984  # even the right PIN


def test_correct_pin_resets_the_counter(card: Card) -> None:
    card.select_aid(JPKI)
    card.select_ef(0x0018)
    assert card.verify("9999") == 0x63C2
    assert card.verify("1234") == 0x9000
    assert card.sw("00200080") == 0x63C3  # never 90 00 (§2.4, OpenSC needs 63)


def test_query_after_success_can_answer_9000_as_an_option(make_card: MakeCard) -> None:
    card = make_card(query_after_success_9000=True)
    card.select_aid(JPKI)
    card.select_ef(0x0018)
    assert card.verify("1234") == 0x9000
    assert card.sw("00200080") == 0x9000


def test_signing_password_has_five_tries_and_is_case_sensitive(card: Card) -> None:
    card.select_aid(JPKI)
    card.select_ef(0x001B)
    assert card.sw("00200080") == 0x63C5
    assert card.verify("abc123") == 0x63C4  # sent as typed: lower case costs a try (§11.2)
    assert card.verify("ABC123") == 0x9000
    assert card.sw("00200080") == 0x63C5


def test_verify_names_the_key_by_sfi_without_select(card: Card) -> None:
    card.select_aid(JPKI)
    assert card.sw("00200098") == 0x63C3  # P2 = 80 | 18
    assert card.sw("002000980431323334") == 0x9000


def test_verify_with_bad_p1_p2_or_wrong_current_ef(card: Card) -> None:
    card.select_aid(JPKI)
    assert card.sw("00200080") == 0x6986  # no current EF
    card.select_ef(0x000A)
    assert card.sw("00200080") == 0x6981  # not a key reference
    assert card.sw("00200180") == 0x6A86
    assert card.sw("00200001") == 0x6A86


def test_scenario_tries_left(make_card: MakeCard) -> None:
    one = make_card("one-try-left")
    one.select_aid(JPKI)
    one.select_ef(0x0018)
    assert one.sw("00200080") == 0x63C1
    blocked = make_card("blocked")
    blocked.select_aid(JPKI)
    blocked.select_ef(0x0018)
    assert blocked.sw("00200080") == 0x63C0
    assert blocked.verify("7777") == 0x6984


# -- COMPUTE DIGITAL SIGNATURE -----------------------------------------------------------------


def verified_auth(card: Card) -> rsa.RSAPublicKey:
    card.select_aid(JPKI)
    key = public_key_of(read_cert(card, 0x000A))
    card.select_ef(0x0018)
    assert card.verify("1234") == 0x9000
    card.select_ef(0x0017)
    return key


def test_sign_without_pin_is_6982(card: Card) -> None:
    card.select_aid(JPKI)
    card.select_ef(0x0017)
    assert card.sw(sign_apdu(digest_info(b"nonce"))) == 0x6982


def test_sign_digest_info_verifies_with_the_auth_certificate(card: Card) -> None:
    key = verified_auth(card)
    signature = card.ok(sign_apdu(digest_info(b"nonce")))
    assert len(signature) == 256
    key.verify(signature, b"nonce", padding.PKCS1v15(), hashes.SHA256())


def test_signature_schemes_p1_00_to_05(card: Card) -> None:
    key = verified_auth(card)
    message = b"challenge from the center"
    digest = hashlib.sha256(message).digest()
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
    key.verify(
        card.ok(sign_apdu(digest_info(message), 0x00)), message, padding.PKCS1v15(), hashes.SHA256()
    )
    # P1 01: bare hash padded without DigestInfo → recover it with the public key
    bare = card.ok(sign_apdu(message, 0x01))
    recovered = pow(int.from_bytes(bare, "big"), key.public_numbers().e, key.public_numbers().n)
    assert recovered.to_bytes(256, "big").endswith(b"\x00" + digest)
    key.verify(
        card.ok(sign_apdu(digest, 0x02)), digest, padding.PKCS1v15(), Prehashed(hashes.SHA256())
    )
    key.verify(card.ok(sign_apdu(message, 0x03)), message, padding.PKCS1v15(), hashes.SHA256())
    key.verify(card.ok(sign_apdu(digest, 0x04)), digest, pss, Prehashed(hashes.SHA256()))
    key.verify(card.ok(sign_apdu(message, 0x05)), message, pss, hashes.SHA256())


def test_bad_scheme_is_6a86_and_bad_lengths_are_6700(card: Card) -> None:
    verified_auth(card)
    assert card.sw(sign_apdu(digest_info(b"x"), 0x06)) == 0x6A86
    assert card.sw(sign_apdu(b"\x01" * 246, 0x00)) == 0x6700  # > k − 11
    assert card.sw(sign_apdu(b"\x01" * 31, 0x02)) == 0x6700  # not a SHA-256
    assert card.sw("802A008000") == 0x6700  # no data


def test_key_named_by_sfi_in_p2_gives_the_same_signature(card: Card) -> None:
    verified_auth(card)
    data = digest_info(b"same")
    by_current = card.ok(sign_apdu(data))
    card.select_ef(0x000A)
    assert card.ok(sign_apdu(data, p2=0x97)) == by_current  # PKCS#1 v1.5 is deterministic


def test_signing_key_needs_the_signing_password_not_the_auth_pin(card: Card) -> None:
    verified_auth(card)
    card.select_ef(0x001A)
    assert card.sw(sign_apdu(digest_info(b"doc"))) == 0x6982
    card.select_ef(0x001B)
    assert card.verify("ABC123") == 0x9000
    card.select_ef(0x0001)
    cert = read_cert(card, 0x0001)
    card.select_ef(0x001A)
    signature = card.ok(sign_apdu(digest_info(b"doc")))
    public_key_of(cert).verify(signature, b"doc", padding.PKCS1v15(), hashes.SHA256())


def test_sign_on_a_non_key_ef_or_none(card: Card) -> None:
    card.select_aid(JPKI)
    assert card.sw(sign_apdu(digest_info(b"x"))) == 0x6986
    card.select_ef(0x000A)
    assert card.sw(sign_apdu(digest_info(b"x"))) == 0x6981


# -- security state --------------------------------------------------------------------------------


def test_power_off_clears_the_security_state(card: Card) -> None:
    verified_auth(card)
    card.power_cycle()
    card.select_aid(JPKI)
    card.select_ef(0x0017)
    assert card.sw(sign_apdu(digest_info(b"x"))) == 0x6982


def test_selecting_another_ap_clears_the_security_state(card: Card) -> None:
    verified_auth(card)
    assert card.select_aid(HOJO) == 0x9000
    card.select_aid(JPKI)
    card.select_ef(0x0017)
    assert card.sw(sign_apdu(digest_info(b"x"))) == 0x6982


def test_failed_select_keeps_the_security_state(card: Card) -> None:
    verified_auth(card)
    assert card.select_aid("A000000308000010000100") == 0x6A82
    assert card.select_ef(0x0017) == 0x9000
    assert card.sw(sign_apdu(digest_info(b"x"))) == 0x9000


def test_reselecting_the_same_ap_keeps_it_by_default(card: Card) -> None:
    verified_auth(card)
    card.select_aid(JPKI)
    card.select_ef(0x0017)
    assert card.sw(sign_apdu(digest_info(b"x"))) == 0x9000


def test_reselecting_the_same_ap_clears_it_as_an_option(make_card: MakeCard) -> None:
    card = make_card(reselect_clears_security=True)
    verified_auth(card)
    card.select_aid(JPKI)
    card.select_ef(0x0017)
    assert card.sw(sign_apdu(digest_info(b"x"))) == 0x6982


def test_warm_reset_keeps_security_by_default_and_clears_it_as_an_option(
    make_card: MakeCard,
) -> None:
    card = make_card()
    verified_auth(card)
    assert card.transport.reset() == card.card.atr
    assert card.sw(sign_apdu(digest_info(b"x"))) == 0x9000
    strict = make_card(warm_reset_clears_security=True)
    verified_auth(strict)
    strict.transport.reset()
    strict.select_aid(JPKI)
    strict.select_ef(0x0017)
    assert strict.sw(sign_apdu(digest_info(b"x"))) == 0x6982


def test_gp_isd_select_restores_the_power_on_state(card: Card) -> None:
    verified_auth(card)
    assert card.select_aid("A0000001510000") == 0x9000
    assert card.sw("00A40000") == 0x6A86  # MF state again
    card.select_aid(JPKI)
    card.select_ef(0x0017)
    assert card.sw(sign_apdu(digest_info(b"x"))) == 0x6982


# -- CHANGE REFERENCE DATA ---------------------------------------------------------------------


def test_change_pin_needs_verification_and_a_valid_value(card: Card) -> None:
    card.select_aid(JPKI)
    card.select_ef(0x0018)
    assert card.sw("0024018004" + b"5678".hex()) == 0x6982
    assert card.verify("1234") == 0x9000
    assert card.sw("0024018003" + b"567".hex()) == 0x6A80
    assert card.sw("0024018004" + b"56A8".hex()) == 0x6A80
    assert card.sw("0024018004" + b"5678".hex()) == 0x9000
    card.power_cycle()
    card.select_aid(JPKI)
    card.select_ef(0x0018)
    assert card.verify("1234") == 0x63C2
    assert card.verify("5678") == 0x9000


def test_change_key_instruction_of_juki_is_not_the_jpki_one(card: Card) -> None:
    card.select_aid(JPKI)
    card.select_ef(0x0018)
    card.verify("1234")
    assert card.sw("8032008004" + b"5678".hex()) == 0x6D00


# -- class and instruction errors, odd commands ------------------------------------------------


@pytest.mark.parametrize(
    ("apdu", "sw"),
    [
        ("01A4040C0AD392F000260100000001", 0x6881),  # logical channel 1
        ("41A4040C0AD392F000260100000001", 0x6881),  # further interindustry class
        ("81A4020C02000A", 0x6881),  # proprietary class on channel 1
        ("A0A4040C0AD392F000260100000001", 0x6E00),
        ("FFCA000000", 0x6E00),  # reader pseudo-APDU reaching the card
        ("80B0000004", 0x6E00),  # ISO instruction in the proprietary class
        ("002A008000", 0x6E00),  # proprietary instruction in the ISO class
        ("00E0000000", 0x6D00),
        ("0012000000", 0x6D00),
        ("08B0000004", 0x69FC),  # secure messaging CLA on a JPKI read (§2.1)
        ("10A4040C0AD392F000260100000001", 0x6884),  # command chaining
        ("00A4040C0BD392F000260100000001", 0x6700),  # Lc larger than the data
        ("00A4", 0x6700),
        ("80A2000000", 0x6A86),
        ("80FC0000", 0x6700),  # last command indicator on a physical card
        ("80AE000000", 0x6982),  # SET SESSION KEY at MF
        ("00A4070C02000A", 0x6A86),  # unsupported selection mode
    ],
)
def test_status_words_for_odd_commands(card: Card, apdu: str, sw: int) -> None:
    assert card.sw(apdu) == sw


def test_set_session_key_on_jpki_is_6982(card: Card) -> None:
    card.select_aid(JPKI)
    assert card.sw("80AE00000100") == 0x6982


def test_iphone_token_accepts_the_last_command_indicator(make_card: MakeCard) -> None:
    assert make_card("iphone").sw("80FC0000") == 0x9000


def test_internal_authenticate_on_jpki_keys_is_refused(card: Card) -> None:
    card.select_aid(JPKI)
    card.select_ef(0x0017)
    assert card.sw("0088008008" + "00" * 8 + "00") == 0x6982
    card.select_ef(0x0018)
    card.verify("1234")
    assert card.sw("0088009708" + "00" * 8 + "00") == 0x6985


def test_get_challenge(card: Card) -> None:
    first, sw = card("0084000008")
    assert (len(first), sw) == (8, 0x9000)
    assert card.ok("0084000008") != first
    assert len(card.ok("0084000000")) == 256
    assert card.sw("00840000000008") == 0x6985  # extended form refused (§2.6)
    assert card.sw("0084010008") == 0x6A86


def test_first_command_after_power_up_is_6f00_for_that_persona(make_card: MakeCard) -> None:
    card = make_card("first-6f00")
    assert card.sw("00A4040C0AD392F000260100000001") == 0x6F00
    assert card.sw("00A4040C0AD392F000260100000001") == 0x9000
    card.power_cycle()
    assert card.sw("00200080") == 0x6F00
    assert card.select_aid(JPKI) == 0x9000


def test_slow_card_delays_every_answer(make_card: MakeCard) -> None:
    import time

    card = make_card("slow")
    assert card.card.profile.response_delay_s == get_persona("slow").slow_delay_s > 0.1
    started = time.monotonic()
    assert card.select_aid(JPKI) == 0x9000
    assert time.monotonic() - started >= card.card.profile.response_delay_s
