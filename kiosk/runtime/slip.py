"""The 本籍地 usage registration's slip: the application number on paper, with the date and what
to do next, in the resident's language (issue 14: the number was only on screen, for 180 s).

The texts are the kiosk's catalogs (kiosk.i18n); the page is set by :mod:`printing.slips` in the
language's Noto Sans CJK family. The Japanese title stays on every slip, for the counter staff
who may be shown it. Nothing but the number, the municipality and its message is printed (no
name, no address: the slip may be lost).
"""

from __future__ import annotations

from datetime import date

from kiosk.flow.effects import PrintRegistrationSlip
from kiosk.flow.state import grouped_application_number
from kiosk.i18n import format_date, translate
from kiosk.languages import language as language_row
from kiosk.msgids import N_
from printing.slips import SlipText, render_slip

TITLE_JA = "本籍地の証明書の利用登録申請　控え"

_TITLE = N_("Registration for family register certificates: your receipt")
_NUMBER = N_("Application number")
_DATE = N_("Applied on {date} to {municipality}")
_NEXT = N_("What to do next")
_CHECK = N_(
    "To see whether the registration is complete, choose “Check a registration” on the start "
    "screen of any kiosk and enter this number."
)
_THEN = N_(
    "Once you are registered, choose “Get a certificate” at any kiosk to get family register "
    "certificates of {municipality} with your My Number card."
)
_KEEP = N_("Keep this slip until the registration is complete.")
_MESSAGE = N_("Message from the municipality (in Japanese)")


def slip_texts(slip: PrintRegistrationSlip, today: date) -> list[SlipText]:
    """The slip's paragraphs, in ``slip.language``."""
    code = slip.language

    def tr(msgid: str) -> str:
        return translate(msgid, code)

    blocks = [SlipText(TITLE_JA, 16, bold=True, space_before_mm=0)]
    if code != "ja":
        blocks.append(SlipText(tr(_TITLE), 13, bold=True))
    blocks += [
        SlipText(tr(_NUMBER), 11, space_before_mm=8),
        SlipText(grouped_application_number(slip.application_number), 26, bold=True),
        SlipText(
            tr(_DATE).format(date=format_date(today, code), municipality=slip.municipality_name),
            11,
            space_before_mm=4,
        ),
        SlipText(tr(_NEXT), 12, bold=True, space_before_mm=8),
        SlipText(tr(_CHECK), 11),
        SlipText(tr(_THEN).format(municipality=slip.municipality_name), 11),
        SlipText(tr(_KEEP), 11),
    ]
    if slip.message_ja:
        blocks += [
            SlipText(tr(_MESSAGE), 12, bold=True, space_before_mm=8),
            SlipText(slip.message_ja, 11),
        ]
    return blocks


def slip_pdf(slip: PrintRegistrationSlip, today: date) -> bytes:
    """The slip as a one-page A4 PDF, in the font family of the resident's language."""
    family = language_row(slip.language).font_family
    return render_slip(slip_texts(slip, today), family=family, title=TITLE_JA)


__all__ = ["TITLE_JA", "slip_pdf", "slip_texts"]
