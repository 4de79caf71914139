"""What the verifier writes: the restored image, the side-by-side, the JSON verdict, the text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from printing.security._cv import cv2

from .front import COMPARE_WINDOW
from .labels import field_label
from .online import OnlineAnswer
from .sheets import side_by_side_v2, signed_page
from .verifier import Outcome, Verdict

VIEW_SCALE = 2  # the restored raster is ~95 dpi: shown twice as large, nearest neighbour
GAP_PX = 12


def _upscale(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    scaled = cv2.resize(image, None, fx=VIEW_SCALE, fy=VIEW_SCALE, interpolation=cv2.INTER_NEAREST)
    return np.asarray(scaled, dtype=np.uint8)


def side_by_side(verdict: Verdict) -> npt.NDArray[np.uint8] | None:
    """Layout v2: front | signed page | restored, differing fields boxed (sheets.py). Layout
    v1: front (registered onto the restored image) | restored, differing regions boxed. BGR."""
    payload = verdict.payload
    if payload is not None and payload.page_facts is not None and verdict.signature_valid:
        fields = verdict.fields
        sheet = side_by_side_v2(
            payload,
            fields.front_view if fields is not None else None,
            fields.differing if fields is not None else (),
            verdict.restored,
        )
        return np.asarray(cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR), dtype=np.uint8)
    if verdict.restored is None:
        return None
    restored = _upscale(verdict.restored.image)
    panels = [cv2.cvtColor(restored, cv2.COLOR_GRAY2BGR)]
    front = verdict.front
    if front is not None and front.front_image is not None:
        panels.insert(0, cv2.cvtColor(_upscale(front.front_image), cv2.COLOR_GRAY2BGR))
        for panel in panels:
            for x, y, w, h in front.regions:
                # Regions are window centres: pad by half a window to frame the glyph.
                pad = VIEW_SCALE * (COMPARE_WINDOW // 2)
                cv2.rectangle(
                    panel,
                    (VIEW_SCALE * x - pad, VIEW_SCALE * y - pad),
                    (VIEW_SCALE * (x + w) + pad, VIEW_SCALE * (y + h) + pad),
                    (0, 0, 255),
                    2,
                )
    gap = np.full((restored.shape[0], GAP_PX, 3), 128, np.uint8)
    row: list[npt.NDArray[np.uint8]] = []
    for panel in panels:
        row.extend([panel, gap])
    return np.hstack(row[:-1])


def summary(verdict: Verdict) -> str:
    """Human-readable verdict, Japanese first."""
    lines = [
        f"判定 / verdict: {verdict.outcome.value}",
        verdict.message_ja,
        verdict.message_en,
    ]
    if verdict.detail:
        lines.append(f"detail: {verdict.detail}")
    record = verdict.to_record()
    document = record.get("document")
    if document:
        lines.append(
            f"発行番号 serial: {document['serial']}  発行者 issuer: {document['issuer']}  "
            f"頁 page: {document['page']}/{document['pages']}  交付日 issued: "
            f"{document['issued_on']}"
        )
        lines.append(f"署名 signature: {'valid' if verdict.signature_valid else 'NOT valid'}")
        if document.get("signed_fields"):
            lines.append("署名された項目 signed fields of this page:")
            lines.extend(
                f"  {item['label']}: {item['value']}" for item in document["signed_fields"]
            )
        elif document.get("signed_text"):
            lines.append("署名された証明内容 signed text (compare with the front):")
            lines.extend(f"  {line}" for line in document["signed_text"].splitlines())
    if "check_pattern_agreement" in record:
        lines.append(
            f"check pattern: {record['check_pattern_agreement']:.1%} "
            f"(pilot errors {record['pilot_error_rate']:.2%})"
        )
    front = record.get("front")
    if front:
        parts = [f"front: serial {front.get('serial') or 'not found'}"]
        if "characters_checked" in front:
            parts.append(
                f"{front['fields_checked']} fields / {front['characters_checked']} characters "
                f"compared at {front['scan_dpi']} dpi"
                + (" (scanned upside down)" if front.get("upside_down") else "")
            )
        if "differing_regions" in front:
            parts.append(f"{len(front['differing_regions'])} differing region(s)")
        lines.append(", ".join(parts))
        if verdict.outcome is Outcome.FRONT_RECAPTURE:
            # A bad capture's differences are its own, not the paper's: not listed one by one.
            lines.append(f"  表面を読み取り直してください / rescan the front: {front['recapture']}")
        for number, differing in enumerate(
            [] if verdict.outcome is Outcome.FRONT_RECAPTURE else front.get("differing_fields", []),
            start=1,
        ):
            lines.append(
                f"  {number}. {differing['label']}: 表面 printed 「{differing['printed']}」"
                f" ≠ 署名 signed 「{differing['signed']}」 ({', '.join(differing['reasons'])})"
            )
    if verdict.outcome is Outcome.VERIFIED:
        lines.append(
            "originality: check the latent 証 in the cherry blossom with an IR camera; "
            "a copy verifies too (docs/security-printing.md)"
        )
    return "\n".join(lines)


def _write_verdict(folder: Path, record: dict[str, Any], text: str) -> dict[str, Path]:
    """verdict.json (the record) and verdict.txt (the summary) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {"json": folder / "verdict.json", "text": folder / "verdict.txt"}
    written["json"].write_text(
        json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    written["text"].write_text(text + "\n", encoding="utf-8")
    return written


def write_outputs(verdict: Verdict, folder: Path) -> dict[str, Path]:
    """Write verdict.json, verdict.txt, restored.png and side_by_side.png; return the paths."""
    written = _write_verdict(folder, verdict.to_record(), summary(verdict))
    if verdict.restored is not None:
        written["restored"] = folder / "restored.png"
        cv2.imwrite(str(written["restored"]), verdict.restored.image)
    combined = side_by_side(verdict)  # layout 2: also without the master key
    if combined is not None:
        written["side_by_side"] = folder / "side_by_side.png"
        cv2.imwrite(str(written["side_by_side"]), combined)
    return written


def online_summary(answer: OnlineAnswer) -> str:
    """What the verification service answered, verified: the signed fields of every page."""
    lines = [
        "判定 / verdict: found — 発行元の照会サービスが署名付きの内容を返しました。"
        "表面と見比べてください。",
        f"発行番号 serial: {answer.serial}  発行者 issuer: {answer.issuer}  交付日 issued: "
        f"{answer.issued_on.isoformat()}  照会期限 available until: "
        f"{answer.available_until.isoformat()}",
    ]
    for page in answer.pages:
        lines.append(f"頁 page {page.page_index + 1}/{page.page_count}:")
        facts = page.page_facts.fields() if page.page_facts else {}
        lines.extend(f"  {field_label(key)}: {value}" for key, value in facts.items())
        if not facts and page.text:
            lines.extend(f"  {line}" for line in page.text.splitlines())
    return "\n".join(lines)


def write_online_outputs(answer: OnlineAnswer, folder: Path) -> dict[str, Path]:
    """verdict.json, verdict.txt and each page as signed (signed_page_N.png)."""
    written = _write_verdict(folder, answer.to_record(), online_summary(answer))
    for page in answer.pages:
        if page.page_facts is not None:
            path = folder / f"signed_page_{page.page_index + 1}.png"
            cv2.imwrite(str(path), signed_page(page))
            written[path.stem] = path
    return written
