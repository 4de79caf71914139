"""Certificate documents as the (simulated) municipality certificate server renders them.

Public API (docs/printing-documents.md):

- the data model: one frozen dataclass per certificate (:class:`JuminhyoCopy`,
  :class:`KisaiJikoCertificate`, :class:`InkanCertificate`, :class:`IncomeTaxCertificate`,
  :class:`TaxPaymentCertificate`, :class:`KosekiCertificate`, :class:`FuhyoCopy`) with their
  nested dataclasses; :data:`Document` is their base, :class:`CertificateDocument`, whose
  ``compose()`` each type implements with its composer;
- :func:`render` (PDF bytes), :func:`render_document` (PDF, page count, title, canonical text),
  :func:`canonical_text` (what the signed 2D code covers), :func:`check_glyphs` and
  :func:`preload` (fonts and seals loaded before the first request);
- :class:`DocumentLayout` / :func:`document_layout`: the content box of each page (to be
  scrambled) and the free margins, in millimetres;
- the errors: :class:`DocumentError`, :class:`InvalidDocumentError`, :class:`MissingGlyphError`,
  :class:`FontUnavailableError`;
- :mod:`printing.jpdates`: Japanese era dates and full-width numerals;
- :mod:`printing.documents.samples`: sample documents of every type (fictional people).
"""

from printing.documents.errors import (
    DocumentError,
    InvalidDocumentError,
    LayoutError,
    MissingGlyphError,
)
from printing.documents.fonts import FontUnavailableError
from printing.documents.layout import A4_LAYOUT, Box, DocumentLayout, document_layout
from printing.documents.model import (
    Address,
    AmountLine,
    CertificateDocument,
    Document,
    ForeignResidentCategory,
    ForeignResidentItems,
    FuhyoCopy,
    FuhyoEntry,
    FuhyoPerson,
    HeadTitle,
    Household,
    IncomeLine,
    IncomeTaxCertificate,
    InkanCertificate,
    Issuer,
    JuminhyoCopy,
    KisaiJikoCertificate,
    KosekiCertificate,
    KosekiDetail,
    KosekiEvent,
    KosekiMember,
    PersonName,
    ResidenceEvent,
    Resident,
    SealImpression,
    SealShape,
    Sex,
    TaxPaymentCertificate,
    TaxPaymentLine,
)
from printing.documents.render import (
    CANONICAL_VERSION,
    Rendered,
    canonical_text,
    check_glyphs,
    preload,
    render,
    render_document,
)

__all__ = [
    "A4_LAYOUT",
    "CANONICAL_VERSION",
    "Address",
    "AmountLine",
    "Box",
    "CertificateDocument",
    "Document",
    "DocumentError",
    "DocumentLayout",
    "FontUnavailableError",
    "ForeignResidentCategory",
    "ForeignResidentItems",
    "FuhyoCopy",
    "FuhyoEntry",
    "FuhyoPerson",
    "HeadTitle",
    "Household",
    "IncomeLine",
    "IncomeTaxCertificate",
    "InkanCertificate",
    "InvalidDocumentError",
    "Issuer",
    "JuminhyoCopy",
    "KisaiJikoCertificate",
    "KosekiCertificate",
    "KosekiDetail",
    "KosekiEvent",
    "KosekiMember",
    "LayoutError",
    "MissingGlyphError",
    "PersonName",
    "Rendered",
    "ResidenceEvent",
    "Resident",
    "SealImpression",
    "SealShape",
    "Sex",
    "TaxPaymentCertificate",
    "TaxPaymentLine",
    "canonical_text",
    "check_glyphs",
    "document_layout",
    "preload",
    "render",
    "render_document",
]
