"""The 公的個人認証AP (JPKI application): medium, certificates, PIN tries, verify, sign.

APDUs and their order follow jpki-card.md §4 (traces §4.4). The kiosk's authentication costs,
on a card with a 1.1–1.6 KB certificate::

    SELECT AP · SELECT 000A · READ ×⌈len/256⌉ · SELECT 0018 · VERIFY (query) · VERIFY · SIGN

The signature names its key by SFI in P2 (``97``/``9A``, hardware-confirmed in §4.3) so no
SELECT of the key EF is needed; a card that refuses that form gets SELECT + ``P2 = 80``.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from enum import Enum

from cardio import apdu
from cardio._files import read_chunk, read_object
from cardio._session import ApplicationSession
from cardio.apdu import AID
from cardio.errors import (
    IncompatibleFileStructure,
    IncorrectParameters,
    InsNotSupported,
    InvalidPinFormat,
    JukiCardNotSupported,
    MalformedResponse,
    NoCurrentFile,
    NotFound,
    ReferencedDataNotFound,
    UnsupportedCard,
    WrongLength,
)
from cardio.pin import SigningPassword, UserPin

__all__ = ["JpkiSession", "KeyRole", "Medium", "TokenInfo", "digest_info_sha256"]

# EF sizes on a real card are 3808 B (jpki-card.md §2.3); allow twice that before calling a
# header absurd. Still far below the 15-bit READ BINARY offset limit.
MAX_CERTIFICATE_LENGTH = 7616
TOKEN_LABEL_LENGTH = 32  # CK_TOKEN_INFO.label, space-padded (§4.1); [MYNA] reads 0x20 bytes
SFI_TOKEN_INFO = 0x06
MAX_SIGNING_INPUT = 245  # k − 11 for RSA-2048 with PKCS#1 v1.5 padding done by the card (§4.3)
SIGNATURE_LENGTHS = range(128, 513)  # RSA-2048 gives 256 (§4.3); tolerate other key sizes
SHA256_DIGEST_INFO_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")  # RFC 8017

# Status words after which a form "not understood" by the card is retried in the plain form.
_FORM_REFUSED = (
    IncorrectParameters,
    NotFound,
    ReferencedDataNotFound,
    NoCurrentFile,
    IncompatibleFileStructure,
)


class Medium(Enum):
    """What carries the JPKI application, from the token label in EF 0006 (§4.1)."""

    MY_NUMBER_CARD = "JPKIAPICCTOKEN2"
    ANDROID = "JPKIAPGPSETOKEN"  # スマホ用電子証明書 (Android, GP secure element)
    IPHONE = "JPKIAPIOSTOKEN"


@dataclass(frozen=True)
class TokenInfo:
    """The token label and the medium it designates."""

    label: str
    medium: Medium


class KeyRole(Enum):
    """The two JPKI key pairs with their EFs (jpki-card.md §4.1)."""

    AUTHENTICATION = "authentication"  # 利用者証明用
    SIGNING = "signing"  # 署名用

    @property
    def pin_ef(self) -> int:
        return 0x0018 if self is KeyRole.AUTHENTICATION else 0x001B

    @property
    def key_ef(self) -> int:
        return 0x0017 if self is KeyRole.AUTHENTICATION else 0x001A

    @property
    def certificate_ef(self) -> int:
        return 0x000A if self is KeyRole.AUTHENTICATION else 0x0001

    @property
    def ca_certificate_ef(self) -> int:
        return 0x000B if self is KeyRole.AUTHENTICATION else 0x0002

    @property
    def max_tries(self) -> int:
        """3 for the PIN, 5 for the signing password (§4.1)."""
        return 3 if self is KeyRole.AUTHENTICATION else 5

    @property
    def key_by_sfi_p2(self) -> int:
        """P2 = 80|SFI names the key without SELECT: 97 (0017) / 9A (001A) (§4.3)."""
        return 0x80 | self.key_ef


def digest_info_sha256(digest: bytes) -> bytes:
    """DigestInfo for a 32-byte SHA-256 digest (RFC 8017 §9.2 note 1, jpki-card.md §4.3)."""
    if len(digest) != 32:
        raise ValueError("a SHA-256 digest is 32 bytes")
    return SHA256_DIGEST_INFO_PREFIX + digest


class JpkiSession(ApplicationSession):
    """A session with the JPKI application; selects it on construction (``6A 82`` →
    :class:`~cardio.errors.ApplicationNotFound`: not a JPKI card).

    Not thread-safe: use it from the one card worker thread. ``cancel`` (constructor default,
    or per call) is checked before each APDU. The session never resends a PIN: a failed VERIFY
    raises and the caller decides.
    """

    aid = AID.JPKI.value

    # -- files ------------------------------------------------------------------------------------

    def read_token_info(self, *, cancel: threading.Event | None = None) -> TokenInfo:
        """Read the token label (EF 0006) and tell the medium.

        Raises :class:`JukiCardNotSupported` for an old 住基カード (``JPKIAPICCTOKEN``) and
        :class:`UnsupportedCard` for an unknown label.
        """
        cancel = self._cancel(cancel)
        try:
            # Short-EF read without SELECT (P1 = 80|SFI, §2.3); leaves the current EF unknown.
            self._forget_current_ef()
            raw = read_chunk(
                self.channel, apdu.read_binary_sfi(SFI_TOKEN_INFO, TOKEN_LABEL_LENGTH), cancel
            )
        except (*_FORM_REFUSED, InsNotSupported, WrongLength):
            self._select_ef(0x0006, cancel)
            raw = read_chunk(self.channel, apdu.read_binary(0, TOKEN_LABEL_LENGTH), cancel)
        return parse_token_label(raw)

    def read_certificate(
        self, role: KeyRole = KeyRole.AUTHENTICATION, *, cancel: threading.Event | None = None
    ) -> bytes:
        """The DER certificate of ``role``; the signing one needs the password verified first
        (else :class:`~cardio.errors.SecurityStatusNotSatisfied`)."""
        cancel = self._cancel(cancel)
        self._select_ef(role.certificate_ef, cancel)
        return read_object(self.channel, max_length=MAX_CERTIFICATE_LENGTH, cancel=cancel)

    def read_ca_certificate(
        self, role: KeyRole = KeyRole.AUTHENTICATION, *, cancel: threading.Event | None = None
    ) -> bytes:
        """The DER CA certificate stored on the card for ``role`` (EF 000B / 0002)."""
        cancel = self._cancel(cancel)
        self._select_ef(role.ca_certificate_ef, cancel)
        return read_object(self.channel, max_length=MAX_CERTIFICATE_LENGTH, cancel=cancel)

    # -- PIN --------------------------------------------------------------------------------------
    def get_pin_tries(
        self, role: KeyRole = KeyRole.AUTHENTICATION, *, cancel: threading.Event | None = None
    ) -> int:
        """Tries left, without spending one (empty VERIFY → ``63 Cx``, §2.4). 0 = blocked."""
        return self._query_tries(role.pin_ef, role.max_tries, self._cancel(cancel))

    def verify_pin(self, pin: UserPin, *, cancel: threading.Event | None = None) -> None:
        """VERIFY the 4-digit authentication PIN (EF 0018).

        Raises :class:`WrongPin` (``tries_left``) or :class:`PinBlocked`; never retries.
        """
        if not isinstance(pin, UserPin):
            raise InvalidPinFormat("the authentication PIN must be a UserPin")
        self._verify(KeyRole.AUTHENTICATION.pin_ef, pin, self._cancel(cancel))

    def verify_signing_password(
        self, password: SigningPassword, *, cancel: threading.Event | None = None
    ) -> None:
        """VERIFY the signing password (EF 001B); raises like :meth:`verify_pin`."""
        if not isinstance(password, SigningPassword):
            raise InvalidPinFormat("the signing password must be a SigningPassword")
        self._verify(KeyRole.SIGNING.pin_ef, password, self._cancel(cancel))

    # -- signature --------------------------------------------------------------------------------
    def sign_digest_info(
        self,
        digest_info: bytes,
        role: KeyRole = KeyRole.AUTHENTICATION,
        *,
        cancel: threading.Event | None = None,
    ) -> bytes:
        """RSA PKCS#1 v1.5 signature over ``digest_info`` (the card pads, §4.3).

        The matching PIN must have been verified in this session (else
        :class:`~cardio.errors.SecurityStatusNotSatisfied`).
        """
        if not 1 <= len(digest_info) <= MAX_SIGNING_INPUT:
            raise ValueError(f"signing input must be 1..{MAX_SIGNING_INPUT} bytes")
        cancel = self._cancel(cancel)
        try:
            signature = self.channel.send(
                apdu.compute_signature(digest_info, role.key_by_sfi_p2), cancel=cancel
            )
        except _FORM_REFUSED:
            self._select_ef(role.key_ef, cancel)
            signature = self.channel.send(apdu.compute_signature(digest_info), cancel=cancel)
        if len(signature) not in SIGNATURE_LENGTHS:
            raise MalformedResponse(f"signature of {len(signature)} bytes")
        return signature

    def sign_sha256(
        self,
        message: bytes,
        role: KeyRole = KeyRole.AUTHENTICATION,
        *,
        cancel: threading.Event | None = None,
    ) -> bytes:
        """sha256WithRSAEncryption signature of ``message`` (hashed here, padded by the card)."""
        digest = hashlib.sha256(message).digest()
        return self.sign_digest_info(digest_info_sha256(digest), role, cancel=cancel)


def parse_token_label(raw: bytes) -> TokenInfo:
    """Map the label at the start of EF 0006 to a medium (§4.1)."""
    label_bytes = raw[:TOKEN_LABEL_LENGTH].rstrip(b" \x00")
    try:
        label = label_bytes.decode("ascii")
    except UnicodeDecodeError:
        raise MalformedResponse("token label is not ASCII") from None
    if not label.isprintable():
        raise MalformedResponse("token label has control characters")
    if label == "JPKIAPICCTOKEN":
        raise JukiCardNotSupported("old 住基カード (JPKIAPICCTOKEN) is not supported", label)
    for medium in Medium:
        if label == medium.value:
            return TokenInfo(label, medium)
    raise UnsupportedCard(f"unknown JPKI token label {label[:32]!r}", label)
