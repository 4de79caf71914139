"""Seeded households beyond the personas: a few per participating municipality, so that every
municipality has residents with seals, tax records and family registers (some of them held by
another municipality of the world). Deterministic: ``random.Random`` seeded by the code.

The generator writes the same specification tables as data/households.toml, so the builder
validates generated and hand-written households alike. Everyone is synthetic.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from hw_sim.world.fields import Fields
from hw_sim.world.loader import DATA_DIR
from hw_sim.world.municipalities import Municipality

NAMES_FILE = DATA_DIR / "names.toml"
HOUSEHOLDS_PER_MUNICIPALITY = 3
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_KANJI_DIGITS = "〇一二三四五六七八九"


def fullwidth(number: int) -> str:
    return str(number).translate(_FULLWIDTH)


def kanji_number(number: int) -> str:
    """1–99 in kanji numerals (the 丁目 of a 本籍): 十二, 二十, 七."""
    tens, ones = divmod(number, 10)
    text = ("" if tens < 2 else _KANJI_DIGITS[tens]) + ("十" if tens else "")
    return text + (_KANJI_DIGITS[ones] if ones else "")


@cache
def _names() -> dict[str, Any]:
    return Fields.read(NAMES_FILE).data


def generated_specs(municipalities: dict[str, Municipality]) -> list[tuple[Fields, Fields]]:
    """(register spec, household spec) pairs for every participating municipality."""
    codes = sorted(municipalities)
    result = []
    for code in codes:
        municipality = municipalities[code]
        if not municipality.participates:
            continue
        rng = random.Random(f"konbini-world:{code}")
        for index in range(HOUSEHOLDS_PER_MUNICIPALITY):
            register, household = _household(rng, municipality, municipalities, codes, index)
            origin = Path(f"<generated household {household['id']}>")
            result.append((Fields(register, origin), Fields(household, origin)))
    return result


def _place(rng: random.Random, municipality: Municipality) -> tuple[str, int, int]:
    names = _names()
    wards = names["wards"].get(municipality.code, [""])
    area = municipality.address_prefix + rng.choice(wards) + rng.choice(names["towns"])
    return area, rng.randint(1, 6), rng.randint(1, 30)


def _address(area: str, chome: int, ban: int, go: int) -> str:
    return f"{area}{fullwidth(chome)}丁目{fullwidth(ban)}番{fullwidth(go)}号"


def _honseki(area: str, chome: int, ban: int) -> str:
    return f"{area}{kanji_number(chome)}丁目{fullwidth(ban)}番"


def _given(rng: random.Random, sex: str) -> list[str]:
    return list(rng.choice(_names()["male" if sex == "1" else "female"]))


def _day(rng: random.Random, start: int, end: int) -> date:
    first = date(start, 1, 1)
    return first + timedelta(days=rng.randrange((date(end, 12, 31) - first).days))


def _household(
    rng: random.Random,
    municipality: Municipality,
    municipalities: dict[str, Municipality],
    codes: list[str],
    index: int,
) -> tuple[dict[str, Any], dict[str, Any]]:
    code = municipality.code
    family, family_kana = rng.choice(_names()["family"])
    area, chome, ban = _place(rng, municipality)
    address = _address(area, chome, ban, rng.randint(1, 20))
    # The register: usually here, sometimes in another municipality of the world (本籍地 ≠ 住所地).
    register_municipality = municipality
    register_area, register_chome, register_ban = area, chome, ban
    if rng.random() < 0.3:
        register_municipality = municipalities[rng.choice(codes)]
        register_area, register_chome, register_ban = _place(rng, register_municipality)
    honseki = _honseki(register_area, register_chome, register_ban)
    household_id = f"gen-{code}-{index + 1}"
    register_id = f"{household_id}-register"
    shape = rng.choice(["couple", "couple", "single", "elderly"])
    head_birth = _day(rng, 1948, 1962) if shape == "elderly" else _day(rng, 1965, 1995)
    head_given, head_given_kana = _given(rng, "1")
    married_on = head_birth.replace(year=head_birth.year + rng.randint(24, 33))
    since = min(married_on + timedelta(days=rng.randint(30, 3000)), date(2024, 3, 31))
    members: list[dict[str, Any]] = []
    persons: list[dict[str, Any]] = []

    def person(pid: str, given: list[str], birth: date, sex: str, **extra: Any) -> dict[str, Any]:
        return {
            "id": pid,
            "name": f"{family}\u3000{given[0]}",
            "kana": f"{family_kana}\u3000{given[1]}",
            "birth_date": birth,
            "sex": sex,
            "birthplace": register_municipality.address_prefix,
            **extra,
        }

    def member(
        pid: str, given: list[str], birth: date, sex: str, relationship: str, **extra: Any
    ) -> dict[str, Any]:
        return {
            "name": f"{family}\u3000{given[0]}",
            "kana": f"{family_kana}\u3000{given[1]}",
            "birth_date": birth,
            "sex": sex,
            "relationship": relationship,
            "register_person": pid,
            **extra,
        }

    pension = shape == "elderly"
    head_income = {
        "kind": "公的年金等" if pension else "給与",
        "revenue": rng.randrange(1_800_000, 3_000_000, 10_000)
        if pension
        else rng.randrange(2_800_000, 9_000_000, 10_000),
        "collection": "普通徴収" if pension else "特別徴収",
        "arrears": rng.random() < 0.1,
    }
    head_extra: dict[str, Any] = {"income": head_income}
    if rng.random() < 0.8:
        head_extra["seal"] = {
            "text": family,
            "registered_on": since + timedelta(days=rng.randint(1, 60)),
        }
    members.append(
        member("head", [head_given, head_given_kana], head_birth, "1", "世帯主", **head_extra)
    )
    father_given = _given(rng, "1")[0]
    mother_given = _given(rng, "2")[0]
    if shape == "single":
        persons.append(
            person(
                "head",
                [head_given, head_given_kana],
                head_birth,
                "1",
                father=f"{family}\u3000{father_given}",
                mother=f"{family}\u3000{mother_given}",
                relationship="長男",
            )
        )
        formed = {
            "formed_on": head_birth.replace(year=head_birth.year + 22),
            "formed_by": "分籍",
            "formed_from": f"{register_municipality.address_prefix}　{family}{father_given}",
        }
    else:
        wife_family, wife_family_kana = rng.choice(_names()["family"])
        wife_given = _given(rng, "2")
        wife_birth = head_birth + timedelta(days=rng.randint(-900, 1500))
        previous = _honseki(*_place(rng, register_municipality))
        wife_previous = _honseki(*_place(rng, register_municipality))
        persons.append(
            person(
                "head",
                [head_given, head_given_kana],
                head_birth,
                "1",
                father=f"{family}\u3000{father_given}",
                mother=f"{family}\u3000{mother_given}",
                relationship="長男",
                spouse_role="夫",
                married={
                    "on": married_on,
                    "previous_register": f"{previous}　{family}{father_given}",
                },
            )
        )
        wife_father = _given(rng, "1")[0]
        persons.append(
            person(
                "wife",
                wife_given,
                wife_birth,
                "2",
                father=f"{wife_family}\u3000{wife_father}",
                mother=f"{wife_family}\u3000{_given(rng, '2')[0]}",
                relationship="長女",
                spouse_role="妻",
                married={
                    "on": married_on,
                    "previous_register": f"{wife_previous}　{wife_family}{wife_father}",
                },
            )
        )
        del wife_family_kana
        wife_extra: dict[str, Any] = {}
        if rng.random() < 0.6:
            wife_extra["income"] = {
                "kind": "公的年金等" if pension else "給与",
                "revenue": rng.randrange(600_000, 4_000_000, 10_000),
                "collection": "普通徴収",
            }
        if rng.random() < 0.5:
            wife_extra["seal"] = {
                "text": f"{family}{wife_given[0]}"[:8],
                "registered_on": since + timedelta(days=rng.randint(1, 400)),
                "shape": "oval",
                "size_mm": 13.5,
            }
        members.append(member("wife", wife_given, wife_birth, "2", "妻", **wife_extra))
        formed = {"formed_on": married_on, "formed_by": "婚姻"}
        if shape == "couple":
            order = ["長男", "二男", "三男"], ["長女", "二女", "三女"]
            counts = {"1": 0, "2": 0}
            birth = married_on
            for child in range(rng.randint(1, 3)):
                birth = birth + timedelta(days=rng.randint(400, 1600))
                if birth > date(2024, 12, 31):
                    break
                sex = rng.choice(["1", "2"])
                given = _given(rng, sex)
                rel = order[0 if sex == "1" else 1][counts[sex]]
                counts[sex] += 1
                pid = f"child{child + 1}"
                persons.append(
                    person(
                        pid,
                        given,
                        birth,
                        sex,
                        father=f"{family}\u3000{head_given}",
                        mother=f"{family}\u3000{wife_given[0]}",
                        relationship=rel,
                    )
                )
                members.append(member(pid, given, birth, sex, "子"))
    register = {
        "id": register_id,
        "municipality": register_municipality.code,
        "honseki": honseki,
        "head": "head",
        "persons": None,
        **formed,
    }
    del register["persons"]
    register["person"] = persons
    household = {
        "id": household_id,
        "municipality": code,
        "address": address,
        "address_since": since,
        "register": register_id,
        "member": members,
    }
    if since > max(head_birth, married_on):
        household["previous_address"] = _address(*_place(rng, municipality), rng.randint(1, 20))
    return register, household
