"""What the verifier answers: an outcome, a message for a clerk, and the record behind it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
from cryptography.hazmat.primitives.asymmetric import ec

from printing.security.layout import MODULE_MM
from printing.security.signed_code import SignedPayload

from .fields import DifferingField, FieldComparison
from .front import FrontComparison
from .labels import field_label
from .locate import Located
from .restore import Restored
from .runcheck import UNREADABLE

# A field's changed characters are spelled out in the message when every one was read (a digit,
# a character read among the font's) and there are at most this many
MESSAGE_MAX_CHANGED = 3


def _changed(differing: DifferingField) -> tuple[str, str] | None:
    """The characters the front prints and the signed ones at the places where they differ, or
    None when they cannot be told that simply (a character not read, one added or missing)."""
    printed, signed = differing.printed, differing.signed
    if len(printed) != len(signed) or UNREADABLE in printed:
        return None
    pairs = [(p, s) for p, s in zip(printed, signed, strict=True) if p != s]
    if not pairs or len(pairs) > MESSAGE_MAX_CHANGED:
        return None
    return "".join(p for p, _ in pairs), "".join(s for _, s in pairs)


def _named(differing: DifferingField, language: int) -> str:
    """A differing field for the clerk: its label and, where known, what is printed instead."""
    label = field_label(differing.key, english=language == 1)
    changed = _changed(differing)
    if changed is None:
        return label
    if language == 0:
        return f"{label}：表面「{changed[0]}」、署名「{changed[1]}」"
    return f"{label}: printed “{changed[0]}”, signed “{changed[1]}”"


class Outcome(StrEnum):
    VERIFIED = "verified"
    UNREADABLE = "unreadable"  # block or code not found in the scan
    CODE_UNREADABLE = "code_unreadable"  # part of the signed code unreadable: facts unchecked
    UNTRUSTED_KEY = "untrusted_key"  # code signed with a key id the verifier does not trust
    INVALID_SIGNATURE = "invalid_signature"  # code altered or forged
    WRONG_KEY = "wrong_key"  # the scramble was not made with this key for this serial
    SERIAL_MISMATCH = "serial_mismatch"  # the back belongs to another certificate
    FRONT_RESCAN = "front_rescan"  # the front scan is too coarse to read its characters
    FRONT_RECAPTURE = "front_recapture"  # the front cannot be registered well enough to judge
    FIELDS_DIFFER = "fields_differ"  # printed fields differ from the signed facts
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
    Outcome.CODE_UNREADABLE: (
        "裏面の二次元コードを読み取れませんでした。署名された内容を確認できません。"
        "裏面全体を300dpiで読み取り直してください。",
        "A 2D code on the back could not be read: the signed facts cannot be checked. "
        "Scan the whole back again at 300 dpi.",
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
    Outcome.FRONT_RESCAN: (
        "表面の画像の解像度が足りず、文字を照合できません。表面を300dpiで読み取り直してください。",
        "The front scan is too coarse to compare its characters. Scan the front again at 300 dpi.",
    ),
    Outcome.FRONT_RECAPTURE: (
        "表面の画像がゆがんでいるため、文字を照合できません。"
        "表面を平らに置いて、300dpiで読み取り直してください。",
        "Cannot check the front: the capture is too distorted to compare its fields. "
        "Rescan it flat at 300 dpi.",
    ),
    Outcome.FIELDS_DIFFER: (
        "表面の印字が、裏面に署名された内容と異なります（改ざんの疑い）。"
        "赤枠の項目を、署名された値と見比べてください。",
        "Printed fields on the front differ from the facts signed on the back: alteration "
        "suspected. Compare the boxed fields with their signed values.",
    ),
    Outcome.FRONT_MISMATCH: (
        "表面が復元画像と異なります（改ざんの疑い）。赤枠の箇所を確認してください。",
        "The front differs from the restored image: alteration suspected. "
        "Check the marked regions.",
    ),
}
NO_SCRAMBLE_NOTE = (
    "（マスター鍵がないため、スクランブル画像は検証していません）",
    "(No master key: the scrambled image was not checked.)",
)


@dataclass(frozen=True)
class TrustStore:
    """What the verifier holds: the issuers' public keys by key id and — for the scramble,
    which a verification service or staff tool checks — the master key (None: a relying party
    with only the public key; the signed facts and the front are still checked)."""

    master_key: bytes | None = field(repr=False)
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
    fields: FieldComparison | None = None
    front_serial: str | None = None  # from the front's serial code
    scramble_checked: bool = True

    @property
    def message_ja(self) -> str:
        return self._message(0)

    @property
    def message_en(self) -> str:
        return self._message(1)

    def _message(self, language: int) -> str:
        text = MESSAGES[self.outcome][language]
        if self.outcome is Outcome.FIELDS_DIFFER and self.fields is not None:
            names = [_named(f, language) for f in self.fields.differing]
            text += ("（" + "；".join(names) + "）") if language == 0 else f" ({'; '.join(names)})"
        if self.outcome is Outcome.VERIFIED and not self.scramble_checked:
            text += NO_SCRAMBLE_NOTE[language]
        return text

    def to_record(self) -> dict[str, Any]:
        """The JSON verdict (no images)."""
        record: dict[str, Any] = {
            "outcome": self.outcome.value,
            "verified": self.outcome is Outcome.VERIFIED,
            "message_ja": self.message_ja,
            "message_en": self.message_en,
            "detail": self.detail,
            "signature_valid": self.signature_valid,
            "scramble_checked": self.scramble_checked and self.restored is not None,
        }
        if self.payload is not None:
            record["document"] = self._document()
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
        front = self._front()
        if front:
            record["front"] = front
        record["timings_s"] = {k: round(v, 3) for k, v in self.timings.items()}
        return record

    def _document(self) -> dict[str, Any]:
        p = self.payload
        assert p is not None
        document: dict[str, Any] = {
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
        if p.page_facts is not None and self.signature_valid:
            document["signed_fields"] = [
                {"field": key, "label": field_label(key), "value": value}
                for key, value in p.page_facts.fields().items()
            ]
            document["signed_fields_complete"] = p.page_facts.complete
        return document

    def _front(self) -> dict[str, Any]:
        front: dict[str, Any] = {}
        if self.front_serial is not None or self.front is not None:
            front["serial"] = self.front_serial or (self.front.serial if self.front else None)
        if self.fields is not None:
            f = self.fields
            front.update(
                registered=f.registered,
                scan_dpi=round(f.scan_dpi),
                upside_down=f.rotated,
                fields_checked=f.fields_checked,
                characters_checked=f.characters_checked,
                differing_fields=[
                    d.to_record() | {"label": field_label(d.key)} for d in f.differing
                ],
                not_checked=list(f.not_checked),
                page_map={
                    "runs_fitted": f.map_fit[0],
                    "runs_found": f.map_fit[1],
                    "residual_px": round(f.map_fit[2], 2),
                },
            )
            if f.recapture:
                front["recapture"] = f.recapture
        if self.front is not None:
            c = self.front
            front.update(
                image_registered=c.registered,
                registration_score=round(c.registration_score, 3),
                largest_difference_score=round(c.max_score, 3),
                differing_regions=[list(r) for r in c.regions],
                differing_px=c.differing_px,
            )
        return front
