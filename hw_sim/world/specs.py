"""Small parsers of household member specifications: names, foreign-resident items, seals,
and synthetic My Numbers for people who are not personas."""

from __future__ import annotations

import hashlib

from hw_sim.world.fields import Fields
from hw_sim.world.records import ForeignStatus, Name, Seal

# 印鑑登録証明事務処理要領: a seal fitting an 8 mm square or not fitting a 25 mm one is refused.
MIN_SEAL_MM = 8.0
MAX_SEAL_MM = 25.0


def split_name(spec: Fields, key: str, name: str, kana: str) -> Name:
    parts = name.split("\u3000")
    if len(parts) != 2 or not all(parts):
        raise spec.error(key, f"{name!r}: family and given name are separated by one U+3000")
    kana_parts = kana.split("\u3000") if kana else ["", ""]
    if len(kana_parts) != 2:
        raise spec.error("kana", f"{kana!r}: family and given reading are separated by one U+3000")
    return Name(parts[0], parts[1], kana_parts[0], kana_parts[1])


def foreign_status(spec: Fields) -> ForeignStatus:
    spec.reject_unknown(
        {"nationality", "status", "category", "card_number", "period", "period_expires_on", "alias"}
    )
    card_number = spec.text("card_number")
    if len(card_number) != 12 or not (
        card_number[:2].isalpha() and card_number[2:10].isdigit() and card_number[10:].isalpha()
    ):
        raise spec.error("card_number", f"{card_number!r} is not a 在留カード番号 (AA12345678BB)")
    return ForeignStatus(
        nationality=spec.text("nationality"),
        status=spec.text("status"),
        category=spec.text("category"),
        card_number=card_number,
        period=spec.text("period", "") or None,
        period_expires_on=spec.day("period_expires_on", None),
        alias=spec.text("alias", "") or None,
    )


def seal_of(spec: Fields, code: str, resident_id: str) -> Seal:
    spec.reject_unknown({"text", "registered_on", "shape", "size_mm"})
    size = spec.data.get("size_mm", 15.0)
    if (
        isinstance(size, bool)
        or not isinstance(size, int | float)
        or not MIN_SEAL_MM < float(size) <= MAX_SEAL_MM
    ):
        raise spec.error(
            "size_mm", f"a registrable seal is over 8 mm and at most 25 mm, got {size!r}"
        )
    number = int(hashlib.sha256(resident_id.encode()).hexdigest()[:6], 16) % 900000 + 100000
    return Seal(
        registration_number=f"{number}",
        registered_on=spec.day("registered_on"),
        text=spec.text("text"),
        shape=spec.choice("shape", {"round": "round", "square": "square", "oval": "oval"}, "round"),
        size_mm=float(size),
    )


def synthetic_my_number(seed: str) -> str:
    """A deterministic synthetic 個人番号 with a valid check digit."""
    digest = hashlib.sha256(b"world-my-number:" + seed.encode()).hexdigest()
    first = "".join(str(int(c, 16) % 10) for c in digest[:11])
    return first + str(_check(first))


def _check(first_eleven: str) -> int:
    total = sum(int(first_eleven[-n]) * (n + 1 if n <= 6 else n - 5) for n in range(1, 12))
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder
