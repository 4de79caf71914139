"""The verification of one printed back (and optionally its front): a verdict, not a crash.

Order of checks (security-printing.md §7.3): find the block → read and verify the signed code
(which names serial, issuer, page and the source raster) → derive the document key from the
serial → unscramble and test the check pattern → compare with the front when one is given.
Each failure is an outcome of its own, so a wrong key, a back from another certificate and an
edited front are told apart. Layout v2 backs carry the page's signed facts: a front is then
compared field by field (fields.py) — which needs only the issuer's public key — and the image
comparison with the restored front (front.py, which needs the master key) keeps what has no
field: seals, rules, stamps.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import numpy.typing as npt

from printing.security._cv import cv2
from printing.security.errors import SignedCodeError, UnknownKeyError
from printing.security.keys import Scrambler, document_key
from printing.security.layout import (
    BLOCK_LEFT_PX,
    BLOCK_TOP_PX,
    MODULE_DEVICE_PX,
    MODULE_MM,
    CodeBox,
    block_geometry,
    code_boxes,
)
from printing.security.qrchunks import is_part, join
from printing.security.signed_code import SignedPayload, parse_signed_code, verify_signed_code

from .errors import RegistrationError
from .fields import MIN_FRONT_DPI, FieldComparison
from .front import SerialCode, compare_front
from .frontcheck import check_front, text_mask
from .images import ScanImage, read_codes
from .locate import Located, flat_field, locate_block
from .restore import equalise, unscramble
from .verdict import MESSAGES, Outcome, TrustStore, Verdict

__all__ = ["MESSAGES", "Outcome", "TrustStore", "Verdict", "verify_back"]

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


QR_RECTIFIED_PX_PER_MODULE = 4  # block modules; a QR module (1.5 block modules) gets 6 px


def _code_box(
    scan: ScanImage, homography: npt.NDArray[np.float64], box: CodeBox
) -> npt.NDArray[np.uint8]:
    """A code box of the layout (plus a margin), warped upright from the scan by the
    homography, at QR_RECTIFIED_PX_PER_MODULE px per block module."""
    margin = 60  # device px, 2.5 mm
    left = (box.left_px - margin - BLOCK_LEFT_PX) / MODULE_DEVICE_PX
    top = (box.top_px - margin - BLOCK_TOP_PX) / MODULE_DEVICE_PX
    size = (box.box_px + 2 * margin) / MODULE_DEVICE_PX
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


def _decoded(image: npt.NDArray[np.uint8]) -> list[bytes]:
    """QR payloads in an image, trying it as it is and Otsu-binarised."""
    _, otsu = cv2.threshold(
        cv2.GaussianBlur(image, (0, 0), 1.0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU
    )
    for candidate in (image, otsu):
        found = [c for c in read_codes(candidate) if isinstance(c, bytes)]
        if found:
            return found
    return []


def signed_codes(scan: ScanImage, located: Located) -> tuple[list[bytes], bool]:
    """The signed codes on the back (v2: its parts joined; v1: the code) and whether parts of
    a v2 code were found that do not make a whole one. The boxes of layout v2 (the right one
    is v1's) are read upright; the whole scan only when they give nothing."""
    found: list[bytes] = []
    for box in code_boxes(2):
        found.extend(_decoded(_code_box(scan, located.homography, box)))
    if not found:
        found = [c for c in read_codes(scan.grey_u8) if isinstance(c, bytes)]
    parts = [c for c in found if is_part(c)]
    whole = join(parts)
    return whole + [c for c in found if not is_part(c)], bool(parts) and not whole


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
        located = locate_block(back.grey, back.dpi, back.decoded)
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
        scramble_checked=trust.master_key is not None,
    )
    if equalised.pilot_error_rate > MAX_PILOT_ERROR:
        return Verdict(
            Outcome.UNREADABLE,
            f"modules unreadable ({equalised.pilot_error_rate:.1%} pilot errors)",
            **common,
        )

    mark = time.perf_counter()
    codes, partial = signed_codes(back, located)
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
        if partial and outcome is None:
            return Verdict(
                Outcome.CODE_UNREADABLE, "a part of the signed code was not read", **common
            )
        return Verdict(outcome or Outcome.UNREADABLE, detail or "signed code not found", **common)
    common.update(payload=payload, signature_valid=outcome is None)

    restored = None
    if trust.master_key is not None:
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
        common.update(restored=restored)
    if outcome is not None:
        return Verdict(outcome, detail, **common)
    if restored is not None and restored.check_agreement < MIN_CHECK_AGREEMENT:
        # The pilots say how many modules the channel got wrong; the check pattern should then
        # agree to about 1 − that. Far below it is the key; near it, a scan too poor to judge.
        return Verdict(
            check_failure(restored.check_agreement, equalised.pilot_error_rate),
            f"check pattern {restored.check_agreement:.0%} (≥ {MIN_CHECK_AGREEMENT:.0%} expected, "
            f"{equalised.pilot_error_rate:.1%} pilot errors)",
            **common,
        )
    if front is not None:
        mark = time.perf_counter()
        verdict = _check_front(working_resolution(front), back, located, payload, common)
        timings["front"] = time.perf_counter() - mark
        if verdict is not None:
            return verdict
    timings["total"] = time.perf_counter() - started
    return Verdict(Outcome.VERIFIED, "", **common)


def verify_front(verdict: Verdict, back: ScanImage, front: ScanImage) -> Verdict:
    """A front checked against a back already verified (``verify_back(back, trust)``): the same
    verdict ``verify_back(back, trust, front)`` gives, without reading the back again (a clerk
    with several copies, or a benchmark with many fronts)."""
    if verdict.outcome is not Outcome.VERIFIED or verdict.payload is None:
        return verdict
    assert verdict.located is not None
    timings = dict(verdict.timings)
    common: dict[str, Any] = dict(
        located=verdict.located,
        pilot_error_rate=verdict.pilot_error_rate,
        soft_modules=verdict.soft_modules,
        timings=timings,
        scramble_checked=verdict.scramble_checked,
        payload=verdict.payload,
        signature_valid=verdict.signature_valid,
        restored=verdict.restored,
    )
    mark = time.perf_counter()
    checked = _check_front(
        working_resolution(front),
        working_resolution(back),
        verdict.located,
        verdict.payload,
        common,
    )
    timings["front"] = time.perf_counter() - mark
    return checked or Verdict(Outcome.VERIFIED, "", **common)


def _check_front(
    front: ScanImage,
    back: ScanImage,
    located: Located,
    payload: SignedPayload,
    common: dict[str, Any],
) -> Verdict | None:
    """The front's checks (fields for v2, the image where there is a restored image); a
    verdict when the front is not the genuine one, None when it is."""
    serial = None
    code: SerialCode | None = None
    fields: FieldComparison | None = None
    flat = flat_field(front.grey, front.dpi / 100)  # made once for both comparisons
    if payload.page_facts is not None:
        fields, code = check_front(front, payload, flat)
        common["fields"] = fields
        serial = code.serial if code is not None else None
        common["front_serial"] = serial
        if serial is not None and serial != payload.serial:
            return Verdict(Outcome.SERIAL_MISMATCH, "front and back serials differ", **common)
        dpi = fields.scan_dpi if fields.registered else front.dpi
        if dpi < MIN_FRONT_DPI:
            return Verdict(
                Outcome.FRONT_RESCAN,
                f"the front is scanned at about {dpi:.0f} dpi (≥ {MIN_FRONT_DPI:.0f} needed)",
                **common,
            )
        if not fields.registered:
            return Verdict(
                Outcome.FRONT_MISMATCH,
                "the front does not match the signed page at all",
                **common,
            )
        if fields.recapture:
            return Verdict(
                Outcome.FRONT_RECAPTURE, f"cannot check the front: {fields.recapture}", **common
            )
        if fields.differing:
            return Verdict(
                Outcome.FIELDS_DIFFER,
                f"{len(fields.differing)} field(s) differ from the signed facts",
                **common,
            )
    restored = common.get("restored")
    if restored is None:
        return None
    front_dpi = front.dpi
    scan_dpi = located.module_px / MODULE_MM * 25.4
    if not front.dpi_from_file and abs(front.grey.size / back.grey.size - 1) < 0.15:
        front_dpi = scan_dpi  # same scanner, same setting: the back measured it exactly
    ignore = text_mask(payload, restored.image.shape) if payload.page_facts else None
    try:
        comparison = compare_front(
            front,
            restored.image,
            payload.source,
            front_dpi,
            (payload.page_index, payload.page_count),
            ignore,
            known_code=(code,) if payload.page_facts is not None else None,
            # The front's flat field as the fields had it, even where the back measured another
            # resolution (a cell of the paper's brightness a pixel or two wider: the same paper),
            # not a second one over the page.
            flat=flat,
            page_to_scan=fields.page_to_scan if fields is not None else None,
        )
    except RegistrationError as exc:
        if payload.page_facts is not None:
            return None  # the fields matched; the image comparison could not place the front
        return Verdict(Outcome.UNREADABLE, f"front not registered: {exc}", **common)
    common["front"] = comparison
    if serial is None and comparison.serial is not None and comparison.serial != payload.serial:
        return Verdict(Outcome.SERIAL_MISMATCH, "front and back serials differ", **common)
    if not comparison.registered:
        if payload.page_facts is not None:
            return None
        return Verdict(
            Outcome.FRONT_MISMATCH, "the front does not match the restored image at all", **common
        )
    if comparison.regions:
        return Verdict(
            Outcome.FRONT_MISMATCH,
            f"{len(comparison.regions)} region(s) differ from the restored image",
            **common,
        )
    return None
