"""How small a QR module the print–scan envelopes read reliably (the capacity of the back).

The signed facts of layout version 2 need more bytes than one 41-mm code at 0.381-mm modules
holds (666 B). This measures, instead of guessing, which module size each envelope decodes
reliably: a genuine back (the block must still be found: the codes are read from the box the
homography rectifies, as the verifier does) gets, in its bottom band, one code per module size
— the largest QR version (level M) whose symbol and quiet zone fit the band's 41-mm height —
filled with random bytes, and goes through the simulated channel (``sample_params``).

    nice .venv/bin/python benchmarks/security_qr_limit.py --envelope office --draws 60

Prints, per module size, the version, its capacity and how many draws decoded it exactly.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import segno

from printing import documents
from printing.documents import samples
from printing.security import CopyToPrint, compose_job, make_back_side
from printing.security._cv import cv2
from printing.security.channel import ENVELOPES, sample_params, simulate
from printing.security.layout import (
    BAND_TOP_PX,
    BLOCK_LEFT_PX,
    BLOCK_TOP_PX,
    MODULE_DEVICE_PX,
    QR_BOX_PX,
    QR_QUIET_MODULES,
)
from printing.verify.errors import RegistrationError
from printing.verify.images import load_scan, read_codes
from printing.verify.locate import locate_block
from printing.verify.verifier import working_resolution

sys.path.insert(0, str(Path(__file__).parent))
from security_speed import KEYS, render

BAND_LEFT_PX = 236  # 10 mm: where the flower starts on a real back (erased here)
RECTIFIED_PX_PER_DEVICE_PX = 1.0  # the boxes are warped upright at 600 dpi


@dataclass(frozen=True)
class Probe:
    module_px: int  # device px at 600 dpi
    version: int
    capacity: int
    left_px: int
    box_px: int

    @property
    def module_mm(self) -> float:
        return self.module_px * 25.4 / 600


def capacity(version: int) -> int:
    low, high = 1, 3000
    while low < high:
        middle = (low + high + 1) // 2
        try:
            segno.make(b"\xff" * middle, version=version, error="m", mode="byte", boost_error=False)
            low = middle
        except (segno.DataOverflowError, ValueError):
            high = middle - 1
    return low


def probes(module_sizes: tuple[int, ...]) -> list[Probe]:
    out = []
    left = BAND_LEFT_PX
    for module_px in module_sizes:
        fit = QR_BOX_PX // module_px - 2 * QR_QUIET_MODULES
        version = min(40, (fit - 17) // 4)
        box = (17 + 4 * version + 2 * QR_QUIET_MODULES) * module_px
        out.append(Probe(module_px, version, capacity(version), left, box))
        left += box
    return out


def stamp(page: np.ndarray, probe: Probe, payload: bytes) -> None:
    qr = segno.make(payload, version=probe.version, error="m", mode="byte", boost_error=False)
    matrix = np.array([list(row) for row in qr.matrix], dtype=bool)
    pixels = np.kron(matrix, np.ones((probe.module_px, probe.module_px), dtype=bool))
    quiet = QR_QUIET_MODULES * probe.module_px
    top = BAND_TOP_PX
    page[top : top + probe.box_px, probe.left_px : probe.left_px + probe.box_px] = 255
    y, x = top + quiet, probe.left_px + quiet
    page[y : y + pixels.shape[0], x : x + pixels.shape[1]][pixels] = 0


def rectified_box(grey: np.ndarray, homography: np.ndarray, probe: Probe) -> np.ndarray:
    margin = 60
    left = (probe.left_px - margin - BLOCK_LEFT_PX) / MODULE_DEVICE_PX
    top = (BAND_TOP_PX - margin - BLOCK_TOP_PX) / MODULE_DEVICE_PX
    r = RECTIFIED_PX_PER_DEVICE_PX * MODULE_DEVICE_PX
    to_module = np.array([[1 / r, 0, left], [0, 1 / r, top], [0, 0, 1]])
    side = int((probe.box_px + 2 * margin) * RECTIFIED_PX_PER_DEVICE_PX)
    warped = cv2.warpPerspective(
        grey,
        homography @ to_module,
        (side, side),
        flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.asarray(warped, dtype=np.uint8)


def decoded(image: np.ndarray, payload: bytes) -> bool:
    candidates = [image]
    _, otsu = cv2.threshold(
        cv2.GaussianBlur(image, (0, 0), 1.0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU
    )
    candidates.append(otsu)
    return any(payload in read_codes(candidate) for candidate in candidates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--envelope", choices=ENVELOPES, default="office")
    parser.add_argument("--draws", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--modules", default="5,6,7,8", help="module sizes in 600-dpi px")
    args = parser.parse_args()

    rendered = documents.render_document(samples.inkan())
    back = make_back_side(  # the block and fiducials; the band is replaced below
        rendered.pdf,
        0,
        serial="131202-241203-000001-1",
        issuer="東京都練馬区長",
        canonical_text=rendered.canonical_text,
        keys=KEYS,
        layout_version=1,
    )
    base = render(compose_job([CopyToPrint(rendered.pdf, (back,))]), 1)
    # Erase the flower, explanation and code: the band holds only the probes.
    base[BAND_TOP_PX - 20 :, BAND_LEFT_PX:] = 255
    layout = probes(tuple(int(v) for v in args.modules.split(",")))
    rng = np.random.default_rng(args.seed)
    counts: dict[int, list[int]] = {p.module_px: [0, 0] for p in layout}
    started = time.perf_counter()
    for draw in range(args.draws):
        page = base.copy()
        payloads = {}
        for probe in layout:
            payloads[probe.module_px] = rng.bytes(probe.capacity)
            stamp(page, probe, payloads[probe.module_px])
        params = sample_params(args.envelope, rng, seed=args.seed * 100_000 + draw)
        scan = working_resolution(load_scan(simulate(page, params))[0])
        try:
            located = locate_block(scan.grey, scan.dpi)
        except RegistrationError as exc:  # the draw counts as failed for every probe
            print(draw, "block not found", exc, file=sys.stderr)
            for probe in layout:
                counts[probe.module_px][1] += 1
            continue
        result: dict[str, Any] = {}
        for probe in layout:
            ok = decoded(
                rectified_box(scan.grey_u8, located.homography, probe), payloads[probe.module_px]
            )
            counts[probe.module_px][0] += ok
            counts[probe.module_px][1] += 1
            result[probe.module_px] = ok
        print(draw, json.dumps(result), file=sys.stderr, flush=True)
    summary = [
        {
            "module_px": p.module_px,
            "module_mm": round(p.module_mm, 3),
            "version": p.version,
            "capacity_m": p.capacity,
            "decoded": f"{counts[p.module_px][0]}/{counts[p.module_px][1]}",
        }
        for p in layout
    ]
    print(
        json.dumps(
            {
                "envelope": args.envelope,
                "draws": args.draws,
                "seed": args.seed,
                "elapsed_s": round(time.perf_counter() - started, 1),
                "probes": summary,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
