"""Why cardio has its own BER parser (cardio/ber.py) instead of asn1crypto, pinned against the
virtual card's real bytes (docs/card.md, "BER: why not asn1crypto"):

- asn1crypto refuses EF 0001 of the 券面事項入力補助AP: its tag ``FF 10`` is a private tag
  below 31 written in the two-byte form, which DER forbids ("Non-minimal tag encoding");
- the certificate EF is read in chunks and its length comes from the first chunk's header:
  asn1crypto parses only whole values ("Insufficient data"), cardio.ber.parse_header a header.

asn1crypto is a test-only dependency (dev extras): nothing in the kiosk parses a standard DER
structure that cryptography does not (certificates, OCSP and ECDSA signatures all go through
cryptography; the DigestInfo is RFC 8017's fixed prefix).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from asn1crypto import parser as asn1_parser
from cryptography.hazmat.primitives.serialization import Encoding

from cardio import KenmenHojoSession, UserPin, ber
from hw_sim.card import InProcessReader
from hw_sim.personas import get_persona
from hw_sim.pki import JpkiTestPki

FIRST_CHUNK = 256  # the driver's first READ BINARY of the certificate EF (docs/card.md)


def test_asn1crypto_refuses_the_my_number_ef_that_cardio_parses(
    pki: JpkiTestPki, tmp_path: Path
) -> None:
    persona = get_persona("normal")
    with InProcessReader(tmp_path / "cards", pki.folder) as reader:
        reader.insert(0, persona.id)
        session = KenmenHojoSession(reader.connect())
        with UserPin(persona.auth_pin) as pin:
            session.verify(pin)
        ef0001 = session.read_my_number_ef()
    assert ef0001[:3] == bytes.fromhex("FF 10 0C")  # jpki-card.md §5.2: FF 10 0C <12 digits>
    with pytest.raises(ValueError, match="Non-minimal tag encoding"):
        asn1_parser.parse(ef0001[:15])
    tlv = ber.parse_one(ef0001[:15])
    assert (tlv.tag, tlv.value) == (0xFF10, persona.my_number.encode())


def test_asn1crypto_needs_the_whole_certificate_cardio_reads_the_header(
    pki: JpkiTestPki,
) -> None:
    certificate = pki.credentials("normal").auth_cert.public_bytes(Encoding.DER)
    first = certificate[:FIRST_CHUNK]
    with pytest.raises(ValueError, match="Insufficient data"):
        asn1_parser.parse(first)
    tag, length, header = ber.parse_header(first)
    assert (tag, header + length) == (0x30, len(certificate))
    # Given everything, asn1crypto agrees: the certificate itself is plain DER.
    assert asn1_parser.parse(certificate)[4] == certificate[header:]
