"""Property tests: generated households and registers (rare characters, long names, many
members, any dates) always render, stay inside the content box and print every name once."""

from __future__ import annotations

import subprocess
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
from doc_helpers import squash
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from printing.certificates import JuminhyoOptions, KosekiScope, Scope
from printing.documents import (
    Household,
    KosekiCertificate,
    KosekiDetail,
    KosekiEvent,
    KosekiMember,
    PersonName,
    ResidenceEvent,
    Resident,
    Sex,
    document_layout,
    render_document,
    samples,
)
from printing.documents.common import my_number_check_digit

NAME_CHARS = "山田太郎花子髙﨑邉𠮷渡邊齋藤鈴木佐藤一二三之助ノ々ー"
KANA_CHARS = "ヤマダタロウハナコサイトウスズキ"
ADDRESS_CHARS = "東京都練馬区豊玉北六丁目１２３４５６７８９０番号地－ハイツ"

names = st.text(alphabet=NAME_CHARS, min_size=1, max_size=12)
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def residents(draw: st.DrawFn, index: int) -> Resident:
    born = draw(dates)
    since = draw(st.dates(min_value=born, max_value=date(2031, 12, 31)))
    digits = f"{draw(st.integers(0, 10**11 - 1)):011d}"
    events = draw(
        st.lists(
            st.builds(
                ResidenceEvent,
                st.sampled_from(["転入", "転居", "出生", "世帯主変更"]),
                dates,
                st.none() | dates,
                st.text(alphabet=ADDRESS_CHARS, max_size=60),
            ),
            max_size=6,
        )
    )
    return Resident(
        member_id=f"P{index}",
        name=PersonName(
            draw(names), draw(names), draw(st.text(alphabet=KANA_CHARS, max_size=10)), ""
        ),
        birth_date=born,
        sex=draw(st.sampled_from(list(Sex))),
        relationship=draw(st.sampled_from(["世帯主", "妻", "子", "父", "母", "同居人"])),
        became_resident_on=since,
        address_since=since,
        address_notified_on=draw(st.none() | dates),
        honseki=draw(st.text(alphabet=ADDRESS_CHARS, min_size=1, max_size=80)),
        hittosha=draw(names),
        my_number=digits + str(my_number_check_digit(digits)),
        events=tuple(events),
    )


@st.composite
def households(draw: st.DrawFn) -> Household:
    size = draw(st.integers(1, 9))
    members = tuple(draw(residents(i)) for i in range(size))
    address = draw(st.text(alphabet=ADDRESS_CHARS, min_size=1, max_size=120))
    return Household(address, members[0].member_id, members)


def _ink_outside_content(pdf: bytes, dpi: int = 30) -> bool:
    layout = document_layout(None)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(path), f"{folder}/p"],
            check=True,
            timeout=120,
        )
        for page_file in sorted(Path(folder).glob("p-*.png")):
            pixels = np.asarray(Image.open(page_file).convert("L"))
            left, top, right, bottom = layout.content.to_pixels(dpi)
            outside = np.ones_like(pixels, dtype=bool)
            outside[max(top - 1, 0) : bottom + 1, max(left - 1, 0) : right + 1] = False
            if pixels[outside].min() < 250:
                return True
    return False


def _text(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(pdf)
        return subprocess.run(
            ["pdftotext", "-raw", str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households(), st.booleans(), st.booleans(), st.booleans())
def test_any_household_renders_inside_the_box(
    household: Household, relationship: bool, honseki: bool, my_number: bool
) -> None:
    options = JuminhyoOptions(
        scope=Scope.HOUSEHOLD_ALL,
        show_head_and_relationship=relationship,
        show_honseki=honseki,
        show_my_number=my_number,
    )
    rendered = render_document(samples.juminhyo(household, options))
    text = squash(_text(rendered.pdf))
    for member in household.members:
        assert squash(member.name.full) in text
    assert not _ink_outside_content(rendered.pdf)


@st.composite
def registers(draw: st.DrawFn) -> KosekiCertificate:
    def event(kind: str) -> KosekiEvent:
        details = draw(
            st.lists(
                st.builds(
                    KosekiDetail,
                    st.sampled_from(["出生日", "届出日", "出生地", "婚姻日", "従前戸籍"]),
                    dates | st.text(alphabet=ADDRESS_CHARS + NAME_CHARS, min_size=1, max_size=70),
                ),
                min_size=1,
                max_size=6,
            )
        )
        return KosekiEvent(kind, tuple(details))

    members = tuple(
        KosekiMember(
            member_id=f"K{i}",
            given_name=draw(names),
            birth_date=draw(dates),
            father=draw(st.none() | names),
            mother=draw(st.none() | names),
            relationship=draw(st.sampled_from(["長男", "長女", "二男", ""])),
            events=tuple(
                event(k)
                for k in draw(st.lists(st.sampled_from(["出生", "婚姻", "死亡"]), max_size=4))
            ),
            removed=draw(st.booleans()),
        )
        for i in range(draw(st.integers(1, 10)))
    )
    base = samples.koseki()
    return KosekiCertificate(
        issuer=base.issuer,
        issued_on=base.issued_on,
        document_number=base.document_number,
        honseki=draw(st.text(alphabet=ADDRESS_CHARS, min_size=1, max_size=80)),
        head=PersonName(draw(names), draw(names)),
        register_events=(event("戸籍編製"),),
        members=members,
        scope=KosekiScope.ALL,
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers())
def test_any_register_renders_inside_the_box(register: KosekiCertificate) -> None:
    rendered = render_document(register)
    text = squash(_text(rendered.pdf))
    for member in register.members:
        assert f"【名】{squash(member.given_name)}" in text
    assert not _ink_outside_content(rendered.pdf)
