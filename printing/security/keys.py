"""Keys of the scrambled back: per-document key derivation and the keyed permutation.

security-printing.md §7.1.2: ``K_doc = HKDF-SHA256(K_master, info = issuer ‖ serial ‖ version)``
so no two documents share a permutation (the resident knows the plaintext of their own
certificate; a shared permutation would leak from plaintext–scramble pairs) and a back is bound
to its serial. Sub-keys per page and purpose come from HKDF-Expand with labels; the keystream
is ChaCha20 (RFC 8439) with a zero nonce, each sub-key being used for exactly one stream.

The permutation is a *random-key shuffle*: one 64-bit keystream word per data site, sorted
(stable). It is a uniformly random permutation like Fisher–Yates driven by the same keystream
(ties have probability < n²/2⁶⁵) and runs vectorised: ~60 ms for the 656 224 sites of layout v1
where a Python Fisher–Yates loop takes ~0.5 s.

The scramble is keyed obfuscation for integrity checking, not encryption: see the threat model
in docs/security-printing.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cbor2
import numpy as np
import numpy.typing as npt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand

from .errors import SecurityPrintingError

MASTER_KEY_MIN_BYTES = 32  # 256-bit master key: HKDF-SHA256's full strength
MAX_KEY_ID_BYTES = 32
_DOC_KEY_LABEL = "KSB document key"
_CHACHA_ZERO_NONCE = bytes(16)  # cryptography's ChaCha20 nonce: 4-byte counter ‖ 12-byte nonce


@dataclass(frozen=True)
class BackSideKeys:
    """The issuance center's keys for making backs. Never leaves the center.

    ``scramble_master_key`` derives every document key; ``signing_key`` (ECDSA P-256) signs the
    2D code and ``key_id`` names its public key for verifiers.
    """

    scramble_master_key: bytes = field(repr=False)
    signing_key: ec.EllipticCurvePrivateKey = field(repr=False)
    key_id: bytes  # a str is accepted and stored as its UTF-8 bytes

    def __post_init__(self) -> None:
        if isinstance(self.key_id, str):
            object.__setattr__(self, "key_id", self.key_id.encode("utf-8"))
        if len(self.scramble_master_key) < MASTER_KEY_MIN_BYTES:
            raise SecurityPrintingError(
                f"scramble master key must be at least {MASTER_KEY_MIN_BYTES} bytes"
            )
        if not isinstance(self.signing_key.curve, ec.SECP256R1):
            raise SecurityPrintingError("signing key must be ECDSA P-256")
        if not 0 < len(self.key_id) <= MAX_KEY_ID_BYTES:
            raise SecurityPrintingError(f"key id must be 1..{MAX_KEY_ID_BYTES} bytes")


def document_key(master_key: bytes, *, issuer: str, serial: str, layout_version: int) -> bytes:
    """``K_doc`` of one document (§7.1.2); the info is CBOR so its fields cannot run together."""
    info = cbor2.dumps([_DOC_KEY_LABEL, issuer, serial, layout_version])
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master_key)


def _subkey(doc_key: bytes, purpose: str, page_index: int) -> bytes:
    info = cbor2.dumps([purpose, page_index])
    return HKDFExpand(algorithm=hashes.SHA256(), length=32, info=info).derive(doc_key)


def _keystream(key: bytes, length: int) -> bytes:
    encryptor = Cipher(algorithms.ChaCha20(key, _CHACHA_ZERO_NONCE), mode=None).encryptor()
    return encryptor.update(bytes(length))


@dataclass(frozen=True)
class Scrambler:
    """The keyed permutation, polarity and padding of one page's data sites.

    Source bit ``i`` goes to data site ``order[i]``, inverted where ``polarity[i]``; data sites
    beyond the source length get keystream padding so the back is uniform noise everywhere.
    """

    order: npt.NDArray[np.intp]
    polarity: npt.NDArray[np.bool_]
    padding: npt.NDArray[np.bool_]

    @classmethod
    def for_page(cls, doc_key: bytes, page_index: int, capacity: int) -> Scrambler:
        words = np.frombuffer(
            _keystream(_subkey(doc_key, "KSB permutation", page_index), 8 * capacity),
            dtype="<u8",
        )
        # The order is the stable sort of the words. 64-bit keystream words are all distinct
        # but with a probability of ~1e-8 per page, and then any sort gives the stable order:
        # the (vectorised) quicksort is a third of the time; ties, if ever, are sorted stably.
        order = np.argsort(words)
        ranked = words[order]
        if bool(np.any(ranked[1:] == ranked[:-1])):
            order = np.argsort(words, kind="stable")
        bits = np.unpackbits(
            np.frombuffer(
                _keystream(_subkey(doc_key, "KSB polarity", page_index), (2 * capacity + 7) // 8),
                dtype=np.uint8,
            )
        ).astype(bool)
        return cls(order=order, polarity=bits[:capacity], padding=bits[capacity : 2 * capacity])

    @property
    def capacity(self) -> int:
        return int(self.order.size)

    def scramble(self, source: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        """Data-site bits (length ``capacity``) carrying ``source`` (length ≤ capacity)."""
        if source.size > self.capacity:
            raise SecurityPrintingError("source does not fit the data sites")
        sites = self.padding.copy()
        n = source.size
        sites[self.order[:n]] = source.astype(bool) ^ self.polarity[:n]
        return sites

    def unscramble_bits(self, sites: npt.NDArray[np.bool_], length: int) -> npt.NDArray[np.bool_]:
        """The first ``length`` source bits back from data-site bits."""
        return np.asarray(sites[self.order[:length]] ^ self.polarity[:length], dtype=bool)

    def unscramble_soft(
        self, sites: npt.NDArray[np.floating], length: int
    ) -> npt.NDArray[np.float64]:
        """Soft values (+ = ink, − = paper) back in source order; polarity flips the sign."""
        sign = np.where(self.polarity[:length], -1.0, 1.0)
        return np.asarray(sites[self.order[:length]], dtype=np.float64) * sign
