"""The JPKI AP (公的個人認証AP) of a persona's card: files, PINs and keys (jpki-card.md §4)."""

from __future__ import annotations

import struct

from cryptography.hazmat.primitives.serialization import Encoding

from hw_sim.card.model import (
    Application,
    BinaryFile,
    InternalAuth,
    KeyFile,
    OpaqueFile,
    PinFile,
    digits,
    pad,
    signing_password,
)
from hw_sim.card.profile import CardProfile
from hw_sim.personas import Persona
from hw_sim.pki import JpkiTestPki, PersonaCredentials

JPKI_AID = bytes.fromhex("D392F000260100000001")

# EF / key FIDs (§4.1)
EF_SIGN_CERT = 0x0001
EF_SIGN_CA = 0x0002
EF_TOKEN_INFO = 0x0006
EF_CERT_AVAILABILITY = 0x0008
EF_PROTECTED_0009 = 0x0009
EF_AUTH_CERT = 0x000A
EF_AUTH_CA = 0x000B
KEY_TERMINAL_CA = 0x0016
KEY_AUTH = 0x0017
PIN_AUTH = 0x0018
KEY_SIGN = 0x001A
PIN_SIGN = 0x001B

AUTH_PIN_TRIES = 3  # §4.1: OpenSC JPKI_AUTH_PIN_MAX_TRIES, real pkcs15-tool "Tries left: 3"
SIGN_PIN_TRIES = 5  # §4.1: OpenSC, 5 tries

# EF 0008 (§4.1, measured on one card + inference): 8F 8F 00 both certificates, 00 8F 00 none
# for signing (children under 15).
BOTH_CERTS = bytes.fromhex("8F8F00")
AUTH_ONLY = bytes.fromhex("008F00")

# CK_TOKEN_INFO field values from [MC]'s "physical card token info layout" test (§4.1).
_TOKEN_MANUFACTURER = "0" * 31 + "1"
_TOKEN_MODEL = "E16R01NJ"  # noqa: S105 - a model name, not a secret
_TOKEN_FLAGS = 0x0000040D  # CKF_RNG | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | ...
_UNAVAILABLE = 0xFFFFFFFF  # CK_UNAVAILABLE_INFORMATION for the memory fields


def token_info(label: str, serial: str) -> bytes:
    """EF 0006: the 160-byte big-endian CK_TOKEN_INFO (label[32], manufacturerID[32],
    model[16], serialNumber[16], 11 × u32, hardwareVersion[2], firmwareVersion[2],
    utcTime[16]); text fields blank-padded (§4.1)."""

    def text(value: str, size: int) -> bytes:
        return value.encode("ascii")[:size].ljust(size, b" ")

    numbers = struct.pack(
        ">11I",
        _TOKEN_FLAGS,
        1,  # ulMaxSessionCount
        0,  # ulSessionCount
        1,  # ulMaxRwSessionCount
        0,  # ulRwSessionCount
        16,  # ulMaxPinLen (signing password, §4.1)
        6,  # ulMinPinLen
        _UNAVAILABLE,
        _UNAVAILABLE,
        _UNAVAILABLE,
        _UNAVAILABLE,
    )
    info = (
        text(label, 32)
        + text(_TOKEN_MANUFACTURER, 32)
        + text(_TOKEN_MODEL, 16)
        + text(serial, 16)
        + numbers
        + b"03"  # hardwareVersion as ASCII, as on the card
        + b"01"  # firmwareVersion
        + b" " * 16  # utcTime: the token has no clock
    )
    assert len(info) == 160
    return info


def jpki_application(
    persona: Persona,
    creds: PersonaCredentials,
    pki: JpkiTestPki,
    profile: CardProfile,
    serial: str,
) -> Application:
    """The JPKI AP with the persona's certificates, keys and PINs."""
    app = Application(
        name="JPKI",
        aid=JPKI_AID,
        change_ins=(0x00, 0x24),
        set_session_key_sw=0x6982,  # §2.6: 69 82 on the JPKI AP
    )

    def cert_ef(fid: int, der: bytes, read: frozenset[int] | None = None) -> BinaryFile:
        return BinaryFile(fid, pad(der, profile.cert_ef_size, profile.cert_filler), read)

    auth_read = frozenset({PIN_AUTH}) if profile.auth_cert_needs_pin else None
    app.add(
        cert_ef(EF_AUTH_CERT, creds.auth_cert.public_bytes(Encoding.DER), auth_read),
        cert_ef(EF_AUTH_CA, pki.auth_ca_cert.public_bytes(Encoding.DER)),
        cert_ef(EF_SIGN_CA, pki.sign_ca_cert.public_bytes(Encoding.DER)),
        BinaryFile(EF_TOKEN_INFO, token_info(profile.token_label, serial)),
        OpaqueFile(EF_PROTECTED_0009, 0x6982),  # §4.1: protected, content unknown
        OpaqueFile(KEY_TERMINAL_CA, 0x6981),  # §4.1: key reference used by 80 A2
        PinFile(
            PIN_AUTH,
            persona.auth_pin.encode("ascii"),
            AUTH_PIN_TRIES,
            counter="jpki-0018",
            accepts=digits(4),
            initial_tries=persona.auth_pin_tries,
        ),
        KeyFile(KEY_AUTH, creds.auth_key, needs=PIN_AUTH, internal_auth=InternalAuth.BEHIND_PIN),
    )
    if creds.sign_cert is not None and creds.sign_key is not None and persona.signing_password:
        app.add(
            BinaryFile(EF_CERT_AVAILABILITY, BOTH_CERTS),
            cert_ef(
                EF_SIGN_CERT,
                creds.sign_cert.public_bytes(Encoding.DER),
                frozenset({PIN_SIGN}),  # §4.1: readable only after the signing password
            ),
            PinFile(
                PIN_SIGN,
                persona.signing_password.encode("ascii"),
                SIGN_PIN_TRIES,
                counter="jpki-001B",
                accepts=signing_password,
                initial_tries=persona.signing_password_tries,
            ),
            KeyFile(KEY_SIGN, creds.sign_key, needs=PIN_SIGN),
        )
    else:
        # No signing certificate (under 15): EF 0008 says so; 0001 and 001A do not exist. The
        # password reference stays, unusable like the text AP's 0012 (query 63 C0, VERIFY 69 84),
        # so that clients that list both PINs (OpenSC's PKCS#15 emulation) still bind.
        app.add(
            BinaryFile(EF_CERT_AVAILABILITY, AUTH_ONLY),
            PinFile(PIN_SIGN, None, SIGN_PIN_TRIES, counter="jpki-001B"),
        )
    return app
