"""The verification of one printed back (and optionally its front): a verdict, not a crash.

Order of checks (security-printing.md §7.3): find the block → read and verify the signed code
(which names serial, issuer, page and the source raster) → derive the document key from the
serial → unscramble and test the check pattern → compare with the front when one is given.
Each failure is an outcome of its own, so a wrong key, a back from another certificate and an
edited front are told apart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
from cryptography.hazmat.primitives.asymmetric import ec

from printing.security._cv import cv2
from printing.security.errors import SignedCodeError, UnknownKeyError
from printing.security.keys import Scrambler, document_key
from printing.security.layout import (
    BAND_TOP_PX,
    BLOCK_LEFT_PX,
    BLOCK_TOP_PX,
    MODULE_DEVICE_PX,
    MODULE_MM,
    QR_BOX_PX,
    QR_RIGHT_PX,
    block_geometry,
)
from printing.security.signed_code import SignedPayload, parse_signed_code, verify_signed_code

from .errors import RegistrationError
from .front import FrontComparison, compare_front
from .images import ScanImage, read_codes
from .locate import Located, locate_block
from .restore import Restored, equalise, unscramble

log = logging.getLogger(__name__)

# A registered block decides pilots almost perfectly (office scans < 1 %); beyond this the
# block was not read, whatever the key.
MAX_PILOT_ERROR = 0.15
# Check pattern agreement: ~50 % for a wrong key, > 95 % for office scans.
MIN_CHECK_AGREEMENT = 0.80
MAX_WORKING_DPI = 400.0
WORKING_DPI = 300.0
# A wrong key is declared only when the check pattern agrees this much less than the pilots'
# error rate explains (a wrong key gives ~50 % whatever the scan; a poor scan 1 − its errors).
CHECK_MARGIN = 0.15


class Outcome(StrEnum):
    VERIFIED = "verified"
    UNREADABLE = "unreadable"  # block or code not found in the scan
    UNTRUSTED_KEY = "untrusted_key"  # code signed with a key id the verifier does not trust
    INVALID_SIGNATURE = "invalid_signature"  # code altered or forged
    WRONG_KEY = "wrong_key"  # the scramble was not made with this key for this serial
    SERIAL_MISMATCH = "serial_mismatch"  # the back belongs to another certificate
    FRONT_MISMATCH = "front_mismatch"  # the front differs from what the back restores


MESSAGES: dict[Outcome, tuple[str, str]] = {
    Outcome.VERIFIED: (
        "裏面は真正です。復元画像と表面を見比べてください。",
        "The back is genuine. Compare the restored image with the front.",
    ),
    Outcome.UNREADABLE: (
        "裏面を読み取れませんでした。裏面全体を300dpi以上で読み取り直してください。",
        "The back could not be read. Scan the whole back again at 300 dpi or more.",
    ),
    Outcome.UNTRUSTED_KEY: (
        "二次元コードの署名鍵が信頼されていません。",
        "The 2D code is signed with a key this verifier does not trust.",
    ),
    Outcome.INVALID_SIGNATURE: (
        "二次元コードの署名が正しくありません（改ざん・偽造の疑い）。",
        "The 2D code's signature is invalid: altered or forged.",
    ),
    Outcome.WRONG_KEY: (
        "スクランブル画像がこの発行番号の鍵で作られていません（偽造の疑い）。",
        "The scrambled image was not made with the key for this serial: forgery suspected.",
    ),
    Outcome.SERIAL_MISMATCH: (
        "表面と裏面の発行番号が一致しません（別の証明書の裏面）。",
        "Front and back carry different serials: the back belongs to another certificate.",
    ),
    Outcome.FRONT_MISMATCH: (
        "表面が復元画像と異なります（改ざんの疑い）。赤枠の箇所を確認してください。",
        "The front differs from the restored image: alteration suspected. "
        "Check the marked regions.",
    ),
}


@dataclass(frozen=True)
class TrustStore:
    """What the verifier holds: the scramble master key and the issuers' public keys."""

    master_key: bytes = field(repr=False)
    public_keys: Mapping[bytes, ec.EllipticCurvePublicKey]


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    detail: str
    payload: SignedPayload | None = None
    signature_valid: bool = False
    located: Located | None = None
    pilot_error_rate: float | None = None
    restored: Restored | None = None
    front: FrontComparison | None = None
    soft_modules: npt.NDArray[np.float32] | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def message_ja(self) -> str:
        return MESSAGES[self.outcome][0]

    @property
    def message_en(self) -> str:
        return MESSAGES[self.outcome][1]

    def to_record(self) -> dict[str, Any]:
        """The JSON verdict (no images)."""
        record: dict[str, Any] = {
            "outcome": self.outcome.value,
            "verified": self.outcome is Outcome.VERIFIED,
            "message_ja": self.message_ja,
            "message_en": self.message_en,
            "detail": self.detail,
            "signature_valid": self.signature_valid,
        }
        if self.payload is not None:
            p = self.payload
            record["document"] = {
                "serial": p.serial,
                "issuer": p.issuer,
                "page": p.page_index + 1,
                "pages": p.page_count,
                "issued_on": p.issued_on.isoformat(),
                "text_in_code": p.text is not None,
                # The signed canonical text, for the reader to compare with the front (it is
                # the certificate's content: the verdict is as personal as the paper).
                "signed_text": p.text if self.signature_valid else None,
                "text_sha256": p.text_sha256.hex(),
                "layout_version": p.layout_version,
            }
        if self.located is not None:
            loc = self.located
            record["registration"] = {
                "fiducials": loc.fiducials_found,
                "sync_markers": loc.sync_found,
                "sync_total": loc.sync_total,
                "scan_dpi": round(loc.module_px / MODULE_MM * 25.4),
                "largest_local_correction_modules": round(loc.sync_shift_modules, 2),
            }
        if self.pilot_error_rate is not None:
            record["pilot_error_rate"] = round(self.pilot_error_rate, 5)
        if self.restored is not None:
            record["check_pattern_agreement"] = round(self.restored.check_agreement, 4)
        if self.front is not None:
            record["front"] = {
                "serial": self.front.serial,
                "registered": self.front.registered,
                "registration_score": round(self.front.registration_score, 3),
                "largest_difference_score": round(self.front.max_score, 3),
                "differing_regions": [list(r) for r in self.front.regions],
                "differing_px": self.front.differing_px,
            }
        record["timings_s"] = {k: round(v, 3) for k, v in self.timings.items()}
        return record


QR_RECTIFIED_PX_PER_MODULE = 4  # block modules; a QR module (1.5 block modules) gets 6 px


def _qr_rectified(scan: ScanImage, homography: npt.NDArray[np.float64]) -> npt.NDArray[np.uint8]:
    """The layout's QR box (plus a margin), warped upright from the scan by the homography."""
    margin = 60  # device px, 2.5 mm
    left = (QR_RIGHT_PX - QR_BOX_PX - margin - BLOCK_LEFT_PX) / MODULE_DEVICE_PX
    top = (BAND_TOP_PX - margin - BLOCK_TOP_PX) / MODULE_DEVICE_PX
    size = (QR_BOX_PX + 2 * margin) / MODULE_DEVICE_PX
    r = QR_RECTIFIED_PX_PER_MODULE
    to_module = np.array([[1 / r, 0, left], [0, 1 / r, top], [0, 0, 1]])
    side = int(size * r)
    rectified = cv2.warpPerspective(
        scan.grey_u8,
        homography @ to_module,
        (side, side),
        flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.asarray(rectified, dtype=np.uint8)


def _signed_codes(scan: ScanImage, located: Located) -> list[bytes]:
    """The signed code's bytes: from the rectified QR box (with a few binarisations), else
    from anywhere in the scan."""
    rectified = _qr_rectified(scan, located.homography)
    _, otsu = cv2.threshold(
        cv2.GaussianBlur(rectified, (0, 0), 1.0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU
    )
    for candidate in (rectified, otsu, scan.grey_u8):
        codes = [c for c in read_codes(candidate) if isinstance(c, bytes)]
        if codes:
            return codes
    return []


def working_resolution(scan: ScanImage) -> ScanImage:
    """Scans finer than ~400 dpi brought down to 300 dpi: a module is then 3 px, plenty for
    sampling it, and a 600-dpi A4 scan (35 Mpx) is verified as fast as a 300-dpi one."""
    if scan.dpi <= MAX_WORKING_DPI:
        return scan
    factor = WORKING_DPI / scan.dpi
    grey = cv2.resize(scan.grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    return ScanImage(np.asarray(grey, dtype=np.float32), WORKING_DPI, scan.dpi_from_file)


def check_failure(agreement: float, pilot_error_rate: float) -> Outcome:
    """What a failed check pattern means: the wrong key, or a scan too poor to judge."""
    explained = 1 - pilot_error_rate - CHECK_MARGIN
    return Outcome.WRONG_KEY if agreement < explained else Outcome.UNREADABLE


def verify_back(back: ScanImage, trust: TrustStore, front: ScanImage | None = None) -> Verdict:
    """Verify a scan of a printed back; with ``front``, also compare the front with it."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    back = working_resolution(back)
    try:
        located = locate_block(back.grey, back.dpi)
    except RegistrationError as exc:
        return Verdict(Outcome.UNREADABLE, f"block not found: {exc}", timings=timings)
    timings["locate"] = time.perf_counter() - started
    mark = time.perf_counter()
    equalised = equalise(located.samples)
    timings["equalise"] = time.perf_counter() - mark
    common: dict[str, Any] = dict(
        located=located,
        pilot_error_rate=equalised.pilot_error_rate,
        soft_modules=equalised.soft,
        timings=timings,
    )
    if equalised.pilot_error_rate > MAX_PILOT_ERROR:
        return Verdict(
            Outcome.UNREADABLE,
            f"modules unreadable ({equalised.pilot_error_rate:.1%} pilot errors)",
            **common,
        )

    mark = time.perf_counter()
    codes = _signed_codes(back, located)
    timings["code"] = time.perf_counter() - mark
    payload: SignedPayload | None = None
    outcome: Outcome | None = None
    detail = ""
    for code in codes:
        try:
            payload = verify_signed_code(code, trust.public_keys)
            outcome = None
            break
        except UnknownKeyError as exc:
            outcome, detail = Outcome.UNTRUSTED_KEY, str(exc)
        except SignedCodeError as exc:
            outcome, detail = Outcome.INVALID_SIGNATURE, str(exc)
        try:  # keep the claimed payload to restore the image for the human, untrusted
            payload = parse_signed_code(code).payload
        except SignedCodeError:
            payload = None
    if payload is None:
        return Verdict(outcome or Outcome.UNREADABLE, detail or "signed code not found", **common)

    mark = time.perf_counter()
    doc_key = document_key(
        trust.master_key,
        issuer=payload.issuer,
        serial=payload.serial,
        layout_version=payload.layout_version,
    )
    scrambler = Scrambler.for_page(doc_key, payload.page_index, block_geometry().data_capacity)
    restored = unscramble(equalised.soft, scrambler, payload.source)
    timings["restore"] = time.perf_counter() - mark
    common.update(payload=payload, restored=restored, signature_valid=outcome is None)
    if outcome is not None:
        return Verdict(outcome, detail, **common)
    if restored.check_agreement < MIN_CHECK_AGREEMENT:
        # The pilots say how many modules the channel got wrong; the check pattern should then
        # agree to about 1 − that. Far below it is the key; near it, a scan too poor to judge.
        return Verdict(
            check_failure(restored.check_agreement, equalised.pilot_error_rate),
            f"check pattern {restored.check_agreement:.0%} (≥ {MIN_CHECK_AGREEMENT:.0%} expected, "
            f"{equalised.pilot_error_rate:.1%} pilot errors)",
            **common,
        )

    comparison = None
    if front is not None:
        mark = time.perf_counter()
        front = working_resolution(front)
        front_dpi = front.dpi
        scan_dpi = located.module_px / MODULE_MM * 25.4
        if not front.dpi_from_file and abs(front.grey.size / back.grey.size - 1) < 0.15:
            front_dpi = scan_dpi  # same scanner, same setting: the back measured it exactly
        try:
            comparison = compare_front(
                front,
                restored.image,
                payload.source,
                front_dpi,
                (payload.page_index, payload.page_count),
            )
        except RegistrationError as exc:
            return Verdict(Outcome.UNREADABLE, f"front not registered: {exc}", **common)
        timings["front"] = time.perf_counter() - mark
        common["front"] = comparison
        if comparison.serial is not None and comparison.serial != payload.serial:
            return Verdict(Outcome.SERIAL_MISMATCH, "front and back serials differ", **common)
        if not comparison.registered:
            return Verdict(
                Outcome.FRONT_MISMATCH,
                "the front does not match the restored image at all",
                **common,
            )
        if comparison.regions:
            return Verdict(
                Outcome.FRONT_MISMATCH, f"{len(comparison.regions)} region(s) differ", **common
            )
    timings["total"] = time.perf_counter() - started
    return Verdict(Outcome.VERIFIED, "", **common)
