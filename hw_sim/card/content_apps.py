"""The card's other applications: 券面事項入力補助AP (§5), 券面事項確認AP (§6), 住基AP and
共通カードAP (§7), and the MF-level files and data objects (§8) — from jpki-card.md."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from PIL import Image

from hw_sim.card.model import (
    Application,
    BinaryFile,
    InternalAuth,
    KeyFile,
    OpaqueFile,
    PinFile,
    RecordFile,
    ber_tlv,
    digits,
    pad,
    rsa_public_key_tlv,
    simple_tlv,
)
from hw_sim.card.profile import CardProfile
from hw_sim.personas import Persona, era_of
from hw_sim.pki import JpkiTestPki, PersonaCredentials

KENMEN_HOJO_AID = bytes.fromhex("D3921000310001010408")  # 券面事項入力補助AP
KENMEN_AID = bytes.fromhex("D3921000310001010402")  # 券面事項確認AP
JUKI_AID = bytes.fromhex("D3921000310001010401")  # 住基AP
COMMON_AID = bytes.fromhex("D3921000310001010100")  # 共通カードAP

FILLER = 0xFF  # filler after TLV objects in the 券面 APs (§2.3, measured)
# Key IDs of the test hierarchy: production CV issuer IDs start "5000033…"/"5000023…", the test
# ones "6000033…"/"6000023…" (§5.2, §6); the rest of each ID is ours.
CV_ROOT_KEY_ID = b"6000033000000001"
HOJO_ISSUER_KEY_ID = b"6000033100000001"
KENMEN_ISSUER_KEY_ID = b"6000023100000001"


def _issuer_sign(key: rsa.RSAPrivateKey, data: bytes) -> bytes:
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def cv_certificate(
    cv_root: rsa.RSAPrivateKey, issuer_id: bytes, subject_id: bytes, subject: rsa.RSAPublicKey
) -> bytes:
    """A card-verifiable certificate ``7F 21 { 5F 4E body, 5F 37 signature }`` (§5.2 EF 0004):
    body = 16-byte 証明者鍵ID + 16-byte 被証明者鍵ID + 265-byte RSA key; the signature (by the CV
    root, not on the card) covers the 5F4E TLV."""
    body = ber_tlv(b"\x5f\x4e", issuer_id + subject_id + rsa_public_key_tlv(subject))
    return ber_tlv(b"\x7f\x21", body + ber_tlv(b"\x5f\x37", _issuer_sign(cv_root, body)))


@dataclass(frozen=True)
class FourFacts:
    """EF 0002 of the 券面事項入力補助AP and the parts the integrity record covers."""

    ef: bytes  # the whole TLV (without filler)
    signed_part: bytes  # DF22..DF25 TLVs (what DF32 digests, §5.2)


def four_facts(persona: Persona) -> FourFacts:
    """``FF 20 { DF21 offsets, DF22 name, DF23 address, DF24 birth YYYYMMDD, DF25 sex }``; the
    DF21 table holds the four big-endian u16 offsets from the start of the file to the DF22..DF25
    tags (§5.2, checked there against a test card)."""
    parts = [
        ber_tlv(b"\xdf\x22", persona.name.encode("utf-8")),
        ber_tlv(b"\xdf\x23", persona.address.encode("utf-8")),
        ber_tlv(b"\xdf\x24", f"{persona.birth_date:%Y%m%d}".encode("ascii")),
        ber_tlv(b"\xdf\x25", persona.sex.encode("ascii")),
    ]
    signed_part = b"".join(parts)
    table_len = 2 + 1 + 8
    outer_len = table_len + len(signed_part)
    header_len = 3 if outer_len < 0x80 else 5  # FF 20 LL or FF 20 82 HH LL
    offsets = []
    position = header_len + table_len
    for part in parts:
        offsets.append(position)
        position += len(part)
    table = ber_tlv(b"\xdf\x21", b"".join(o.to_bytes(2, "big") for o in offsets))
    return FourFacts(ber_tlv(b"\xff\x20", table + signed_part), signed_part)


def my_number_ef(persona: Persona) -> bytes:
    """EF 0001: ``FF 10 0C`` + 12 ASCII digits + ``FF FF`` = 17 bytes (§5.2, measured)."""
    return ber_tlv(b"\xff\x10", persona.my_number.encode("ascii")) + b"\xff\xff"


def integrity_record(ef0001: bytes, facts: FourFacts, issuer: rsa.RSAPrivateKey) -> bytes:
    """EF 0003 (§5.2): ``FF 30 82 01 4B { DF31 SHA-256(physical EF 0001), DF32 SHA-256(DF22..DF25),
    DF33 82 01 00 signature }``; the signature (sha256WithRSAEncryption, PKCS#1 v1.5) covers the
    DF31 and DF32 TLVs. 336 bytes."""
    signed = ber_tlv(b"\xdf\x31", hashlib.sha256(ef0001).digest()) + ber_tlv(
        b"\xdf\x32", hashlib.sha256(facts.signed_part).digest()
    )
    return ber_tlv(b"\xff\x30", signed + ber_tlv(b"\xdf\x33", _issuer_sign(issuer, signed)))


def _size_for(content: bytes, minimum: int) -> int:
    """Physical EF size: at least ``minimum``, else the next multiple of 32 (sizes unknown)."""
    return max(minimum, (len(content) + 31) // 32 * 32)


def kenmen_hojo_application(
    persona: Persona, creds: PersonaCredentials, pki: JpkiTestPki, profile: CardProfile
) -> Application:
    """券面事項入力補助AP (§5): PIN 0011, 照合番号A 0014, 照合番号B 0015, EFs 0001–0008."""
    app = Application(
        name="KENMEN_HOJO",
        aid=KENMEN_HOJO_AID,
        default_key=0x0013,
        change_ins=(0x00, 0x24),
        # Secure messaging (SET SESSION KEY then AES, §5.5) is not simulated: the card refuses
        # the cryptogram as if it did not decrypt.
        set_session_key_sw=0x6A80,
    )
    pin, lookup_a, lookup_b = 0x0011, 0x0014, 0x0015
    any_credential = frozenset({pin, lookup_a, lookup_b})
    ef1 = my_number_ef(persona)
    facts = four_facts(persona)
    issuer = pki.kenmen_issuer_key
    ap_key_tlv = ber_tlv(b"\xdf\x51", rsa_public_key_tlv(creds.text_ap_key.public_key()))
    basic_info = ber_tlv(
        b"\xff\x40",
        ber_tlv(b"\xdf\x41", bytes.fromhex("01030E01"))  # value seen on a card (§5.2)
        + ber_tlv(b"\xdf\x42", HOJO_ISSUER_KEY_ID)
        + ber_tlv(b"\xdf\x43", hashlib.sha256(HOJO_ISSUER_KEY_ID).digest() + b"\xff" * 96),
    )
    app.add(
        PinFile(pin, persona.auth_pin.encode("ascii"), 3, counter="hojo-0011", accepts=digits(4)),
        PinFile(0x0012, None, 3, counter="hojo-0012"),  # blocked on every card examined (§5.1)
        KeyFile(0x0013, creds.text_ap_key, needs=None, internal_auth=InternalAuth.REFUSED),
        PinFile(lookup_a, persona.my_number.encode("ascii"), profile.lookup_tries, "hojo-0014"),
        PinFile(lookup_b, persona.shogo_b.encode("ascii"), profile.lookup_tries, "hojo-0015"),
        BinaryFile(0x0001, ef1, frozenset({pin, lookup_a})),
        BinaryFile(
            0x0002, pad(facts.ef, _size_for(facts.ef, 256), FILLER), frozenset({pin, lookup_b})
        ),
        BinaryFile(0x0003, integrity_record(ef1, facts, issuer), any_credential),
        BinaryFile(
            0x0004,
            cv_certificate(
                pki.kenmen_cv_root_key, CV_ROOT_KEY_ID, HOJO_ISSUER_KEY_ID, issuer.public_key()
            ),
        ),
        BinaryFile(0x0005, pad(basic_info, 256, FILLER)),
        BinaryFile(
            0x0006,
            ber_tlv(b"\xa1", rsa_public_key_tlv(creds.session_key.public_key())),
            any_credential,
        ),
        BinaryFile(
            0x0007,
            ber_tlv(
                b"\xff\x50", ap_key_tlv + ber_tlv(b"\xdf\x52", _issuer_sign(issuer, ap_key_tlv))
            ),
            any_credential,
        ),
        BinaryFile(0x0008, b"\xff" * 16),
    )
    return app


def _blank_png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height), 1).save(out, "PNG", optimize=True)
    return out.getvalue()


def _blank_photo() -> bytes:
    out = io.BytesIO()
    Image.new("L", (96, 120), 224).save(out, "JPEG2000")  # the card's photo is JPEG 2000 (§6)
    return out.getvalue()


def kenmen_application(
    persona: Persona, creds: PersonaCredentials, pki: JpkiTestPki, profile: CardProfile
) -> Application:
    """券面事項確認AP (§6) with placeholder images (blank PNGs, a grey JPEG 2000 photo): the
    structure and access rules are the card's, the pictures are not rendered."""
    birth_key, lookup_b, lookup_a = 0x0011, 0x0012, 0x0013
    issuer = pki.kenmen_issuer_key
    issuer_pub = rsa_public_key_tlv(issuer.public_key())
    _, era_year = era_of(persona.birth_date)
    birth_yymmdd = f"{era_year:02d}{persona.birth_date:%m%d}".encode("ascii")

    age_body = ber_tlv(b"\xdf\x11", f"{persona.birth_date:%Y%m%d}".encode()) + ber_tlv(
        b"\xdf\x12", issuer_pub
    )
    age = ber_tlv(b"\xff\x10", age_body + ber_tlv(b"\xdf\x13", _issuer_sign(issuer, age_body)))

    signed = [
        ber_tlv(b"\xdf\x22", f"{persona.birth_date:%Y%m%d}".encode()),
        ber_tlv(b"\xdf\x23", persona.sex.encode()),
        ber_tlv(b"\xdf\x24", issuer_pub),
        ber_tlv(b"\xdf\x25", _blank_png(512, 64)),
        ber_tlv(b"\xdf\x26", _blank_png(512, 128)),
        ber_tlv(b"\xdf\x27", _blank_photo()),
    ]
    signed_bytes = b"".join(signed)
    tail = [
        ber_tlv(b"\xdf\x28", _issuer_sign(issuer, signed_bytes)),
        ber_tlv(b"\xdf\x29", f"{persona.card_expiry:%Y%m%d}".encode()),
        ber_tlv(b"\xdf\x2a", _blank_png(96, 24)),
    ]
    parts = signed + tail
    table_len = 3 + 2 * len(parts)
    body_len = table_len + sum(len(p) for p in parts)
    position = 2 + (1 if body_len < 0x80 else 3) + table_len
    offsets = b""
    for part in parts:
        offsets += position.to_bytes(2, "big")
        position += len(part)
    face = ber_tlv(b"\xff\x20", ber_tlv(b"\xdf\x21", offsets) + b"".join(parts))

    basic = ber_tlv(
        b"\xff\x30",
        ber_tlv(b"\xdf\x31", bytes.fromhex("06030E01"))
        + ber_tlv(b"\xdf\x32", KENMEN_ISSUER_KEY_ID)
        + ber_tlv(b"\xdf\x33", b"\x01")
        + ber_tlv(b"\xdf\x34", persona.municipality_code[:5].encode())  # 5-digit code (§6)
        + ber_tlv(b"\xdf\x35", KENMEN_ISSUER_KEY_ID + hashlib.sha512(issuer_pub).digest() * 4),
    )
    number_body = ber_tlv(b"\xdf\x41", _blank_png(72, 12)) + ber_tlv(b"\xdf\x42", issuer_pub)
    number = ber_tlv(
        b"\xff\x40", number_body + ber_tlv(b"\xdf\x43", _issuer_sign(issuer, number_body))
    )

    app = Application(name="KENMEN", aid=KENMEN_AID, set_session_key_sw=0x66F1)  # §2.6
    app.add(
        PinFile(birth_key, birth_yymmdd, profile.lookup_tries, "kenmen-0011"),
        PinFile(lookup_b, persona.shogo_b.encode("ascii"), profile.lookup_tries, "kenmen-0012"),
        PinFile(lookup_a, persona.my_number.encode("ascii"), profile.lookup_tries, "kenmen-0013"),
        BinaryFile(0x0001, pad(age, _size_for(age, 0), FILLER), frozenset({birth_key})),
        BinaryFile(0x0002, pad(face, _size_for(face, 0), FILLER), frozenset({lookup_a, lookup_b})),
        BinaryFile(0x0003, pad(basic, _size_for(basic, 0), FILLER)),
        BinaryFile(
            0x0004,
            cv_certificate(
                pki.kenmen_cv_root_key, CV_ROOT_KEY_ID, KENMEN_ISSUER_KEY_ID, issuer.public_key()
            ),
        ),
        BinaryFile(0x0005, pad(number, _size_for(number, 0), FILLER), frozenset({lookup_a})),
        BinaryFile(0x0006, b"\xff" * 16, frozenset({lookup_a, lookup_b})),
    )
    return app


def _key_reference(card_serial: str, app: str) -> bytes:
    return hashlib.sha256(f"{app}:{card_serial}".encode()).digest()[:16]


def juki_application(persona: Persona, card_serial: str) -> Application:
    """住基AP (§7): EF 0002 (one 16-byte key-reference record), PIN 001C (4 digits, 3 tries),
    changed with CHANGE KEY ``80 32``. Its other content is unknown."""
    app = Application(name="JUKI", aid=JUKI_AID, change_ins=(0x80, 0x32), set_session_key_sw=0x6982)
    return app.add(
        RecordFile(0x0002, [_key_reference(card_serial, "common")]),
        PinFile(0x001C, persona.auth_pin.encode("ascii"), 3, "juki-001C", accepts=digits(4)),
    )


def common_application(
    persona: Persona, creds: PersonaCredentials, card_serial: str
) -> Application:
    """共通カードAP (§7): EF 0001 record 1 = ``01 1C`` + 15-digit serial + 5-digit municipality
    code + expiry YYYYMMDD; EF 0002 key reference; key 0019 answers INTERNAL AUTHENTICATE without
    credential; PIN 001C."""
    record = simple_tlv(
        0x01,
        (card_serial + persona.municipality_code[:5] + f"{persona.card_expiry:%Y%m%d}").encode(),
    )
    app = Application(
        name="COMMON", aid=COMMON_AID, change_ins=(0x80, 0x32), set_session_key_sw=0x66F1
    )
    return app.add(
        RecordFile(0x0001, [record]),
        RecordFile(0x0002, [_key_reference(card_serial, "common")]),
        KeyFile(
            0x0019,
            creds.common_key,
            needs=None,
            internal_auth=InternalAuth.SIGN,
            compute_signature=False,
        ),
        PinFile(0x001C, persona.auth_pin.encode("ascii"), 3, "common-001C", accepts=digits(4)),
    )


def mf_files() -> list[OpaqueFile]:
    """MF level (§8): 001E is selectable but not readable (69 81)."""
    return [OpaqueFile(0x001E, 0x6981)]


def mf_data_objects(persona: Persona, profile: CardProfile, card_serial: str) -> dict[int, bytes]:
    """GET DATA objects (§8): 0042 issuer id, 0045 card id, 00F0 municipality code (5 ASCII
    digits), 00F2 card expiry (8 ASCII digits), 5F51 the contact ATR without TS."""
    return {
        0x0042: b"JPKI-TEST-ISSUER"[:16].ljust(16, b" "),
        0x0045: card_serial.encode("ascii"),
        0x00F0: persona.municipality_code[:5].encode("ascii"),
        0x00F2: f"{persona.card_expiry:%Y%m%d}".encode("ascii"),
        0x5F51: profile.atr[1:],
    }
