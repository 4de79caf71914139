"""City hall, counter payment: the numbered reception ticket (受付票) on the receipt printer.

らくらく窓口-style service (product-facts.md): the certificate comes out of the kiosk's A4
printer, a ticket with a number out of the receipt printer; staff hand the certificate over
against the ticket and the fee. The ticket is a small PDF (80 mm roll width, IPAex Gothic
embedded) sent with CUPS' ``lp`` to the receipt queue. ``printing.cups`` is not used: it
accepts A4 certificate jobs only, by design.

It carries no personal data: the number, the amount, the time and the counter's instruction.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from kiosk.center.wire import JST
from kiosk.operations.papers import ROLL_WIDTH_MM, PaperError, lp_print

log = logging.getLogger(__name__)

TICKET_HEIGHT_MM = 110.0


class TicketError(Exception):
    """The ticket could not be handed to the print system."""


def render_ticket(ticket_number: int, amount_yen: int, issued_at: datetime) -> bytes:
    """The ticket as a one-page PDF (roll width × a fixed height)."""
    from printing.security.fonts import register_gothic

    font = register_gothic()
    width, height = ROLL_WIDTH_MM * mm, TICKET_HEIGHT_MM * mm
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(width, height), invariant=True)
    page.setTitle("受付票")
    centre = width / 2
    page.setFont(font, 16)
    page.drawCentredString(centre, height - 16 * mm, "受付票")
    page.setFont(font, 9)
    page.drawCentredString(centre, height - 23 * mm, "証明書交付　窓口でお渡しします")
    page.setFont(font, 44)
    page.drawCentredString(centre, height - 50 * mm, f"{ticket_number:03d}")
    page.setFont(font, 12)
    page.drawCentredString(centre, height - 64 * mm, f"手数料　{amount_yen:,}円")
    page.setFont(font, 9)
    when = issued_at.astimezone(JST).strftime("%Y年%m月%d日 %H:%M")
    page.drawCentredString(centre, height - 74 * mm, when)
    page.drawCentredString(centre, height - 86 * mm, "この票と手数料を窓口へお持ちください。")
    page.drawCentredString(centre, height - 92 * mm, "Please bring this ticket and the fee")
    page.drawCentredString(centre, height - 97 * mm, "to the counter.")
    page.showPage()
    page.save()
    return out.getvalue()


class LpTicketPrinter:
    """Prints tickets on a CUPS queue with ``lp`` (``server``: host:port, or the default);
    ``clock`` dates them (any timezone: the ticket shows Japan time)."""

    def __init__(
        self,
        queue: str,
        *,
        server: str | None = None,
        clock: Callable[[], datetime],
    ) -> None:
        self.queue = queue
        self.server = server
        self._clock = clock

    def print_ticket(self, ticket_number: int, amount_yen: int) -> None:
        """Render and spool one ticket; raises :class:`TicketError` if CUPS refuses it."""
        pdf = render_ticket(ticket_number, amount_yen, self._clock())
        try:
            lp_print(
                pdf,
                queue=self.queue,
                server=self.server,
                title=f"ticket-{ticket_number:03d}",
                options=[f"media=Custom.{ROLL_WIDTH_MM:g}x{TICKET_HEIGHT_MM:g}mm"],
            )
        except PaperError as exc:
            raise TicketError(str(exc)) from None
        log.info("reception ticket %03d spooled to %s", ticket_number, self.queue)


__all__ = ["LpTicketPrinter", "TicketError", "render_ticket"]
