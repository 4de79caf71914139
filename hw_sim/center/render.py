"""Issuance work done in the center's process pool: ask the municipality server for the front
PDF, make the back side of every page of every copy, build and sign the envelope.

All of it is CPU-bound (PDF rendering, rasterising, scrambling, canonical JSON of megabytes),
so it runs in worker processes and never on the event loop (brief: "CPU-heavy rendering must
not block the event loop"). Each worker loads the world and the center keys once
(:func:`init_worker`).
"""

from __future__ import annotations

import importlib
import os
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding

from hw_sim.center.backside import PageMaker, signed_code_of
from hw_sim.center.keys import CenterKeys
from hw_sim.pki import JpkiTestPki
from kiosk.center import wire
from printing.certificates import CertificateRequest

_world: Any = None
_keys: CenterKeys | None = None
_make_page: PageMaker | None = None


@dataclass(frozen=True)
class WorkerConfig:
    """What a render worker needs to set itself up (picklable)."""

    world_dir: Path
    keys_dir: Path
    pki_dir: Path
    world_factory: (
        str  # "module:callable" taking the world dir, e.g. hw_sim.municipality:World.load
    )
    page_maker_factory: str  # "module:callable" taking CenterKeys, returning a PageMaker


def load_callable(path: str) -> Any:
    """Resolve ``"package.module:attr.attr"``."""
    module_name, _, attribute = path.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        target = getattr(target, part)
    return target


# Render workers run below the event loop's priority: on a small machine the rendering of one
# certificate must not delay other kiosks' authentication and offer calls (see the benchmark).
RENDER_NICENESS = 5


def init_worker(config: WorkerConfig) -> None:
    """Process-pool initializer: load the world, the keys and the back-side maker once."""
    global _world, _keys, _make_page
    os.nice(RENDER_NICENESS)
    _world = load_callable(config.world_factory)(config.world_dir)
    _keys = CenterKeys.load_or_create(config.keys_dir, JpkiTestPki.load_or_create(config.pki_dir))
    _make_page = load_callable(config.page_maker_factory)(_keys)


def warm_up() -> bool:
    """A no-op task that makes the pool start (and initialise) its workers ahead of traffic."""
    return _world is not None


@dataclass(frozen=True)
class IssuanceJob:
    municipality_code: str
    subject: str  # resident id (住所地) or card identifier (本籍地)
    request: CertificateRequest
    business_now: datetime
    document_number: str
    serials: tuple[str, ...]
    issuance_id: str
    kiosk_id: str
    idempotency_key: str
    issued_at: datetime
    pay_before: datetime
    municipality_name: str
    fee_yen_per_copy: int
    issuer: str  # printed as the certifying authority on the back (e.g. 東京都練馬区長)
    protocol_version: int = wire.PROTOCOL_VERSION  # of the kiosk's request: its envelope's shape
    # The business day the issuance is booked on, named in the envelope from protocol v3 on
    # (None: a v1/v2 request, answered with the format /1 envelope).
    business_date: date | None = None
    verification_codes: tuple[str, ...] = ()  # one per copy (printing.security.vcode)


@dataclass(frozen=True)
class Refused:
    reason: str
    message_ja: str


@dataclass(frozen=True)
class CopyCodes:
    """What the verification service keeps of one copy: its serial and code, and the signed
    code of each page (as the back carries it)."""

    serial: str
    verification_code: str
    signed_codes: tuple[bytes, ...]

    def __repr__(self) -> str:
        return f"CopyCodes(pages={len(self.signed_codes)})"


@dataclass(frozen=True)
class IssuanceOutput:
    body: bytes  # the signed answer, ready to send and store
    timings: dict[str, float]  # seconds per step: municipality, back_side, envelope
    copies: tuple[CopyCodes, ...] = ()


def run_issuance(job: IssuanceJob) -> IssuanceOutput | Refused:
    """Municipality issue → back sides → signed envelope, in a worker process."""
    if _world is None or _keys is None or _make_page is None:
        raise RuntimeError("render worker was not initialised")
    started = time.perf_counter()
    server = _world.municipality(job.municipality_code)
    document = server.issue(job.subject, job.request, job.business_now, job.document_number)
    if not hasattr(document, "pdf"):
        return Refused(str(document.reason), str(document.message_ja))
    issued = time.perf_counter()
    copies = []
    codes = []
    for index, serial in enumerate(job.serials):
        pages = []
        signed = []
        verification_code = job.verification_codes[index] if job.verification_codes else ""
        for page_index in range(document.page_count):
            form, data = _make_page(
                document.pdf,
                page_index,
                serial=serial,
                issuer=job.issuer,
                canonical_text=document.canonical_text,
                page_count=document.page_count,
                issued_on=job.business_now.astimezone(wire.JST).date(),
                verification_code=verification_code,
            )
            pages.append(wire.BackSidePage(page_index=page_index, format=form, data=data))
            signed.append(signed_code_of(form, data))
        if verification_code and all(code is not None for code in signed):
            codes.append(CopyCodes(serial, verification_code, tuple(c for c in signed if c)))
        copies.append(
            wire.IssuedCopy(
                copy_index=index,
                serial=serial,
                kind=job.request.kind,
                title=document.title,
                page_count=document.page_count,
                front_pdf=document.pdf,
                canonical_text=document.canonical_text,
                back_sides=tuple(pages),
            )
        )
    backed = time.perf_counter()
    envelope = wire.Envelope(
        issuance_id=job.issuance_id,
        kiosk_id=job.kiosk_id,
        idempotency_key=job.idempotency_key,
        issued_at=job.issued_at,
        pay_before=job.pay_before,
        municipality_code=job.municipality_code,
        municipality_name=job.municipality_name,
        request=job.request,
        fee_yen_per_copy=job.fee_yen_per_copy,
        total_fee_yen=job.fee_yen_per_copy * job.request.copies,
        store_fee_per_copy_yen=wire.STORE_FEE_PER_COPY_YEN,
        copies=tuple(copies),
        business_date=job.business_date,
    )
    body = sign_envelope(envelope, _keys, job.protocol_version)
    done = time.perf_counter()
    return IssuanceOutput(
        body=body,
        timings={
            "municipality": issued - started,
            "back_side": backed - issued,
            "envelope": done - backed,
        },
        copies=tuple(codes),
    )


def es256(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """ECDSA P-256 / SHA-256 in the JOSE form r || s (RFC 7518 §3.4)."""
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def sign_envelope(
    envelope: wire.Envelope, keys: CenterKeys, version: int = wire.PROTOCOL_VERSION
) -> bytes:
    """The signed answer body for ``envelope`` in protocol ``version`` (docs/center-protocol.md,
    "The envelope")."""
    signature = es256(keys.envelope_key, wire.envelope_signing_input(envelope, version))
    answer = wire.signed_issuance_to_wire(
        envelope,
        key_id=keys.envelope_key_id,
        signature=signature,
        signer_certificate=keys.envelope_cert.public_bytes(Encoding.DER),
        version=version,
    )
    return wire.dumps(answer)
