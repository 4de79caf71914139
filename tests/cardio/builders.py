"""Card data built from jpki-card.md (not from the simulator): certificates, token info, the
券面事項入力補助 EFs and their integrity record, for transcript and property tests."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

AUTH_CN = "997794E9AGCIEG13221003A"  # the test-card identifier format of jpki-card.md §10.2


@cache
def rsa_key(label: str) -> rsa.RSAPrivateKey:
    """One RSA-2048 key per label, generated once per test run."""
    del label
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate(cn: str = AUTH_CN, *, extra_names: int = 0) -> bytes:
    """A DER certificate shaped like the authentication certificate (C=JP, CN=identifier).

    ``extra_names`` pads the issuer so the certificate grows (to hit size boundaries).
    """
    key = rsa_key("auth")
    ca_key = rsa_key("ca")
    issuer_parts = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "JPKI-TEST"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "JPKI for user authentication"),
    ]
    issuer_parts += [
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"padding {i:04d}")
        for i in range(extra_names)
    ]
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )
    now = dt.datetime(2025, 10, 27, tzinfo=dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(x509.Name(issuer_parts))
        .public_key(key.public_key())
        .serial_number(0x1234567)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1574))
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), True
        )
    )
    from cryptography.hazmat.primitives.serialization import Encoding

    return builder.sign(ca_key, hashes.SHA256()).public_bytes(Encoding.DER)


def token_info(label: str) -> bytes:
    """The first 32 bytes of EF 0006: the label, space-padded (jpki-card.md §4.1)."""
    return label.encode("ascii").ljust(32, b" ")


def tlv(tag: int, value: bytes, *, long_form: bool = False) -> bytes:
    """Encode like the card: two-byte private tags, ``82 HH LL`` from 128 bytes (§2.7)."""
    tag_bytes = tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big")
    if len(value) >= 128 or long_form:
        return tag_bytes + b"\x82" + len(value).to_bytes(2, "big") + value
    return tag_bytes + bytes((len(value),)) + value


def my_number_ef(digits: str = "123456789018") -> bytes:
    """EF 0001: ``FF 10 0C`` + 12 digits + ``FF FF`` (17 bytes, §5.2)."""
    return tlv(0xFF10, digits.encode("ascii")) + b"\xff\xff"


def facts_ef(
    name: str = "黒桐　幹也",
    address: str = "東京都清瀬市上清戸２丁目６番地の４１",
    birth: str = "19800217",
    sex: str = "1",
    *,
    filler: int = 0,
) -> tuple[bytes, bytes]:
    """EF 0002 (with ``filler`` FF bytes after it) and the bytes DF32 covers (DF22..DF25)."""
    items = [
        tlv(0xDF22, name.encode("utf-8")),
        tlv(0xDF23, address.encode("utf-8")),
        tlv(0xDF24, birth.encode("ascii")),
        tlv(0xDF25, sex.encode("ascii")),
    ]
    covered = b"".join(items)
    inner_length = 11 + len(covered)  # DF21 08 + 8 bytes of offsets
    header = 3 if inner_length < 128 else 5
    offsets = []
    position = header + 11
    for item in items:
        offsets.append(position)
        position += len(item)
    table = tlv(0xDF21, b"".join(o.to_bytes(2, "big") for o in offsets))
    return tlv(0xFF20, table + covered) + b"\xff" * filler, covered


def integrity_ef(my_number: bytes, covered_facts: bytes, key: rsa.RSAPrivateKey) -> bytes:
    """EF 0003: FF30 { DF31 sha256(EF 0001), DF32 sha256(DF22..DF25), DF33 signature } (§5.2)."""
    signed = tlv(0xDF31, hashlib.sha256(my_number).digest()) + tlv(
        0xDF32, hashlib.sha256(covered_facts).digest()
    )
    signature = key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
    return tlv(0xFF30, signed + tlv(0xDF33, signature), long_form=True)


def chunks(data: bytes, size: int = 256) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]
