"""``python -m printing.verify``: verify a scan or photo of a printed certificate's back.

    python -m printing.verify BACK.png --master-key scramble-master.key \\
        --trust document-1=document-signer.pem [--front FRONT.png] [--out DIR] [--json]

Exit status: 0 verified, 1 not verified (the verdict says why), 2 the input or the keys could
not be used.
"""

from __future__ import annotations

import argparse
import binascii
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from printing.security.keys import MASTER_KEY_MIN_BYTES

from .errors import UnreadableImageError, VerifyError
from .images import ScanImage, load_scan
from .report import summary, write_outputs
from .verifier import Outcome, TrustStore, Verdict, verify_back

EXIT_VERIFIED = 0
EXIT_NOT_VERIFIED = 1
EXIT_UNUSABLE = 2


def read_master_key(path: Path) -> bytes:
    """The scramble master key: raw bytes, or hex text (as some key stores export it)."""
    data = path.read_bytes()
    text = data.strip()
    try:
        if text and len(text) % 2 == 0 and all(c in b"0123456789abcdefABCDEF" for c in text):
            data = binascii.unhexlify(text)
    except binascii.Error:
        pass
    if len(data) < MASTER_KEY_MIN_BYTES:
        raise VerifyError(f"{path}: a master key has at least {MASTER_KEY_MIN_BYTES} bytes")
    return data


def read_public_key(path: Path) -> ec.EllipticCurvePublicKey:
    """An issuer's P-256 public key from a PEM public key or certificate."""
    data = path.read_bytes()
    key: object
    try:
        if b"BEGIN CERTIFICATE" in data:
            key = x509.load_pem_x509_certificate(data).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise VerifyError(f"{path}: not a PEM public key or certificate") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise VerifyError(f"{path}: the issuer key must be ECDSA P-256")
    return key


def _trust(entries: Sequence[str]) -> dict[bytes, ec.EllipticCurvePublicKey]:
    keys: dict[bytes, ec.EllipticCurvePublicKey] = {}
    for entry in entries:
        key_id, separator, file_name = entry.partition("=")
        if not separator or not key_id or not file_name:
            raise VerifyError(f"--trust wants KEY_ID=FILE, got {entry!r}")
        keys[key_id.encode("utf-8")] = read_public_key(Path(file_name))
    return keys


def _pick_back(pages: list[ScanImage], trust: TrustStore, front: ScanImage | None) -> Verdict:
    """The first page on which a block is found (a PDF may hold front and back)."""
    verdict: Verdict | None = None
    for page in pages:
        verdict = verify_back(page, trust, front)
        if verdict.outcome is not Outcome.UNREADABLE or verdict.located is not None:
            return verdict
    assert verdict is not None  # load_scan returns at least one page
    return verdict


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m printing.verify",
        description="Verify the back of a printed certificate: find and rectify the block, "
        "restore the front, check the check pattern and the signed code, optionally compare "
        "a scan of the front.",
    )
    parser.add_argument("back", type=Path, help="scan or photo of the back (PNG, JPEG, PDF)")
    parser.add_argument("--front", type=Path, help="scan of the front, to compare")
    parser.add_argument(
        "--front-page",
        type=int,
        default=1,
        help="page of --front to use when it is a PDF (default 1)",
    )
    parser.add_argument(
        "--master-key", type=Path, required=True, help="the scramble master key (raw or hex)"
    )
    parser.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="KEY_ID=PEM",
        help="an issuer's signing key or certificate, by key id (repeatable)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="folder for restored.png, side_by_side.png, verdict.json and verdict.txt",
    )
    parser.add_argument("--json", action="store_true", help="print the JSON verdict")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        trust = TrustStore(read_master_key(args.master_key), _trust(args.trust))
        if not trust.public_keys:
            raise VerifyError("give at least one --trust KEY_ID=PEM")
        back_pages = load_scan(args.back)
        front = None
        if args.front is not None:
            front_pages = load_scan(args.front)
            if not 1 <= args.front_page <= len(front_pages):
                raise VerifyError(f"--front has {len(front_pages)} page(s)")
            front = front_pages[args.front_page - 1]
    except (OSError, UnreadableImageError, VerifyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    verdict = _pick_back(back_pages, trust, front)
    if args.out is not None:
        write_outputs(verdict, args.out)
    if args.json:
        print(json.dumps(verdict.to_record(), ensure_ascii=False, indent=2))
    else:
        print(summary(verdict))
    return EXIT_VERIFIED if verdict.outcome is Outcome.VERIFIED else EXIT_NOT_VERIFIED


if __name__ == "__main__":
    sys.exit(main())
