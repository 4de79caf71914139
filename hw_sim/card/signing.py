"""The card's private-key operations (jpki-card.md §4.3 COMPUTE DIGITAL SIGNATURE schemes and
§2.6 INTERNAL AUTHENTICATE)."""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

# RFC 8017 §9.2 note 1: DigestInfo prefix of SHA-256 (jpki-card.md §4.3).
SHA256_DIGESTINFO_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")
PKCS1_OVERHEAD = 11  # 00 01 PS(≥8 × FF) 00: input ≤ k − 11 bytes (245 for RSA-2048)


def _pss() -> padding.PSS:
    # Salt length: the card's is not documented (§4.3 "random salt"); hash length is the
    # common choice and what verifiers expect by default.
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


def pkcs1_type1_sign(key: rsa.RSAPrivateKey, data: bytes) -> bytes:
    """EMSA-PKCS1-v1_5 block type 01 around ``data`` as given, then the RSA private operation
    (what the card does with P1 = 00: the caller supplies a DigestInfo or any ≤ k−11 bytes)."""
    k = (key.key_size + 7) // 8
    if not 1 <= len(data) <= k - PKCS1_OVERHEAD:
        raise ValueError("input length out of range")
    block = b"\x00\x01" + b"\xff" * (k - 3 - len(data)) + b"\x00" + data
    numbers = key.private_numbers()
    m = int.from_bytes(block, "big")
    # CRT (RFC 8017 §5.1.2, method 2)
    s1 = pow(m, numbers.dmp1, numbers.p)
    s2 = pow(m, numbers.dmq1, numbers.q)
    h = (numbers.iqmp * (s1 - s2)) % numbers.p
    s = s2 + h * numbers.q
    return s.to_bytes(k, "big")


def sign(key: rsa.RSAPrivateKey, scheme: int, data: bytes) -> bytes | None:
    """The signature for P1 = ``scheme`` (00..05, §4.3), or None if the input length does not
    fit the scheme."""
    k = (key.key_size + 7) // 8
    if scheme == 0x00:  # PKCS#1 v1.5 over the data as supplied
        if not 1 <= len(data) <= k - PKCS1_OVERHEAD:
            return None
        return pkcs1_type1_sign(key, data)
    if scheme == 0x01:  # card hashes SHA-256, pads the bare hash
        return pkcs1_type1_sign(key, hashlib.sha256(data).digest()) if data else None
    if scheme == 0x02:  # data is a SHA-256; card adds the DigestInfo
        if len(data) != 32:
            return None
        return key.sign(data, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
    if scheme == 0x03:  # sha256WithRSAEncryption over the data
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256()) if data else None
    if scheme == 0x04:  # data is a SHA-256; RSASSA-PSS
        if len(data) != 32:
            return None
        return key.sign(data, _pss(), Prehashed(hashes.SHA256()))
    if scheme == 0x05:  # card hashes SHA-256; RSASSA-PSS
        return key.sign(data, _pss(), hashes.SHA256()) if data else None
    return None


def internal_authenticate(key: rsa.RSAPrivateKey, challenge: bytes) -> bytes:
    """共通カードAP key 0019: sha256WithRSAEncryption over the challenge (§7)."""
    return key.sign(challenge, padding.PKCS1v15(), hashes.SHA256())
