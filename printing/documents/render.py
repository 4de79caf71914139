"""``render(doc) -> bytes`` and ``canonical_text(doc) -> str``: the two outputs of a document.

Both come from one composition of the document (``_compose_*``), so the canonical text holds
exactly the facts the pages show, in the order they are printed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from printing.documents._compose import Composed
from printing.documents._engine import render_composition
from printing.documents.common import CertificateDocument, Issuer
from printing.documents.errors import InvalidDocumentError
from printing.documents.fonts import ensure_registered, require_glyphs
from printing.documents.layout import document_layout
from printing.documents.model import Document
from printing.documents.seals import OFFICIAL_SEAL_MM, official_seal_image

__all__ = [
    "CANONICAL_VERSION",
    "Rendered",
    "canonical_text",
    "check_glyphs",
    "preload",
    "render",
    "render_document",
]

# First line of every canonical text; bumped when the format (not the data) changes.
CANONICAL_VERSION = "konbini-certificate-text/1"


def _compose(doc: Document) -> Composed:
    if not isinstance(doc, CertificateDocument):  # a caller outside mypy's sight
        raise InvalidDocumentError("doc", f"not a certificate document: {type(doc).__name__}")
    return doc.compose()  # each document type names its composer (CertificateDocument.compose)


@dataclass(frozen=True)
class Rendered:
    """A rendered certificate: the PDF, its page count, title and canonical text."""

    pdf: bytes
    page_count: int
    title: str
    canonical_text: str


def render_document(doc: Document) -> Rendered:
    """Compose once and return the PDF with its page count, title and canonical text.

    Raises :class:`MissingGlyphError` (before drawing) when a printed character is in no
    embedded font, and :class:`FontUnavailableError` when a font file cannot be read.
    """
    composed = _compose(doc)
    pdf, pages = render_composition(composed.composition, document_layout(doc))
    return Rendered(pdf, pages, composed.composition.title, _serialise(doc, composed))


def render(doc: Document) -> bytes:
    """The certificate as a PDF (A4 portrait, fonts embedded, deterministic bytes)."""
    return render_document(doc).pdf


def preload(issuers: Iterable[Issuer] = ()) -> None:
    """Load the fonts and draw the official seals of ``issuers`` now, so that a server's first
    certificate does not pay for it (about 0.25 s, see benchmarks/render_documents.py).

    Raises :class:`FontUnavailableError`, or :class:`MissingGlyphError` for a seal legend.
    """
    ensure_registered()
    for issuer in issuers:
        require_glyphs("issuer.seal", issuer.seal_legend)
        official_seal_image(issuer.seal_legend, OFFICIAL_SEAL_MM)


def check_glyphs(doc: Document) -> None:
    """Raise :class:`MissingGlyphError` if any printed character has no glyph (no drawing)."""
    _compose(doc)


def canonical_text(doc: Document) -> str:
    """The exact text a signed 2D code covers (docs/printing-documents.md, "Canonical text").

    UTF-8-ready text normalised to NFC; one ``key=value`` line per printed fact, in printed
    order, after a fixed preamble (format version, kind, title, document number); values have
    ``\\`` and line breaks escaped as ``\\\\`` and ``\\n``; ends with a line break.
    """
    return _serialise(doc, _compose(doc))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _serialise(doc: Document, composed: Composed) -> str:
    lines = [
        CANONICAL_VERSION,
        f"kind={doc.kind.value}",
        f"title={_escape(composed.composition.title)}",
        f"document_number={_escape(doc.document_number)}",
    ]
    lines.extend(f"{fact.key}={_escape(fact.text)}" for fact in composed.facts.items)
    return unicodedata.normalize("NFC", "\n".join(lines) + "\n")
