"""The figures of docs/security-printing.md, and the copy-evidence numbers quoted there.

    .venv/bin/python benchmarks/security_figures.py [--out docs/img/security]

Writes front.png, front_detail.png, back.png, scan_detail.png, restored.png,
fields.png, copy.png and latent.png, and prints the measured contrasts as JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
from cryptography.hazmat.primitives.asymmetric import ec
from PIL import Image, ImageDraw

from printing import documents
from printing.documents import samples
from printing.security import BackSideKeys, CopyToPrint, PrintCalibration, compose_job
from printing.security import make_back_side as make
from printing.security._cv import cv2
from printing.security.channel import ChannelParams, simulate
from printing.security.copier import (
    CopierModel,
    colour_copy_k,
    photocopy,
    printed_reflectance,
    render_cmyk,
    viewing_contrast,
)
from printing.security.layout import BAND_TOP_PX, SAKURA_LEFT_PX, SAKURA_SIZE_PX
from printing.security.pantograph import word_cells
from printing.verify import TrustStore, load_scan, verify_back
from printing.verify.report import side_by_side

KEYS = BackSideKeys(bytes(range(32)), ec.derive_private_key(4242, ec.SECP256R1()), b"docs-1")
TRUST = TrustStore(KEYS.scramble_master_key, {KEYS.key_id: KEYS.signing_key.public_key()})
OFFICE = ChannelParams(
    dot_gain_sigma_px=0.6,
    toner_density=0.85,
    halftone="bayer",
    banding_amplitude=0.02,
    mottle=0.01,
    yellowing_delta_e=8,
    fading=0.9,
    scan_dpi=300,
    rotation_deg=1.5,
    warp_mm=0.3,
    blur_sigma_px=0.9,
    show_through=0.05,
    noise_sigma=4,
    jpeg_quality=75,
    colour=True,
    seed=7,
)


def pdftoppm(pdf: bytes, page: int, dpi: int, grey: bool = False) -> Image.Image:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        args = ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-f", str(page), "-l", str(page)]
        subprocess.run(
            [*args, *(["-gray"] if grey else []), str(source), str(Path(folder) / "out")],
            check=True,
            timeout=120,
        )
        with Image.open(Path(folder) / "out.png") as image:
            return image.convert("L" if grey else "RGB")


def backs(rendered: documents.Rendered, serial: str) -> tuple[object, ...]:
    area = documents.document_layout().content
    return tuple(
        make(
            rendered.pdf,
            index,
            serial=serial,
            issuer="東京都練馬区長",
            canonical_text=rendered.canonical_text,
            keys=KEYS,
            content_area_mm=(area.left_mm, area.top_mm, area.width_mm, area.height_mm),
            verification_code="K7QM2XD94RTPH3WC",
        )
        for index in range(rendered.page_count)
    )


def labelled(images: list[Image.Image], labels: list[str]) -> Image.Image:
    """Images side by side with a caption strip (ASCII captions: any font will do)."""
    height = max(image.height for image in images)
    width = sum(image.width for image in images) + 10 * (len(images) - 1)
    canvas = Image.new("RGB", (width, height + 22), "white")
    draw = ImageDraw.Draw(canvas)
    x = 0
    for image, label in zip(images, labels, strict=True):
        canvas.paste(image.convert("RGB"), (x, 22))
        draw.text((x + 4, 4), label, fill="black")
        x += image.width + 10
    return canvas


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/img/security"))
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    numbers: dict[str, float] = {}

    juminhyo = documents.render_document(samples.juminhyo())
    serial = "131202-241203-000001-1"
    job_backs = backs(juminhyo, serial)
    # The back names the verification service as the shipped store profile does (a placeholder).
    job = compose_job(
        [CopyToPrint(juminhyo.pdf, job_backs)],  # type: ignore[arg-type]
        verification="https://verify.center.kiosk.example.jp/",
    )
    # 600-dpi detail of the pantograph where the word 複写 meets the background.
    front_600 = np.asarray(pdftoppm(job, 1, 600, grey=True))
    back_600 = np.asarray(pdftoppm(job, 2, 600, grey=True))
    # The overview is what an eye sees of the printer's 600-dpi raster: blurred (σ 5 device
    # px, 0.2 mm: it erases the 4-px and 11-px pitches of the pantograph), then averaged to
    # 60 dpi. A 60-dpi render samples the 1-bit pantograph instead, and the beat of its pitches
    # with the pixel grid drew the word 複写 that the print hides.
    seen_front = cv2.GaussianBlur(front_600.astype(np.float32), (0, 0), 5.0)
    seen_front = cv2.resize(seen_front, None, fx=0.1, fy=0.1, interpolation=cv2.INTER_AREA)
    Image.fromarray(np.clip(seen_front + 0.5, 0, 255).astype(np.uint8)).save(out / "front.png")
    pdftoppm(job, 2, 60).save(out / "back.png")

    # A simulated office scan of the back, and what the verifier restores from it.
    back_scan_bytes = simulate(back_600, OFFICE, front_600)
    scan = load_scan(back_scan_bytes)[0]
    crop = scan.grey_u8[300:700, 200:800]
    Image.fromarray(crop).save(out / "scan_detail.png")
    front_scan = load_scan(
        simulate(front_600, replace(OFFICE, seed=8, rotation_deg=-0.7, show_through=0.0), back_600)
    )[0]
    verdict = verify_back(scan, TRUST, front_scan)
    numbers["genuine_outcome_verified"] = float(verdict.outcome.value == "verified")
    assert verdict.restored is not None
    Image.fromarray(verdict.restored.image).save(out / "restored.png")

    # A forged 印鑑登録証明書: the birth date's day 8 → 9 printed on a perfect front, against the
    # genuine back: the verifier's side-by-side (scan | signed page | restored), field boxed.
    inkan = documents.render_document(samples.inkan())
    inkan_backs = backs(inkan, serial)
    inkan_job = compose_job([CopyToPrint(inkan.pdf, inkan_backs)])  # type: ignore[arg-type]
    inkan_back = np.asarray(pdftoppm(inkan_job, 2, 600, grey=True))
    forged = documents.render_document(replace(samples.inkan(), birth_date=date(1989, 1, 9)))
    forged_job = compose_job([CopyToPrint(forged.pdf, inkan_backs)])  # type: ignore[arg-type]
    forged_front = np.asarray(pdftoppm(forged_job, 1, 600, grey=True))
    forged_scan = load_scan(
        simulate(forged_front, replace(OFFICE, seed=9, rotation_deg=0.6, show_through=0.0))
    )[0]
    inkan_scan = load_scan(simulate(inkan_back, OFFICE))[0]
    tampered = verify_back(inkan_scan, TRUST, forged_scan)
    numbers["forged_birth_date_named"] = float(
        tampered.fields is not None and [f.key for f in tampered.fields.differing] == ["birth_date"]
    )
    sheet = side_by_side(tampered)
    if sheet is not None:
        # The top half of the page panels (the certificate's facts) and the legend below.
        height = sheet.shape[0]
        page_height = round(297 / 25.4 * 100)
        top = sheet[: page_height * 45 // 100]
        legend = sheet[page_height:height]
        strip = np.vstack([top, legend])
        strip = cv2.resize(strip, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(out / "fields.png"), strip)

    # Photocopy: the pantograph of a composed front (the 印鑑登録証明書: a page with blank paper),
    # original print vs mono copy, in a band where the municipality's page has no ink.
    calibration = PrintCalibration()
    inkan_front = np.asarray(pdftoppm(inkan_job, 1, 600, grey=True))
    certificate = np.asarray(pdftoppm(inkan.pdf, 1, 600, grey=True))
    rows = np.flatnonzero((certificate < 250).sum(axis=1) == 0)
    runs = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
    run = max(runs, key=len)
    band = (slice(int(run[0]), int(run[0]) + min(len(run), 1400)), slice(0, 2400))
    # 600-dpi detail of the pantograph where the word's clusters meet the background dots.
    cells = word_cells(inkan_front.shape[1], inkan_front.shape[0], calibration)[band]
    ys, xs = np.nonzero(cells)
    cy = int(np.median(ys)) + band[0].start
    cx = min(max(int(np.median(xs)), 300), inkan_front.shape[1] - 300)
    detail = inkan_front[cy - 150 : cy + 150, cx - 300 : cx + 300]
    Image.fromarray(detail).resize((1200, 600), Image.NEAREST).save(out / "front_detail.png")
    # The figure: a printer with the dot gain the defaults are set for (σ 0.5 device px).
    original = printed_reflectance(inkan_front[band], 0.5)
    copy = photocopy(original, CopierModel(scan_dpi=600))
    whole = printed_reflectance(inkan_front, 0.0)
    region = (band[0], slice(0, inkan_front.shape[1]))
    numbers["copy_contrast_original"] = viewing_contrast(whole, calibration, region)
    for dpi in (300, 600, 1200):
        numbers[f"copy_contrast_copy_{dpi}dpi"] = viewing_contrast(
            photocopy(whole, CopierModel(scan_dpi=dpi)), calibration, region
        )
    # The same with a printer of visible dot gain (toner spread σ 0.5 device px).
    gained = printed_reflectance(inkan_front, 0.5)
    numbers["copy_contrast_original_dot_gain"] = viewing_contrast(gained, calibration, region)
    for dpi in (300, 600, 1200):
        numbers[f"copy_contrast_copy_{dpi}dpi_dot_gain"] = viewing_contrast(
            photocopy(gained, CopierModel(scan_dpi=dpi)), calibration, region
        )
    eye = 0.3 / 25.4 * 600

    def seen(reflectance: np.ndarray) -> Image.Image:
        blurred = cv2.GaussianBlur(reflectance, (0, 0), eye)
        small = cv2.resize(blurred, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
        return Image.fromarray(np.clip(small * 255, 0, 255).astype(np.uint8))

    captions = ["original, dot gain 0.5 px (as seen)", "600-dpi photocopy (as seen)"]
    labelled([seen(original), seen(copy)], captions).save(out / "copy.png")

    # Latent image: visible colour, the K plane (IR view), the K plane after a colour copy.
    cmyk = render_cmyk(job, page=2, dpi=200)
    scale = 200 / 600
    x0, y0 = int(SAKURA_LEFT_PX * scale), int(BAND_TOP_PX * scale)
    size = int(SAKURA_SIZE_PX * scale)
    box = cmyk[y0 : y0 + size, x0 : x0 + size]
    visible = np.asarray(pdftoppm(job, 2, 200))[y0 : y0 + size, x0 : x0 + size]
    k = box[..., 3]
    copied = colour_copy_k(box)
    latent = k > 0.05
    flower = (box[..., :3].sum(axis=-1) > 0.3) & ~latent
    numbers["ir_contrast_original"] = float(k[latent].mean() - k[flower].mean())
    numbers["ir_contrast_colour_copy"] = float(copied[latent].mean() - copied[flower].mean())

    def ir(plane: np.ndarray) -> Image.Image:
        return Image.fromarray(np.clip(255 - plane * 255 * 3, 0, 255).astype(np.uint8))

    labelled(
        [Image.fromarray(visible), ir(k), ir(copied)],
        ["visible", "IR view (K plane)", "IR view of a colour copy"],
    ).save(out / "latent.png")
    print(json.dumps({key: round(value, 4) for key, value in numbers.items()}, indent=2))


if __name__ == "__main__":
    main()
