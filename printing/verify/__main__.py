"""``python -m printing.verify``: verify a scan or photo of a printed certificate's back.

    python -m printing.verify BACK.png --trust document-1=document-signer.pem \\
        [--master-key scramble-master.key] [--front FRONT.png] [--out DIR] [--json]
    python -m printing.verify --online SERIAL CODE --url https://… --trust … [--ca CA.pem]

Without the master key the signed facts and the front are still checked (a relying party's
tool); the scrambled image needs the master key (the issuer's verification service, staff).
``--online`` asks the issuer's verification service instead of reading a scan.

Exit status: 0 verified (online: found, signatures valid), 1 not verified (the verdict says
why; online: not found, past retention, or refused), 2 the input, the keys or the service
could not be used.
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
from .heap import keep_freed_memory
from .images import ScanImage, load_scan
from .online import OnlineError, verify_online
from .report import online_summary, summary, write_online_outputs, write_outputs
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
    parser.add_argument(
        "back", type=Path, nargs="?", help="scan or photo of the back (PNG, JPEG, PDF)"
    )
    parser.add_argument("--front", type=Path, help="scan of the front, to compare")
    parser.add_argument(
        "--front-page",
        type=int,
        default=1,
        help="page of --front to use when it is a PDF (default 1)",
    )
    parser.add_argument(
        "--master-key",
        type=Path,
        help="the scramble master key (raw or hex); without it the scramble is not checked",
    )
    parser.add_argument(
        "--online",
        nargs=2,
        metavar=("SERIAL", "CODE"),
        help="ask the issuer's verification service (the serial and the code on the front)",
    )
    parser.add_argument("--url", help="the verification service (https://…), with --online")
    parser.add_argument("--ca", type=Path, help="CA certificate of the service's TLS (PEM)")
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


def _online(args: argparse.Namespace) -> int:
    serial, code = args.online
    try:
        if not args.url:
            raise VerifyError("--online needs --url of the verification service")
        keys = _trust(args.trust)
        if not keys:
            raise VerifyError("give at least one --trust KEY_ID=PEM")
        answer = verify_online(args.url, serial, code, keys, ca=args.ca)
    except OnlineError as exc:
        if exc.status in (404, 429):
            record = {"outcome": exc.code or "not_found", "status": exc.status, "message": str(exc)}
            print(json.dumps(record, ensure_ascii=False) if args.json else f"not verified: {exc}")
            return EXIT_NOT_VERIFIED
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except (OSError, VerifyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    if args.out is not None:
        write_online_outputs(answer, args.out)
    if args.json:
        print(json.dumps(answer.to_record(), ensure_ascii=False, indent=2))
    else:
        print(online_summary(answer))
    return EXIT_VERIFIED


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    if args.online:
        return _online(args)
    try:
        if args.back is None:
            raise VerifyError("give a scan of the back, or --online SERIAL CODE")
        master = read_master_key(args.master_key) if args.master_key else None
        trust = TrustStore(master, _trust(args.trust))
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
    keep_freed_memory()  # this process is the verifier's own (heap.py says why, and not on import)
    sys.exit(main())
