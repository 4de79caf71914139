"""Geometry of the printed back side, layout versions 1 and 2 (security-printing.md §7.1).

Everything the center, the kiosk and the verifier must agree on lives here, so a layout change
is one new version here and nothing else. Positions on paper are kept in *device pixels* of a
600-dpi printer (integers, so modules land exactly on the device grid) and converted to PDF
points only when drawing.

The back, top to bottom (A4 portrait, long-edge duplex):

* header band: title and the document serial (also on the front);
* the *module block*: 768 × 896 modules of 0.254 mm (6 device pixels), K only, holding four
  ArUco fiducials in its corners, a sync marker every 32 modules, spread pilot modules and the
  keyed scramble of the front;
* bottom band: the cherry blossom with the latent 証 (lower left, where the real certificates
  have it), the explanation in Japanese, and the signed QR code (lower right).

Version 2 keeps the block and changes the bottom band: the signed code carries every printed
text run of the page (printing.security.facts) and needs up to two QR codes side by side, at
0.339-mm modules — the smallest that every office-scan draw decoded, with margin for 200-dpi
and camera captures (benchmarks/security_qr_limit.py, docs/security-printing.md) — and a
narrower explanation. The front also prints the online verification code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

LAYOUT_VERSION = 2
SUPPORTED_LAYOUT_VERSIONS = (1, 2)

# Device grid the layout is drawn on. 600 dpi is the resolution of the office laser MFPs the
# kiosks print on; positions are integers on this grid (1 px = 0.12 pt exactly).
DEVICE_DPI = 600
PT_PER_DEVICE_PX = 72 / DEVICE_DPI
MM_PER_DEVICE_PX = 25.4 / DEVICE_DPI

# A4 in points (ISO 216: 210 × 297 mm).
PAGE_WIDTH_PT = 210 / 25.4 * 72
PAGE_HEIGHT_PT = 297 / 25.4 * 72

# Module pitch: 6 device px = 0.254 mm = 100 modules per inch (§7.1: "module pitch 0.25 mm").
MODULE_DEVICE_PX = 6
MODULE_MM = MODULE_DEVICE_PX * MM_PER_DEVICE_PX

# The module block (§7.1 "data area up to ~170 × 230 mm"); multiples of the sync period.
BLOCK_COLS = 768
BLOCK_ROWS = 896
BLOCK_LEFT_PX = 176  # 7.45 mm from the left edge: the block is centred on the sheet
BLOCK_TOP_PX = 402  # 17.0 mm from the top edge, below the header band

# Fiducials: ArUco DICT_4X4_50 markers 0..3 (clockwise from top-left), 6 × 6 cells of 5
# modules (7.6 mm) in the block corners, with a white quiet zone of 6 modules towards the data.
FIDUCIAL_IDS = (0, 1, 2, 3)
FIDUCIAL_CELL_MODULES = 5
FIDUCIAL_CELLS = 6
FIDUCIAL_MODULES = FIDUCIAL_CELL_MODULES * FIDUCIAL_CELLS
CORNER_RESERVED_MODULES = FIDUCIAL_MODULES + 6

# Sync markers (§7.1): every 32 modules a 4 × 4 white square with a 2 × 2 black core, at this
# offset inside each 32 × 32 cell; reserved in the permutation domain, never overwriting data.
SYNC_PERIOD = 32
SYNC_SIZE = 4
SYNC_OFFSET = 14

# Pilot modules for the equaliser (§7.1 "pilots spread through the data"): this many per sync
# cell, at public pseudo-random positions with public pseudo-random values.
PILOTS_PER_CELL = 24

# Check pattern (§7.1, Fujitsu's idea): public pseudo-random bits appended to the source before
# scrambling; a wrong key or a bad registration restores them at ~50 % agreement.
CHECK_PATTERN_BITS = 1024

# Source raster of the front (§7.1.1): the content area in grey, binarised, at the highest
# resolution up to this that fits the data capacity of the block.
MAX_SOURCE_DPI = 100.0
# A pixel is ink when its rendered coverage is at least 1 - this; 0.7 keeps the thin horizontal
# strokes of Mincho (≈0.1 mm, under half a pixel at 96 dpi) that a 0.5 threshold drops.
SOURCE_INK_THRESHOLD = 0.7

# Bottom band: the cherry blossom (lower left) and the QR code (lower right), in device px.
BAND_TOP_PX = 5858  # 248 mm
SAKURA_LEFT_PX = 236  # 10 mm
SAKURA_SIZE_PX = 850  # 36 mm
QR_RIGHT_PX = 4795  # 203 mm: right edge of the QR box including its quiet zone
QR_BOX_PX = 969  # 41 mm: largest QR box including the 4-module quiet zone
# QR module: 9 device px = 0.381 mm (≥ 0.34 mm, §6.2: 5/5 decodes in every condition).
QR_MODULE_DEVICE_PX = 9
QR_QUIET_MODULES = 4  # ISO/IEC 18004 quiet zone
HEADER_BASELINE_PX = 307  # 13 mm

# Layout v2: two code boxes of QR_BOX_PX side by side, the right one where v1's was. 8-device-px
# modules (0.339 mm): every office draw of benchmarks/security_qr_limit.py decoded 0.296 mm and
# 0.339 mm (60/60 each, version 28 and 24); at 0.339 mm camera draws decoded 56/60 and 200-dpi
# draws 46/60, at 0.296 mm 47/60 and 31/60. Version 24 (113 modules) is the largest whose
# symbol and quiet zone fit the box at that module: 911 bytes at level M (ISO/IEC 18004 table 7).
V2_QR_MODULE_DEVICE_PX = 8
V2_QR_MAX_VERSION = 24
V2_QR_CAPACITY = 911


@dataclass(frozen=True)
class CodeBox:
    """Where one QR code of the back goes: its box (quiet zone included) in device px, the
    module size and the largest version that fits."""

    left_px: int
    top_px: int
    box_px: int
    module_px: int
    max_version: int
    capacity: int  # bytes at level M in byte mode


def code_boxes(layout_version: int) -> tuple[CodeBox, ...]:
    """The QR boxes of a layout version, in reading order (left to right)."""
    if layout_version == 1:
        return (
            CodeBox(QR_RIGHT_PX - QR_BOX_PX, BAND_TOP_PX, QR_BOX_PX, QR_MODULE_DEVICE_PX, 20, 666),
        )
    if layout_version == 2:
        return tuple(
            CodeBox(
                QR_RIGHT_PX - (2 - i) * QR_BOX_PX,
                BAND_TOP_PX,
                QR_BOX_PX,
                V2_QR_MODULE_DEVICE_PX,
                V2_QR_MAX_VERSION,
                V2_QR_CAPACITY,
            )
            for i in range(2)
        )
    raise ValueError(f"unsupported layout version {layout_version}")


@dataclass(frozen=True)
class BlockGeometry:
    """Where every module of the block goes: a fixed property of the layout version."""

    reserved: npt.NDArray[np.bool_]  # fiducials, their quiet zone and sync markers
    fixed_bits: npt.NDArray[np.bool_]  # value of reserved modules (True = ink)
    pilot_index: npt.NDArray[np.intp]  # flat indices of pilot modules
    pilot_bits: npt.NDArray[np.bool_]
    data_index: npt.NDArray[np.intp]  # flat indices of the permutation domain, row-major
    sync_centres: npt.NDArray[np.float64]  # (n, 2) module coordinates (x, y) of marker centres
    sync_grid_shape: tuple[int, int]  # rows, cols of the sync grid (missing corners = NaN)

    @property
    def data_capacity(self) -> int:
        return int(self.data_index.size)


def _public_bits(label: bytes, count: int) -> npt.NDArray[np.bool_]:
    """Public pseudo-random bits (SHA-256 in counter mode): identical on every machine."""
    import hashlib

    needed = (count + 7) // 8
    blocks = [
        hashlib.sha256(label + counter.to_bytes(4, "big")).digest()
        for counter in range((needed + 31) // 32)
    ]
    raw = np.frombuffer(b"".join(blocks)[:needed], dtype=np.uint8)
    return np.unpackbits(raw)[:count].astype(bool)


def check_pattern() -> npt.NDArray[np.bool_]:
    """The check pattern appended to every source before scrambling (layout v1)."""
    return _public_bits(b"KSB v1 check pattern", CHECK_PATTERN_BITS)


# ArUco DICT_4X4_50 markers 0..3, inner 4 × 4 cells row by row, "1" = white, inside a 1-cell
# black border.
# From OpenCV's predefined dictionary; tests/printing/security compare them with cv2.aruco.
_ARUCO_4X4_BITS: dict[int, tuple[str, str, str, str]] = {
    0: ("1011", "0101", "0011", "0010"),
    1: ("0000", "1111", "1001", "1010"),
    2: ("0011", "0011", "0010", "1101"),
    3: ("1001", "1001", "0100", "0110"),
}


def fiducial_bits(marker_id: int) -> npt.NDArray[np.bool_]:
    """The 6 × 6-cell ArUco marker (True = ink, i.e. black), border included."""
    cells = np.ones((FIDUCIAL_CELLS, FIDUCIAL_CELLS), dtype=bool)
    inner = np.array([[c == "0" for c in row] for row in _ARUCO_4X4_BITS[marker_id]])
    cells[1:-1, 1:-1] = inner
    return cells


def fiducial_origins() -> dict[int, tuple[int, int]]:
    """Top-left module (x, y) of each fiducial, by marker id (clockwise from top-left)."""
    far_x = BLOCK_COLS - FIDUCIAL_MODULES
    far_y = BLOCK_ROWS - FIDUCIAL_MODULES
    return {0: (0, 0), 1: (far_x, 0), 2: (far_x, far_y), 3: (0, far_y)}


def _in_corner(x: int, y: int) -> bool:
    near_x = x < CORNER_RESERVED_MODULES or x >= BLOCK_COLS - CORNER_RESERVED_MODULES
    near_y = y < CORNER_RESERVED_MODULES or y >= BLOCK_ROWS - CORNER_RESERVED_MODULES
    return near_x and near_y


@cache
def block_geometry() -> BlockGeometry:
    """The block of layout v1: reserved sites, pilots and the permutation domain."""
    reserved = np.zeros((BLOCK_ROWS, BLOCK_COLS), dtype=bool)
    fixed = np.zeros((BLOCK_ROWS, BLOCK_COLS), dtype=bool)
    c = CORNER_RESERVED_MODULES
    for corner in (
        (slice(0, c), slice(0, c)),
        (slice(0, c), slice(BLOCK_COLS - c, None)),
        (slice(BLOCK_ROWS - c, None), slice(BLOCK_COLS - c, None)),
        (slice(BLOCK_ROWS - c, None), slice(0, c)),
    ):
        reserved[corner] = True
    for marker_id, (ox, oy) in fiducial_origins().items():
        cells = fiducial_bits(marker_id)
        modules = np.kron(cells, np.ones((FIDUCIAL_CELL_MODULES,) * 2, dtype=bool)).astype(bool)
        fixed[oy : oy + FIDUCIAL_MODULES, ox : ox + FIDUCIAL_MODULES] = modules

    grid_rows = BLOCK_ROWS // SYNC_PERIOD
    grid_cols = BLOCK_COLS // SYNC_PERIOD
    centres = np.full((grid_rows, grid_cols, 2), np.nan)
    core = np.zeros((SYNC_SIZE, SYNC_SIZE), dtype=bool)
    core[1:3, 1:3] = True
    for gy in range(grid_rows):
        for gx in range(grid_cols):
            x = gx * SYNC_PERIOD + SYNC_OFFSET
            y = gy * SYNC_PERIOD + SYNC_OFFSET
            if any(
                _in_corner(x + dx, y + dy) for dx in (0, SYNC_SIZE - 1) for dy in (0, SYNC_SIZE - 1)
            ):
                continue
            reserved[y : y + SYNC_SIZE, x : x + SYNC_SIZE] = True
            fixed[y : y + SYNC_SIZE, x : x + SYNC_SIZE] = core
            centres[gy, gx] = (x + SYNC_SIZE / 2, y + SYNC_SIZE / 2)

    # Pilots: the PILOTS_PER_CELL free modules of each sync cell with the smallest public
    # pseudo-random keys (cells wholly inside a corner get none).
    keys_bits = _public_bits(b"KSB v1 pilot positions", BLOCK_ROWS * BLOCK_COLS * 16)
    keys = np.packbits(keys_bits).view(">u2").astype(np.float64).reshape(reserved.shape)
    keys[reserved] = np.inf
    per_cell = (
        keys.reshape(grid_rows, SYNC_PERIOD, grid_cols, SYNC_PERIOD)
        .transpose(0, 2, 1, 3)
        .reshape(grid_rows, grid_cols, SYNC_PERIOD * SYNC_PERIOD)
    )
    chosen = np.argsort(per_cell, axis=-1, kind="stable")[..., :PILOTS_PER_CELL]
    chosen_keys = np.take_along_axis(per_cell, chosen, axis=-1)
    cell_y, cell_x = np.divmod(chosen, SYNC_PERIOD)
    rows = np.arange(grid_rows)[:, None, None] * SYNC_PERIOD + cell_y
    cols = np.arange(grid_cols)[None, :, None] * SYNC_PERIOD + cell_x
    usable = np.isfinite(chosen_keys)
    pilot_mask = np.zeros_like(reserved)
    pilot_mask[rows[usable], cols[usable]] = True
    pilot_index = np.flatnonzero(pilot_mask)
    pilot_bits = _public_bits(b"KSB v1 pilot values", pilot_index.size)
    data_index = np.flatnonzero(~reserved & ~pilot_mask)
    for array in (reserved, fixed, pilot_index, pilot_bits, data_index, centres):
        array.setflags(write=False)
    return BlockGeometry(
        reserved=reserved,
        fixed_bits=fixed,
        pilot_index=pilot_index,
        pilot_bits=pilot_bits,
        data_index=data_index,
        sync_centres=centres.reshape(-1, 2),
        sync_grid_shape=(grid_rows, grid_cols),
    )


@dataclass(frozen=True)
class SourceGeometry:
    """The source raster of one front page: which area of the page, at what resolution.

    ``area_mm`` is (left, top, width, height) from the page's top-left corner; pixel (0, 0)
    covers the area's top-left corner and each pixel is ``25.4 / dpi`` mm square.
    """

    area_mm: tuple[float, float, float, float]
    dpi: float
    width: int
    height: int

    @property
    def pixel_count(self) -> int:
        return self.width * self.height


def source_geometry(area_mm: tuple[float, float, float, float]) -> SourceGeometry:
    """The highest source resolution (≤ MAX_SOURCE_DPI) whose raster fits the block."""
    _, _, width_mm, height_mm = area_mm
    if not (width_mm > 0 and height_mm > 0):
        raise ValueError("content area must have a positive size")
    capacity = block_geometry().data_capacity - CHECK_PATTERN_BITS
    area_in2 = (width_mm / 25.4) * (height_mm / 25.4)
    dpi = min(MAX_SOURCE_DPI, (capacity / area_in2) ** 0.5)
    dpi = float(np.floor(dpi * 100) / 100)
    width = int(width_mm / 25.4 * dpi)
    height = int(height_mm / 25.4 * dpi)
    while width * height > capacity:  # rounding guard; at most a step or two
        dpi -= 0.01
        width = int(width_mm / 25.4 * dpi)
        height = int(height_mm / 25.4 * dpi)
    return SourceGeometry(area_mm=area_mm, dpi=dpi, width=width, height=height)
