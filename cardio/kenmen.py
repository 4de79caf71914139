"""The 券面事項入力補助AP: the 4 facts (基本4情報), the My Number, and their integrity record.

Credentials (jpki-card.md §5.1): the 4-digit 暗証番号 (EF 0011) opens everything; 照合番号A
(the My Number, EF 0014) opens the My Number only; 照合番号B (EF 0015) opens the 4 facts only.
Every one also opens the integrity record EF 0003, whose DF31/DF32 are SHA-256 digests of the
My Number EF and of the 4 facts, signed by the issuer (§5.2).

Personal data never appears in ``repr``: the result types mask their fields.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import NoReturn

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from cardio import apdu
from cardio._files import READ_CHUNK, read_chunk, read_object
from cardio._session import ApplicationSession
from cardio.apdu import AID
from cardio.ber import Tlv, parse_all, parse_one
from cardio.errors import IntegrityError, InvalidPinFormat, MalformedResponse
from cardio.pin import CollationNumberA, CollationNumberB, Secret, UserPin

__all__ = [
    "BasicFacts",
    "IntegrityReport",
    "KenmenHojoSession",
    "KenmenRecord",
    "MyNumber",
    "Sex",
    "SignatureStatus",
    "load_issuer_public_key",
    "parse_basic_facts",
    "parse_integrity_record",
    "parse_my_number",
]

# Key references (PIN EFs) of this application, jpki-card.md §5.1.
PIN_EF = {UserPin: 0x0011, CollationNumberA: 0x0014, CollationNumberB: 0x0015}
PIN_MAX_TRIES = 3  # 暗証番号: 3 tries (§5.1); the 照合番号 limits are undocumented (§12.10)
EF_MY_NUMBER = 0x0001
EF_BASIC_FACTS = 0x0002
EF_INTEGRITY = 0x0003
TAG_MY_NUMBER = 0xFF10
TAG_FACTS = 0xFF20
TAG_OFFSETS, TAG_NAME, TAG_ADDRESS, TAG_BIRTH, TAG_SEX = 0xDF21, 0xDF22, 0xDF23, 0xDF24, 0xDF25
TAG_INTEGRITY = 0xFF30
TAG_MY_NUMBER_DIGEST, TAG_FACTS_DIGEST, TAG_SIGNATURE = 0xDF31, 0xDF32, 0xDF33
MAX_FACTS_LENGTH = 4096  # name + address in UTF-8; a few hundred bytes in practice
MAX_INTEGRITY_LENGTH = 1024  # 336 B on a real card (§5.2)


class Sex(Enum):
    """性別 codes of DF25 (jpki-card.md §5.2; JIS X 0303)."""

    UNKNOWN = "0"
    MALE = "1"
    FEMALE = "2"
    NOT_APPLICABLE = "9"


@dataclass(frozen=True)
class BasicFacts:
    """基本4情報. ``name`` has the family and given names separated by U+3000; the address uses
    full-width digits; ``birth_date`` is ``YYYYMMDD`` (Gregorian) as stored."""

    name: str = field(repr=False)
    address: str = field(repr=False)
    birth_date: str = field(repr=False)
    sex: Sex = field(repr=False)

    def birth_date_as_date(self) -> date | None:
        """The birth date as a ``date``, or None when the stored date is incomplete."""
        try:
            return date(
                int(self.birth_date[:4]), int(self.birth_date[4:6]), int(self.birth_date[6:])
            )
        except ValueError:
            return None


class MyNumber:
    """The 12-digit 個人番号; ``digits`` gives it, ``repr``/``str`` mask it."""

    __slots__ = ("_digits",)

    def __init__(self, digits: str) -> None:
        self._digits = digits

    @property
    def digits(self) -> str:
        return self._digits

    def __repr__(self) -> str:
        return "MyNumber(************)"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("MyNumber cannot be pickled")


class SignatureStatus(Enum):
    """Whether the integrity record's signature was checked."""

    VERIFIED = "verified"
    NO_KEY_CONFIGURED = "no issuer key configured"


@dataclass(frozen=True)
class IntegrityReport:
    """Outcome of a passed integrity check (a failed one raises :class:`IntegrityError`).

    ``facts_checked`` / ``my_number_checked``: whether that EF was read and its digest matched
    (照合番号B cannot read the My Number, 照合番号A cannot read the facts).
    """

    facts_checked: bool
    my_number_checked: bool
    signature: SignatureStatus


@dataclass(frozen=True)
class IntegrityRecord:
    """EF 0003 parsed: the two digests, the signature and the bytes it covers."""

    my_number_digest: bytes
    facts_digest: bytes
    signature: bytes
    signed_bytes: bytes


@dataclass(frozen=True)
class KenmenRecord:
    """What :meth:`KenmenHojoSession.read` returns."""

    facts: BasicFacts | None
    my_number: MyNumber | None
    integrity: IntegrityReport


def load_issuer_public_key(data: bytes) -> rsa.RSAPublicKey:
    """Load the 券面事項入力補助 issuer public key (PEM or DER SubjectPublicKeyInfo)."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(data)
        else:
            key = serialization.load_der_public_key(data)
    except ValueError as exc:
        raise ValueError(f"not a public key: {exc}") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the 券面事項入力補助 issuer key must be RSA (jpki-card.md §5.2)")
    return key


# ----------------------------------------------------------------------------------------------
# Parsers (pure; raise MalformedResponse only)


def parse_my_number(raw: bytes) -> MyNumber:
    """EF 0001: ``FF 10 0C`` + 12 ASCII digits, then filler (jpki-card.md §5.2)."""
    item = parse_one(raw)
    if item.tag != TAG_MY_NUMBER or len(item.value) != 12 or not _ascii_digits(item.value):
        raise MalformedResponse("My Number EF does not hold FF10 with 12 digits")
    return MyNumber(item.value.decode("ascii"))


def parse_basic_facts(raw: bytes) -> tuple[BasicFacts, bytes]:
    """EF 0002 → the 4 facts and the bytes covered by DF32 (the DF22..DF25 TLVs).

    ``FF 20 L { DF21 08 <4 × u16 offsets from the start of the EF> DF22 name DF23 address
    DF24 08 YYYYMMDD DF25 01 sex }`` (§5.2); the offset table is checked against the TLVs.
    """
    outer = parse_one(raw)
    if outer.tag != TAG_FACTS:
        raise MalformedResponse("facts EF does not start with FF20")
    value_start = outer.end - len(outer.value)
    items = parse_all(raw, value_start, outer.end)
    tags = [item.tag for item in items]
    expected = [TAG_OFFSETS, TAG_NAME, TAG_ADDRESS, TAG_BIRTH, TAG_SEX]
    if tags != expected:
        raise MalformedResponse("facts EF does not hold DF21..DF25 in order")
    offsets, name, address, birth, sex = items
    if len(offsets.value) != 8:
        raise MalformedResponse("DF21 offset table is not 8 bytes")
    table = [int.from_bytes(offsets.value[i : i + 2], "big") for i in range(0, 8, 2)]
    if table != [item.start for item in items[1:]]:
        raise MalformedResponse("DF21 offsets do not point at DF22..DF25")
    if len(birth.value) != 8 or not _ascii_digits(birth.value):
        raise MalformedResponse("DF24 birth date is not 8 digits")
    try:
        sex_code = Sex(sex.value.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise MalformedResponse("DF25 sex code unknown") from None
    facts = BasicFacts(
        name=_utf8(name, "DF22 name"),
        address=_utf8(address, "DF23 address"),
        birth_date=birth.value.decode("ascii"),
        sex=sex_code,
    )
    return facts, bytes(raw[offsets.end : outer.end])


def parse_integrity_record(raw: bytes) -> IntegrityRecord:
    """EF 0003: ``FF 30 { DF31 20 <sha256> DF32 20 <sha256> DF33 <signature> }`` (§5.2)."""
    outer = parse_one(raw)
    if outer.tag != TAG_INTEGRITY:
        raise MalformedResponse("integrity EF does not start with FF30")
    value_start = outer.end - len(outer.value)
    items = parse_all(raw, value_start, outer.end)
    if [item.tag for item in items] != [TAG_MY_NUMBER_DIGEST, TAG_FACTS_DIGEST, TAG_SIGNATURE]:
        raise MalformedResponse("integrity EF does not hold DF31, DF32, DF33")
    number_digest, facts_digest, signature = items
    if len(number_digest.value) != 32 or len(facts_digest.value) != 32:
        raise MalformedResponse("integrity digests are not SHA-256")
    if not signature.value:
        raise MalformedResponse("integrity signature is empty")
    return IntegrityRecord(
        my_number_digest=number_digest.value,
        facts_digest=facts_digest.value,
        signature=signature.value,
        signed_bytes=bytes(raw[value_start : signature.start]),
    )


def check_integrity(
    record: IntegrityRecord,
    *,
    facts_bytes: bytes | None,
    my_number_ef: bytes | None,
    issuer_public_key: rsa.RSAPublicKey | None,
) -> IntegrityReport:
    """Check digests (and the signature when a key is configured); raise IntegrityError."""
    if facts_bytes is not None and hashlib.sha256(facts_bytes).digest() != record.facts_digest:
        raise IntegrityError("the 4 facts do not match their digest in EF 0003")
    if (
        my_number_ef is not None
        and hashlib.sha256(my_number_ef).digest() != record.my_number_digest
    ):
        raise IntegrityError("the My Number does not match its digest in EF 0003")
    status = SignatureStatus.NO_KEY_CONFIGURED
    if issuer_public_key is not None:
        try:
            issuer_public_key.verify(
                record.signature, record.signed_bytes, padding.PKCS1v15(), hashes.SHA256()
            )
        except (InvalidSignature, ValueError) as exc:
            raise IntegrityError("EF 0003 signature does not verify with the issuer key") from exc
        status = SignatureStatus.VERIFIED
    return IntegrityReport(
        facts_checked=facts_bytes is not None,
        my_number_checked=my_number_ef is not None,
        signature=status,
    )


def _ascii_digits(value: bytes) -> bool:
    return all(0x30 <= b <= 0x39 for b in value)


def _utf8(item: Tlv, what: str) -> str:
    try:
        text = item.value.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedResponse(f"{what} is not UTF-8") from None
    if any(not ch.isprintable() and ch != "\u3000" for ch in text):
        raise MalformedResponse(f"{what} has control characters")
    return text


# ----------------------------------------------------------------------------------------------


Credential = UserPin | CollationNumberA | CollationNumberB


class KenmenHojoSession(ApplicationSession):
    """A session with the 券面事項入力補助AP; selects it on construction.

    Typical use: ``KenmenHojoSession(t).read(CollationNumberB(...), issuer_public_key=key)``.
    """

    aid = AID.KENMEN_HOJO.value

    def get_tries(
        self, credential_type: type[Secret] = UserPin, *, cancel: threading.Event | None = None
    ) -> int:
        """Tries left for ``UserPin``, ``CollationNumberA`` or ``CollationNumberB``."""
        pin_ef = _pin_ef(credential_type)
        max_tries = PIN_MAX_TRIES if credential_type is UserPin else None
        return self._query_tries(pin_ef, max_tries, self._cancel(cancel))

    def verify(self, credential: Credential, *, cancel: threading.Event | None = None) -> None:
        """VERIFY once; raises WrongPin / PinBlocked; never resends."""
        self._verify(_pin_ef(type(credential)), credential, self._cancel(cancel))

    def read_basic_facts_raw(self, *, cancel: threading.Event | None = None) -> bytes:
        """The BER object of EF 0002 (needs the PIN or 照合番号B verified)."""
        cancel = self._cancel(cancel)
        self._select_ef(EF_BASIC_FACTS, cancel)
        return read_object(self.channel, max_length=MAX_FACTS_LENGTH, cancel=cancel)

    def read_my_number_ef(self, *, cancel: threading.Event | None = None) -> bytes:
        """EF 0001 as stored, filler included (its digest covers all 17 bytes, §5.2)."""
        cancel = self._cancel(cancel)
        self._select_ef(EF_MY_NUMBER, cancel)
        return read_chunk(self.channel, apdu.read_binary(0, READ_CHUNK), cancel)

    def read_integrity_record(self, *, cancel: threading.Event | None = None) -> IntegrityRecord:
        """EF 0003 parsed (readable with any of the three credentials)."""
        cancel = self._cancel(cancel)
        self._select_ef(EF_INTEGRITY, cancel)
        raw = read_object(self.channel, max_length=MAX_INTEGRITY_LENGTH, cancel=cancel)
        return parse_integrity_record(raw)

    def read(
        self,
        credential: Credential,
        *,
        include_my_number: bool = False,
        issuer_public_key: rsa.RSAPublicKey | None = None,
        cancel: threading.Event | None = None,
    ) -> KenmenRecord:
        """Verify ``credential`` once, read what it opens and check it against EF 0003.

        ``UserPin``: the 4 facts (and the My Number if ``include_my_number``);
        ``CollationNumberB``: the 4 facts; ``CollationNumberA``: the My Number only.
        """
        if isinstance(credential, CollationNumberB) and include_my_number:
            raise ValueError("照合番号B does not open the My Number (jpki-card.md §5.1)")
        if not isinstance(credential, UserPin | CollationNumberA | CollationNumberB):
            raise InvalidPinFormat("credential must be a UserPin or a 照合番号")
        cancel = self._cancel(cancel)
        self.verify(credential, cancel=cancel)
        facts: BasicFacts | None = None
        facts_bytes: bytes | None = None
        if not isinstance(credential, CollationNumberA):
            facts, facts_bytes = parse_basic_facts(self.read_basic_facts_raw(cancel=cancel))
        my_number: MyNumber | None = None
        my_number_ef: bytes | None = None
        if isinstance(credential, CollationNumberA) or include_my_number:
            my_number_ef = self.read_my_number_ef(cancel=cancel)
            my_number = parse_my_number(my_number_ef)
        record = self.read_integrity_record(cancel=cancel)
        report = check_integrity(
            record,
            facts_bytes=facts_bytes,
            my_number_ef=my_number_ef,
            issuer_public_key=issuer_public_key,
        )
        return KenmenRecord(facts=facts, my_number=my_number, integrity=report)


def _pin_ef(credential_type: type[Secret]) -> int:
    for kind, fid in PIN_EF.items():
        if credential_type is kind:
            return fid
    raise InvalidPinFormat("credential must be a UserPin, CollationNumberA or CollationNumberB")
