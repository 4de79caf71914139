"""Robustness of the scrambled back through the simulated print–scan channel (§8 protocol).

Random combined draws per envelope, or a sweep of one axis; for every trial the draw's
parameters are stored with its results (JSON lines), seeds fixed.

Per trial (security-printing.md §8 "Metrics per trial"): registration (block found, pilots
read, check pattern passed), module error rate before unscrambling (against the center's
block), ink-F1 / PSNR / SSIM of the restored image against the center's source raster, OCR
character error rate (Tesseract jpn) of the restored image and of the clean source raster
against the page's text — ΔCER in percentage points —, signed-code decode and validity, and
the verifier's runtime. With ``--tamper`` also, per verified back, its genuine front and forged
fronts (security_forgery.py: each digit edit in turn on the page's numeric fields, and a kanji
of a name or address) through the same channel, compared with ``verify_front``; with
``--genuine`` the genuine front alone.

    nice .venv/bin/python benchmarks/security_robustness.py --envelope office --draws 200 \\
        --out var/bench/office.jsonl
    nice .venv/bin/python benchmarks/security_robustness.py --sweep blur_sigma_px --draws 3
    nice .venv/bin/python benchmarks/security_robustness.py --envelope office --draws 60 \\
        --corpus 12 --genuine --no-ocr     # genuine fronts only: false flags, CPU per page

With ``--tamper`` or ``--genuine`` each trial also records ``page_cpu_s``: the back's and its
genuine front's verification, CPU seconds (the issue's "verify time per page"). ``--page-cpu``
measures that alone on scans a ``--cache`` run recorded (the same arguments): each back and its
genuine front, after a warm-up page, in this one process:

    nice -n 10 .venv/bin/python benchmarks/security_robustness.py --envelope office \\
        --corpus 12 --no-ocr --cache var/scans --draws 24 --seed 1 --tamper --kanji 3 --page-cpu

Long: ~5–15 s per trial on this project's 2 shared cores (OCR is most of it; ``--no-ocr``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2 as pdfium

sys.path.insert(0, str(Path(__file__).parent))

from cryptography.hazmat.primitives.asymmetric import ec
from security_corpus import Certificate, corpus
from security_forgery import DIGIT_KINDS, ForgedFronts, digit_targets, kanji_targets, render

from printing import documents
from printing.security import BackSideKeys, CopyToPrint, compose_job, make_back_side
from printing.security._cv import cv2
from printing.security.channel import (
    ENVELOPES,
    ChannelParams,
    sample_params,
    simulate,
)
from printing.security.facts import PageFacts
from printing.security.signed_code import parse_signed_code
from printing.security.source import source_raster
from printing.security.vcode import new_code
from printing.verify import Outcome, TrustStore, load_scan, verify_back, verify_front
from printing.verify.heap import keep_freed_memory

KEYS = BackSideKeys(bytes(range(32)), ec.derive_private_key(20241203, ec.SECP256R1()), b"bench-1")
TRUST = TrustStore(KEYS.scramble_master_key, {KEYS.key_id: KEYS.signing_key.public_key()})
ISSUER = "東京都練馬区長"
RENDER_DPI = 600

# One axis at a time around a mild office scan (§8 "Sweep one axis at a time").
BASELINE = ChannelParams(
    dot_gain_sigma_px=0.4,
    toner_density=0.95,
    scan_dpi=300,
    rotation_deg=0.5,
    blur_sigma_px=0.7,
    noise_sigma=2,
    jpeg_quality=90,
)
SWEEPS: dict[str, list[Any]] = {
    "dot_gain_sigma_px": [0.3, 0.5, 0.7, 1.0, 1.3],
    "toner_density": [1.0, 0.9, 0.8, 0.75, 0.6],
    "halftone": ["none", "bayer", "clustered", "noise"],
    "fading": [1.0, 0.85, 0.7, 0.55],
    "yellowing_delta_e": [0, 5, 10, 15, 25],
    "scan_dpi": [600, 400, 300, 250, 200, 150],
    "rotation_deg": [0, 1, 3, 5, 10, 180],
    "warp_mm": [0, 0.25, 0.5, 0.75, 1.0],
    "blur_sigma_px": [0.5, 1.0, 1.5, 2.0, 2.5],
    "noise_sigma": [0, 4, 8, 12, 16],
    "jpeg_quality": [95, 80, 60, 40, 25],
    "show_through": [0, 0.05, 0.10, 0.15, 0.25],
    "gamma": [0.8, 1.0, 1.3, 1.6],
}


@dataclass
class Page:
    """One page of a corpus certificate, printed: what every trial of it reuses."""

    certificate: Certificate
    index: int
    modules: np.ndarray
    raster: np.ndarray
    text: str
    back_600: np.ndarray
    front_600: np.ndarray
    backs: tuple[Any, ...] = ()
    clean_cer: float | None = None
    forger: ForgedFronts | None = None

    def forgeable(self) -> tuple[ForgedFronts, PageFacts]:
        """The page's forger (its layers rendered once, on first use) and the facts its back
        signs: the runs a forger edits."""
        if self.forger is None:
            self.forger = ForgedFronts(self.certificate.rendered.pdf, self.index, self.backs)
        facts = parse_signed_code(self.backs[self.index].signed_code).payload.page_facts
        assert facts is not None
        return self.forger, facts


def page_text(pdf: bytes, page: int) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return normalise(document[page].get_textpage().get_text_range())
    finally:
        document.close()


def normalise(text: str) -> str:
    """NFKC (full-width digits → ASCII, as OCR emits them), without white space."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def levenshtein(a: str, b: str) -> int:
    """Edit distance, vectorised over ``b``."""
    if not a or not b:
        return max(len(a), len(b))
    codes = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    ramp = np.arange(len(b) + 1)
    previous = ramp.copy()
    for i, char in enumerate(a, start=1):
        best = np.empty_like(previous)
        best[0] = i
        best[1:] = np.minimum(previous[:-1] + (codes != ord(char)), previous[1:] + 1)
        previous = np.minimum.accumulate(best - ramp) + ramp  # insertions, left to right
    return int(previous[-1])


def ocr_cer(image: np.ndarray, truth: str) -> float:
    import pytesseract

    scale = 2
    up = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    up = cv2.GaussianBlur(up, (0, 0), 0.4 * scale)
    text = normalise(pytesseract.image_to_string(up, lang="jpn", config="--psm 6"))
    return levenshtein(text, truth) / max(len(truth), 1)


def pages(count: int) -> Iterator[Page]:
    for certificate in corpus(count):
        serial = f"131202-241203-{certificate.index:06d}-1"
        code = new_code()
        pdf = certificate.rendered.pdf
        area = documents.document_layout().content
        area_mm = (area.left_mm, area.top_mm, area.width_mm, area.height_mm)
        backs = tuple(
            make_back_side(
                pdf,
                index,
                serial=serial,
                issuer=ISSUER,
                canonical_text=certificate.rendered.canonical_text,
                keys=KEYS,
                content_area_mm=area_mm,
                verification_code=code,
            )
            for index in range(certificate.rendered.page_count)
        )
        job = compose_job([CopyToPrint(pdf, backs)])
        for index, back in enumerate(backs):
            _, raster = source_raster(pdf, index, area_mm)
            yield Page(
                certificate,
                index,
                back.modules(),
                raster,
                page_text(pdf, index),
                render(job, 2 * index + 1),
                render(job, 2 * index),
                backs,
            )


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    from skimage.metrics import structural_similarity

    return float(structural_similarity(a, b, data_range=255))


@dataclass
class Setup:
    """How a draw's fronts are made: genuine only, and kanji substitutions per draw."""

    tamper: bool = False
    genuine_only: bool = False
    kanji: int = 1


def _back_result(
    scan: Any, certificate: int, page: int, kind: str
) -> tuple[Any, float, dict[str, Any]]:
    started, cpu_started = time.perf_counter(), time.process_time()
    verdict = verify_back(scan, TRUST)
    runtime = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return (
        verdict,
        cpu,
        {
            "certificate": certificate,
            "page": page,
            "kind": kind,
            "outcome": verdict.outcome.value,
            "registered": verdict.outcome in (Outcome.VERIFIED, Outcome.WRONG_KEY),
            "code_decoded": verdict.payload is not None,
            "code_valid": verdict.signature_valid,
            "verify_s": round(runtime, 3),
            "verify_cpu_s": round(cpu, 3),
        },
    )


def trial(
    page: Page,
    params: ChannelParams,
    ocr: bool,
    setup: Setup,
    draw: int = 0,
    cache: Path | None = None,
) -> dict[str, Any]:
    encoded = simulate(page.back_600, params, page.front_600)
    scan = load_scan(encoded)[0]
    kind = type(page.certificate.document).__name__
    verdict, cpu, result = _back_result(scan, page.certificate.index, page.index, kind)
    result["params"] = params.to_record()
    if verdict.soft_modules is not None:
        result["module_error_rate"] = float(np.mean((verdict.soft_modules > 0) != page.modules))
    if verdict.restored is not None and verdict.restored.image.shape == page.raster.shape:
        restored = verdict.restored.image
        ink = restored < 128
        truth = page.raster
        result["ink_f1"] = float(2 * np.sum(ink & truth) / max(ink.sum() + truth.sum(), 1))
        clean = np.where(truth, 0, 255).astype(np.uint8)
        mse = float(np.mean((restored.astype(np.float32) - clean) ** 2))
        result["psnr_db"] = 10 * np.log10(255**2 / max(mse, 1e-9))
        result["ssim"] = ssim(restored, clean)
        result["check_agreement"] = verdict.restored.check_agreement
        if ocr:
            if page.clean_cer is None:
                page.clean_cer = ocr_cer(clean, page.text)
            # The restored image as a reader of it would binarise it, like the clean source.
            result["cer"] = ocr_cer(np.where(ink, 0, 255).astype(np.uint8), page.text)
            result["cer_clean"] = page.clean_cer
            result["text_chars"] = len(page.text)
            result["delta_cer_pp"] = 100 * (result["cer"] - page.clean_cer)
    fronts: list[tuple[dict[str, Any], bytes]] = []
    if setup.tamper and verdict.outcome is Outcome.VERIFIED:
        fronts = forged_fronts(page, params, draw, setup)
        _add_fronts(result, cpu, verdict, scan, fronts)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "back.bin").write_bytes(encoded)
        for number, (_, front) in enumerate(fronts):
            (cache / f"front{number}.bin").write_bytes(front)
        meta = {"certificate": page.certificate.index, "page": page.index, "kind": kind,
                "fronts": [record for record, _ in fronts]}  # fmt: skip
        (cache / "meta.json").write_text(json.dumps(meta, ensure_ascii=False))
    return result


def replay(cache: Path, params: ChannelParams, genuine_only: bool = False) -> dict[str, Any]:
    """A draw's trial from the channel's scans a earlier run kept (``--cache``): the verifier
    alone runs again (no image-quality metrics: the page is not rendered); ``genuine_only``:
    of the fronts, the genuine one alone."""
    meta = json.loads((cache / "meta.json").read_text())
    scan = load_scan((cache / "back.bin").read_bytes())[0]
    verdict, cpu, result = _back_result(scan, meta["certificate"], meta["page"], meta["kind"])
    result["params"] = params.to_record()
    fronts = [
        (record, (cache / f"front{number}.bin").read_bytes())
        for number, record in enumerate(meta["fronts"])
        if not genuine_only or record["kind"] == "genuine"
    ]
    if fronts and verdict.outcome is Outcome.VERIFIED:
        _add_fronts(result, cpu, verdict, scan, fronts)
    return result


def _add_fronts(
    result: dict[str, Any],
    back_cpu: float,
    verdict: Any,
    back_scan: Any,
    fronts: list[tuple[dict[str, Any], bytes]],
) -> None:
    result["tamper"] = check_fronts(verdict, back_scan, fronts)
    genuine = [f for f in result["tamper"] if f["kind"] == "genuine"]
    # The figure a relying party waits for: the back and its genuine front on one page.
    result["page_cpu_s"] = round(back_cpu + genuine[0]["front_cpu_s"], 3)


def forged_fronts(
    page: Page, params: ChannelParams, draw: int, setup: Setup
) -> list[tuple[dict[str, Any], bytes]]:
    """The genuine front and forged ones (one per digit edit, on the page's numeric fields in
    turn, and ``setup.kanji`` kanji of names or addresses) through the front-side channel.
    ``setup.genuine_only``: the genuine front alone (false flags and the time per page, at a
    fifth of the cost)."""
    genuine_only = setup.genuine_only
    front_params = replace(params, seed=params.seed + 10_000, show_through=0.0)
    forger, facts = page.forgeable()
    rng = random.Random(draw)  # noqa: S311 - test data
    fronts: list[tuple[dict[str, Any], np.ndarray]] = [({"kind": "genuine"}, page.front_600)]
    digits = [] if genuine_only else digit_targets(facts.runs)
    for number, kind in enumerate(DIGIT_KINDS):
        for attempt in range(len(digits)):
            run = digits[(draw * len(DIGIT_KINDS) + number + attempt) % len(digits)]
            forged = forger.forge(run, kind, rng)
            if forged is not None:
                fronts.append((forged[0].to_record(), forged[1]))
                break
    names = [] if genuine_only else kanji_targets(facts.runs)
    # The first kanji edit is the one runs before --kanji made (same run, same rng); more take
    # the page's other name and address runs in turn.
    for number in range(setup.kanji if names else 0):
        forged = forger.forge(names[(draw + number) % len(names)], "kanji", rng)
        if forged is not None:
            fronts.append((forged[0].to_record(), forged[1]))
    return [(record, simulate(front, front_params, page.back_600)) for record, front in fronts]


def check_fronts(
    verdict: Any, back_scan: Any, fronts: list[tuple[dict[str, Any], bytes]]
) -> list[dict[str, Any]]:
    """Each front's scan compared with ``verify_front``: verified or not, and whether the forged
    field is the one named."""
    out = []
    for record, encoded in fronts:
        front_scan = load_scan(encoded)[0]
        started, cpu_started = time.perf_counter(), time.process_time()
        checked = verify_front(verdict, back_scan, front_scan)
        cpu = time.process_time() - cpu_started
        differing = [] if checked.fields is None else list(checked.fields.differing)
        named = [f.key for f in differing]
        edited = next((f for f in differing if f.key == record.get("key")), None)
        # the field as forged: the edited run's text replaced within the field's signed text
        forged = (
            None
            if edited is None or "original" not in record
            else edited.signed.replace(record["original"], record["forged"], 1)
        )
        out.append(
            record
            | {
                "outcome": checked.outcome.value,
                "flagged": checked.outcome is not Outcome.VERIFIED,
                "named": record.get("key") in named,
                # the edited field printed as read: the forged text itself when every
                # character was read (a digit, a kanji read among the font's characters)
                "read_as_printed": edited is not None and edited.printed == forged,
                "differing": named,
                "printed": [f.printed for f in differing],
                "front_s": round(time.perf_counter() - started, 3),
                "front_cpu_s": round(cpu, 3),
            }
        )
    return out


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    def values(key: str) -> np.ndarray:
        return np.array([r[key] for r in results if key in r], dtype=float)

    n = len(results)
    summary: dict[str, Any] = {
        "trials": n,
        "registration_rate": sum(r["registered"] for r in results) / max(n, 1),
        "code_decode_rate": sum(r["code_decoded"] for r in results) / max(n, 1),
        "code_valid_rate": sum(r["code_valid"] for r in results) / max(n, 1),
        "verified_rate": sum(r["outcome"] == "verified" for r in results) / max(n, 1),
    }
    ber = values("module_error_rate")
    if ber.size:
        summary.update(
            ber_median=float(np.median(ber)),
            ber_p99=float(np.percentile(ber, 99)),
            ber_max=float(ber.max()),
            ber_le_1pct=float(np.mean(ber <= 0.01)),
        )
    f1 = values("ink_f1")
    if f1.size:
        summary.update(
            ink_f1_mean=float(f1.mean()),
            ink_f1_min=float(f1.min()),
            ink_f1_ge_095=float(np.mean(f1 >= 0.95)),
            ssim_mean=float(values("ssim").mean()),
            psnr_mean_db=float(values("psnr_db").mean()),
        )
    delta = values("delta_cer_pp")
    if delta.size:
        summary.update(
            delta_cer_mean_pp=float(delta.mean()),
            delta_cer_max_pp=float(delta.max()),
            delta_cer_le_1pp=float(np.mean(delta <= 1.0)),
            cer_clean_mean=float(values("cer_clean").mean()),
        )
        # Pooled over all trials (errors / characters): per-page ΔCER is noisy, Tesseract at
        # ~95 dpi can lose a whole line over a handful of pixels.
        chars = values("text_chars")
        if chars.size == delta.size:
            pooled = float(np.sum(values("cer") * chars) / chars.sum())
            pooled_clean = float(np.sum(values("cer_clean") * chars) / chars.sum())
            summary.update(
                cer_pooled=pooled,
                cer_clean_pooled=pooled_clean,
                delta_cer_pooled_pp=100 * (pooled - pooled_clean),
            )
    runtime = values("verify_s")
    cpu = values("verify_cpu_s")
    summary.update(
        verify_median_s=float(np.median(runtime)),
        verify_p95_s=float(np.percentile(runtime, 95)),
        verify_cpu_median_s=float(np.median(cpu)),
        verify_cpu_p95_s=float(np.percentile(cpu, 95)),
        load_average=os.getloadavg(),
    )
    fronts = [front for r in results for front in r.get("tamper", [])]
    if fronts:
        for kind in ("genuine", *DIGIT_KINDS, "kanji"):
            group = [f for f in fronts if f["kind"] == kind]
            if group:
                flagged = sum(f["flagged"] for f in group)
                summary[f"tamper_{kind}_flagged"] = f"{flagged}/{len(group)}"
                # Of them, "rescan it flat" (a capture too poor to judge), not a named field.
                recapture = sum(f["outcome"] == Outcome.FRONT_RECAPTURE.value for f in group)
                summary[f"tamper_{kind}_recapture"] = f"{recapture}/{len(group)}"
                if kind != "genuine":
                    named = sum(f["named"] for f in group)
                    summary[f"tamper_{kind}_named"] = f"{named}/{len(group)}"
                    exact = sum(f.get("read_as_printed", False) for f in group)
                    summary[f"tamper_{kind}_read_as_printed"] = f"{exact}/{len(group)}"
        digits = [f for f in fronts if f["kind"] in DIGIT_KINDS]
        if digits:
            summary["tamper_digits_flagged_rate"] = sum(f["flagged"] for f in digits) / len(digits)
        page_cpu = values("page_cpu_s")
        summary.update(
            page_cpu_median_s=float(np.median(page_cpu)),
            page_cpu_p95_s=float(np.percentile(page_cpu, 95)),
        )
        front_times = np.array([f["front_s"] for f in fronts])
        front_cpu = np.array([f["front_cpu_s"] for f in fronts])
        summary.update(
            front_median_s=float(np.median(front_times)),
            front_p95_s=float(np.percentile(front_times, 95)),
            front_cpu_median_s=float(np.median(front_cpu)),
            front_cpu_p95_s=float(np.percentile(front_cpu, 95)),
        )
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--envelope", choices=ENVELOPES, default="office")
    parser.add_argument("--draws", type=int, default=20, help="random draws (or per sweep value)")
    parser.add_argument("--corpus", type=int, default=50, help="certificates in the corpus")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sweep", choices=sorted(SWEEPS), help="sweep one axis instead")
    parser.add_argument("--no-ocr", dest="ocr", action="store_false")
    parser.add_argument("--tamper", action="store_true", help="also compare forged fronts")
    parser.add_argument(
        "--genuine",
        action="store_true",
        help="compare each verified back's genuine front only (false flags, time per page)",
    )
    parser.add_argument(
        "--kanji", type=int, default=1, help="kanji substitutions per draw (--tamper)"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        help="keep each draw's channel scans here and, when they are there, verify those again "
        "instead of printing and scanning (the verifier alone: for iterating on it)",
    )
    parser.add_argument(
        "--page-cpu",
        action="store_true",
        help="with --cache and the arguments that recorded it: each recorded back and its "
        "genuine front only, after one warm-up page; CPU per page (median, p95) and the load",
    )
    parser.add_argument("--out", type=Path, help="JSON lines: one trial per line, then summary")
    args = parser.parse_args()
    keep_freed_memory()  # as python -m printing.verify does: the CPU figures are the CLI's
    if args.page_cpu and not (args.cache and (args.tamper or args.genuine) and not args.sweep):
        parser.error("--page-cpu replays recorded fronts: give --cache and --tamper or --genuine")

    rng = np.random.default_rng(args.seed)
    corpus_pages: list[Page] = []

    def page_of(draw: int) -> Page:
        if not corpus_pages:  # not rendered when every draw comes from the cache
            corpus_pages.extend(pages(args.corpus))
            print(f"corpus: {args.corpus} certificates, {len(corpus_pages)} pages", file=sys.stderr)
        return corpus_pages[draw % len(corpus_pages)]

    setup = Setup(args.tamper or args.genuine, args.genuine, args.kanji)
    mode = "genuine" if args.genuine else f"tamper-k{args.kanji}" if args.tamper else "back"
    out = args.out.open("w") if args.out else None
    results: list[dict[str, Any]] = []
    if args.sweep:
        groups: dict[Any, list[dict[str, Any]]] = {}
        for value in SWEEPS[args.sweep]:
            for draw in range(args.draws):
                page_of(0)  # renders the corpus
                page = corpus_pages[int(rng.integers(len(corpus_pages)))]
                params = replace(BASELINE, seed=args.seed * 100_000 + draw, **{args.sweep: value})
                result = trial(page, params, args.ocr, Setup())
                result["sweep"] = {args.sweep: value}
                groups.setdefault(value, []).append(result)
                if out:
                    out.write(json.dumps(result) + "\n")
        for value, group in groups.items():
            summary = summarise(group)
            print(
                json.dumps(
                    {
                        args.sweep: value,
                        **{
                            k: (round(v, 4) if isinstance(v, float) else v)
                            for k, v in summary.items()
                        },
                    }
                )
            )
    else:
        load_before = os.getloadavg()
        for draw in range(args.draws):
            params = sample_params(args.envelope, rng, seed=args.seed * 100_000 + draw)
            kept = None
            if args.cache:
                name = f"{args.envelope}-c{args.corpus}-s{args.seed}-{mode}-d{draw}"
                kept = args.cache / name
            if args.page_cpu:
                if kept is None or not (kept / "meta.json").exists():
                    parser.error(f"--page-cpu: draw {draw} is not recorded in {args.cache}")
                if draw == 0:  # fonts, glyphs, the layout's tables: not a page's work
                    replay(kept, params, genuine_only=True)
                result = replay(kept, params, genuine_only=True)
            elif kept is not None and (kept / "meta.json").exists():
                result = replay(kept, params)
            else:
                result = trial(page_of(draw), params, args.ocr, setup, draw, kept)
            results.append(result)
            if out:
                out.write(json.dumps(result) + "\n")
                out.flush()
            brief = {
                k: result.get(k)
                for k in ("outcome", "module_error_rate", "ink_f1", "delta_cer_pp", "verify_s")
            }
            print(draw, json.dumps(brief), file=sys.stderr, flush=True)
        summary = summarise(results)
        summary["envelope"] = args.envelope
        if args.page_cpu:
            summary = {  # the back's verification is "verify" elsewhere
                "pages": len(results),
                **{
                    k.replace("verify_", "back_"): v
                    for k, v in summary.items()
                    if "cpu" in k or k == "load_average"
                },
                "load_average_before": load_before,
                # What keep_freed_memory() costs: the process's peak resident memory.
                "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        if out:
            out.write(json.dumps({"summary": summary}) + "\n")
        print(json.dumps(summary, indent=2))
    if out:
        out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
