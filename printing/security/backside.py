"""Back-side data: what the center sends the kiosk to print on the back of one front page.

The center makes it (``make_back_side``, it holds the keys); the kiosk only places it
(``compose_job``). It carries no key material: the scrambled module block as a 1-bit PNG and the
signed code's bytes, plus the fields the kiosk needs to draw and to cross-check them.

Wire form: a JSON object (``to_json``/``from_json``, or ``to_dict``/``from_dict`` to embed it in a
larger message). Parsing validates everything — types, ranges, the PNG's size and its fixed
modules against the layout, the signed code's framing and that its serial, issuer and page agree
with the outer fields — and raises ``BackSideFormatError`` for anything malformed.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

from .errors import BackSideFormatError, BackSideGenerationError, SignedCodeError
from .grid import build_block, decode_block_png, encode_block_png, layout_mismatches
from .keys import BackSideKeys, Scrambler, document_key
from .layout import (
    BLOCK_COLS,
    BLOCK_ROWS,
    LAYOUT_VERSION,
    SUPPORTED_LAYOUT_VERSIONS,
    block_geometry,
)
from .signed_code import (
    FACTS_FROM_VERSION,
    SignedPayload,
    parse_signed_code,
    sign_payload,
    text_digest,
)
from .source import source_raster
from .vcode import is_code

WIRE_FORMAT = "konbini-back-side"
MAX_WIRE_BYTES = 512 * 1024  # a v1 back is ~120 kB of JSON
MAX_PNG_BYTES = 256 * 1024
# Serials and issuer ids are printed and put in file names: a conservative ASCII alphabet.
_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


MAX_ISSUER_CHARS = 64


def _check_identifier(name: str, value: object) -> str:
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
        raise BackSideFormatError(f"{name} must be 1–32 ASCII letters, digits, '.', '_' or '-'")
    return value


def _check_issuer(value: object) -> str:
    """The issuer as printed on the back (e.g. 東京都練馬区長): a short line of printable text."""
    if not (
        isinstance(value, str)
        and 0 < len(value) <= MAX_ISSUER_CHARS
        and value.isprintable()
        and value.strip() == value
    ):
        raise BackSideFormatError(f"issuer must be 1–{MAX_ISSUER_CHARS} printable characters")
    return value


@dataclass(frozen=True)
class BackSideData:
    """The back of one front page, as the center sends it.

    ``content_area_mm`` is (left, top, width, height) of the front page area the scramble
    holds; the kiosk prints the serial outside it. ``verification_code`` (layout v2) is the
    code for the online check the kiosk prints on the front (printing.security.vcode); the
    center keeps it for the verification service.
    """

    layout_version: int
    serial: str
    issuer: str
    page_index: int
    page_count: int
    modules_png: bytes
    signed_code: bytes
    content_area_mm: tuple[float, float, float, float]
    verification_code: str | None = None

    def __post_init__(self) -> None:
        self._validate()

    def __repr__(self) -> str:  # the serial names a certificate: keep it out of logs
        return (
            f"BackSideData(layout_version={self.layout_version}, page={self.page_index + 1}/"
            f"{self.page_count}, modules={len(self.modules_png)} B, code="
            f"{len(self.signed_code)} B)"
        )

    # --- validation -------------------------------------------------------------------------
    def _validate(self) -> None:
        if type(self.layout_version) is not int or (
            self.layout_version not in SUPPORTED_LAYOUT_VERSIONS
        ):
            raise BackSideFormatError(f"unsupported layout version {self.layout_version!r}")
        _check_identifier("serial", self.serial)
        _check_issuer(self.issuer)
        for name in ("page_index", "page_count"):
            if type(getattr(self, name)) is not int:
                raise BackSideFormatError(f"{name} must be an integer")
        if not 0 <= self.page_index < self.page_count <= 999:
            raise BackSideFormatError("page index out of range")
        area = self.content_area_mm
        if not (
            isinstance(area, tuple)
            and len(area) == 4
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in area)
            and all(0 <= v <= 600 for v in area)
            and area[2] > 0
            and area[3] > 0
        ):
            raise BackSideFormatError("content area must be 4 numbers in mm, positive size")
        if self.layout_version >= FACTS_FROM_VERSION:
            if not is_code(self.verification_code):
                raise BackSideFormatError("verification code must be 16 Crockford base32 letters")
        elif self.verification_code is not None:
            raise BackSideFormatError(f"layout v{self.layout_version} has no verification code")
        self._check_png()
        self._check_code()

    def _check_png(self) -> None:
        data = self.modules_png
        if not isinstance(data, bytes) or len(data) > MAX_PNG_BYTES:
            raise BackSideFormatError("module image missing or too large")
        if not data.startswith(_PNG_SIGNATURE):
            raise BackSideFormatError("module image is not a PNG")
        try:
            # Image.open reads only the header: the size is checked before any decoding.
            with Image.open(io.BytesIO(data)) as image:
                if image.size != (BLOCK_COLS, BLOCK_ROWS) or image.mode != "1":
                    raise BackSideFormatError(
                        f"module image must be 1-bit {BLOCK_COLS}×{BLOCK_ROWS}"
                    )
            block = decode_block_png(data)
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise BackSideFormatError("module image cannot be decoded") from exc
        if layout_mismatches(block):
            raise BackSideFormatError("module image does not follow the layout's fixed modules")

    def _check_code(self) -> None:
        if not isinstance(self.signed_code, bytes):
            raise BackSideFormatError("signed code must be bytes")
        try:
            payload = parse_signed_code(self.signed_code).payload
        except SignedCodeError as exc:
            raise BackSideFormatError(f"signed code is malformed: {exc}") from exc
        claimed = (
            payload.serial,
            payload.issuer,
            payload.page_index,
            payload.page_count,
            payload.layout_version,
        )
        if claimed != (
            self.serial,
            self.issuer,
            self.page_index,
            self.page_count,
            self.layout_version,
        ):
            raise BackSideFormatError("signed code does not name this serial, issuer and page")

    # --- content ----------------------------------------------------------------------------
    def modules(self) -> npt.NDArray[np.bool_]:
        """The module block, rows × cols, True = ink."""
        return decode_block_png(self.modules_png)

    # --- wire form --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (binary fields in base64)."""
        extra = (
            {} if self.verification_code is None else {"verification_code": self.verification_code}
        )
        return {
            "format": WIRE_FORMAT,
            "layout_version": self.layout_version,
            "serial": self.serial,
            "issuer": self.issuer,
            "page_index": self.page_index,
            "page_count": self.page_count,
            "content_area_mm": list(self.content_area_mm),
            "modules_png": base64.b64encode(self.modules_png).decode("ascii"),
            "signed_code": base64.b64encode(self.signed_code).decode("ascii"),
            **extra,
        }

    @classmethod
    def from_dict(cls, data: object) -> BackSideData:
        """Parse and validate the dict form; anything malformed → ``BackSideFormatError``."""
        if not isinstance(data, dict):
            raise BackSideFormatError("back-side data must be a JSON object")
        if data.get("format") != WIRE_FORMAT:
            raise BackSideFormatError("not back-side data (format field)")
        expected = {
            "format",
            "layout_version",
            "serial",
            "issuer",
            "page_index",
            "page_count",
            "content_area_mm",
            "modules_png",
            "signed_code",
        }
        version = data.get("layout_version")
        if type(version) is not int or version not in SUPPORTED_LAYOUT_VERSIONS:
            raise BackSideFormatError(f"unsupported layout version {version!r}")
        if version >= FACTS_FROM_VERSION:
            expected.add("verification_code")
        if set(data) != expected:
            raise BackSideFormatError(f"fields must be exactly {sorted(expected)}")
        area = data["content_area_mm"]
        if not isinstance(area, list):
            raise BackSideFormatError("content_area_mm must be a list")
        return cls(
            layout_version=data["layout_version"],
            serial=data["serial"],
            issuer=data["issuer"],
            page_index=data["page_index"],
            page_count=data["page_count"],
            modules_png=_b64(data["modules_png"], "modules_png"),
            signed_code=_b64(data["signed_code"], "signed_code"),
            content_area_mm=tuple(area),  # checked in _validate
            verification_code=data.get("verification_code"),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> BackSideData:
        if len(text) > MAX_WIRE_BYTES:
            raise BackSideFormatError("back-side data is too large")
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BackSideFormatError("back-side data is not JSON") from exc
        return cls.from_dict(data)

    def to_bytes(self) -> bytes:
        return self.to_json().encode("ascii")

    @classmethod
    def from_bytes(cls, data: bytes) -> BackSideData:
        return cls.from_json(data)


def _b64(value: object, name: str) -> bytes:
    if not isinstance(value, str):
        raise BackSideFormatError(f"{name} must be a base64 string")
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise BackSideFormatError(f"{name} is not valid base64") from exc


def default_content_area_mm() -> tuple[float, float, float, float]:
    """The content box of printing.documents' A4 layout: what the municipality draws in, and
    outside which the kiosk prints the serial (so the scramble never holds the kiosk's marks)."""
    from printing.documents.layout import A4_LAYOUT

    box = A4_LAYOUT.content
    return (box.left_mm, box.top_mm, box.width_mm, box.height_mm)


def make_back_side(
    front_pdf: bytes,
    page_index: int,
    *,
    serial: str,
    issuer: str,
    canonical_text: str,
    keys: BackSideKeys,
    content_area_mm: tuple[float, float, float, float] | None = None,
    page_count: int | None = None,
    issued_on: date | None = None,
    verification_code: str | None = None,
    layout_version: int = LAYOUT_VERSION,
) -> BackSideData:
    """Center side: the back of ``front_pdf``'s page ``page_index`` (0-based).

    Renders the page's content area (default: printing.documents' A4 content box) to the
    source raster, scrambles it under the document key derived from ``keys`` for (issuer,
    serial), and signs the canonical text of the whole certificate (or its hash) with the
    serial, issuer, page and — layout v2 — every text run the page prints with its position.
    ``page_count`` defaults to the PDF's; ``issued_on`` to today (UTC). ``verification_code``
    (v2, required: printing.security.vcode.new_code) is the copy's code for the online check,
    the same on every page; the center keeps it for its verification service.
    ``layout_version`` 1 makes the old layout (for verifying it in tests).
    """
    from .source import page_count as pdf_page_count

    try:
        _check_identifier("serial", serial)
        _check_issuer(issuer)
    except BackSideFormatError as exc:
        raise BackSideGenerationError(str(exc)) from exc
    count = pdf_page_count(front_pdf) if page_count is None else page_count
    if not 0 <= page_index < count:
        raise BackSideGenerationError(f"page {page_index} out of range for {count} page(s)")
    area = tuple(float(v) for v in (content_area_mm or default_content_area_mm()))
    if len(area) != 4:
        raise BackSideGenerationError("content area must be (left, top, width, height)")
    area4 = (area[0], area[1], area[2], area[3])
    if layout_version not in SUPPORTED_LAYOUT_VERSIONS:
        raise BackSideGenerationError(f"unsupported layout version {layout_version}")
    page_facts = None
    if layout_version >= FACTS_FROM_VERSION:
        from .facts_pdf import document_facts

        if not is_code(verification_code):
            raise BackSideGenerationError(
                "layout v2 needs the copy's verification code: 16 Crockford base32 letters"
            )
        page_facts = document_facts(front_pdf, canonical_text)[page_index]
    geometry, raster = source_raster(front_pdf, page_index, area4)
    doc_key = document_key(
        keys.scramble_master_key, issuer=issuer, serial=serial, layout_version=layout_version
    )
    scrambler = Scrambler.for_page(doc_key, page_index, block_geometry().data_capacity)
    block = build_block(raster, scrambler)
    payload = SignedPayload(
        layout_version=layout_version,
        issuer=issuer,
        serial=serial,
        page_index=page_index,
        page_count=count,
        issued_on=issued_on or datetime.now(UTC).date(),
        text_sha256=text_digest(canonical_text),
        text=canonical_text,
        source=geometry,
        page_facts=page_facts,
    )
    try:
        code = sign_payload(payload, keys.signing_key, keys.key_id)
    except SignedCodeError as exc:
        raise BackSideGenerationError(str(exc)) from exc
    return BackSideData(
        layout_version=layout_version,
        serial=serial,
        issuer=issuer,
        page_index=page_index,
        page_count=count,
        modules_png=encode_block_png(block),
        signed_code=code,
        content_area_mm=geometry.area_mm,
        verification_code=verification_code if layout_version >= FACTS_FROM_VERSION else None,
    )
