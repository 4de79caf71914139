"""The screens that send the resident to a part of the kiosk draw this kiosk's front with the
part highlighted and name it with its place; audio guidance says it at each reminder."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetricsF

from kiosk.flow.state import Done, TakeCard
from kiosk.hardware import HardwareLayout, Part, Place
from kiosk.languages import LANGUAGES
from kiosk.ui.kiosk_diagram import HIGHLIGHT, LABEL_FLAGS, KioskDiagram
from kiosk.ui.samples import sample
from tests.kiosk.ui.conftest import MakeWindow, settle


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("place-card", (Part.READER,)),
        ("take-card", (Part.READER,)),
        ("payment", (Part.COIN_SLOT, Part.BILL_SLOT)),
        ("payment-rejected", (Part.CHANGE_TRAY,)),
        ("done", (Part.PRINTER_TRAY, Part.CHANGE_TRAY)),
    ],
)
def test_the_part_to_use_is_highlighted(make_window: MakeWindow, name: str, parts: tuple) -> None:  # type: ignore[type-arg]
    window, _ = make_window(name)
    (diagram,) = [d for d in window.findChildren(KioskDiagram) if d.isVisible()]
    assert diagram.highlighted == parts
    image = diagram.grab().toImage()
    place = window.state.settings.hardware.place(parts[0])  # type: ignore[union-attr]
    assert place is not None
    front = diagram._front()
    x = int(front.left() + (place.x + place.width * 0.1) * front.width())
    y = int(front.top() + (place.y + place.height * 0.5) * front.height())
    assert image.pixelColor(x, y).name() == HIGHLIGHT.name()


def test_the_texts_name_the_part_and_its_place(make_window: MakeWindow) -> None:
    window, _ = make_window("place-card")
    assert "カード読取機（端末の右側）に" in window.view.how.text()  # type: ignore[union-attr]
    # A kiosk whose reader is at the top left says so.
    state = sample("place-card")
    layout = HardwareLayout(
        Place(0.3, 0.05, 0.6, 0.4),
        (
            (Part.READER, Place(0.02, 0.05, 0.2, 0.1)),
            (Part.PRINTER_TRAY, Place(0.1, 0.8, 0.8, 0.1)),
        ),
    )
    window.show_state(replace(state, settings=replace(state.settings, hardware=layout)))
    settle(window)
    assert "カード読取機（端末の左上）に" in window.view.how.text()  # type: ignore[union-attr]


def test_a_counter_ticket_shows_no_tray(make_window: MakeWindow) -> None:
    window, _ = make_window("done-counter-ticket")
    assert not [d for d in window.findChildren(KioskDiagram) if d.isVisible()]


def test_each_reminder_is_said_with_the_part(make_window: MakeWindow) -> None:
    heard: list[str] = []
    window, _ = make_window("take-card", announce=lambda language, text: heard.append(text))
    state = sample("take-card")
    assert isinstance(state.screen, TakeCard)
    reminder = "カードがカード読取機（端末の右側）に残っています！"
    for count in (1, 2, 3):
        window.show_state(replace(state, screen=TakeCard(reminders=count)))
        settle(window)
    assert sum(reminder in text for text in heard) == 3  # once as news, then at each reminder
    done = sample("done")
    assert isinstance(done.screen, Done)
    window.show_state(replace(done, screen=Done(reminders=1)))
    settle(window)
    window.show_state(replace(done, screen=Done(reminders=2)))
    settle(window)
    assert heard[-1] == (
        "排出口（端末の下部）から証明書をお取りください。 "
        "返却口（端末の左下）からおつりをお取りください。"
    )


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
@pytest.mark.parametrize("name", ["done", "payment", "place-card"])
def test_every_part_name_fits_in_every_language(
    make_window: MakeWindow, name: str, size: tuple[int, int]
) -> None:
    """A name wrapped to three lines (es 「bandeja de cambio y devolución」) was drawn in a
    two-line box and lost its first line above the box; each name's box now holds the whole
    wrapped name, inside the widget, and the boxes of one side do not overlap."""
    window, _ = make_window(name, size=size)
    state = sample(name)
    for language in LANGUAGES:
        window.show_state(replace(state, language=language))
        settle(window)
        (diagram,) = [d for d in window.findChildren(KioskDiagram) if d.isVisible()]
        font, labels = diagram.label_layout()
        assert len(labels) == len(diagram.highlighted), language
        fm = QFontMetricsF(font)
        for label in labels:
            wrapped = fm.boundingRect(QRectF(0, 0, label.box.width(), 1e6), LABEL_FLAGS, label.text)
            assert wrapped.height() <= label.box.height() + 0.5, (language, label.text)
            assert wrapped.width() <= label.box.width() + 0.5, (language, label.text)
            assert label.box.top() >= 0, (language, label.text)
            assert label.box.bottom() <= diagram.height(), (language, label.text)
        for one in labels:
            for other in labels:
                if one is not other and one.left == other.left:
                    assert not one.box.intersected(other.box).height() > 0.5, language
