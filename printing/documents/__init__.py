"""Certificate documents as the (simulated) municipality certificate server renders them.

Public API (docs/printing-documents.md):

- the data model: one frozen dataclass per certificate (:class:`JuminhyoCopy`,
  :class:`KisaiJikoCertificate`, :class:`InkanCertificate`, :class:`IncomeTaxCertificate`,
  :class:`TaxPaymentCertificate`, :class:`KosekiCertificate`, :class:`FuhyoCopy`) with their
  nested dataclasses, and the :data:`Document` union;
- :class:`DocumentLayout` / :func:`document_layout`: the content box of each page (to be
  scrambled) and the free margins, in millimetres;
- the errors: :class:`DocumentError`, :class:`InvalidDocumentError`, :class:`MissingGlyphError`;
- :mod:`printing.documents.jpdates`: Japanese era dates and full-width numerals.
"""

from printing.documents.errors import DocumentError, InvalidDocumentError, MissingGlyphError
from printing.documents.layout import A4_LAYOUT, Box, DocumentLayout, document_layout
from printing.documents.model import (
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

__all__ = [
    "A4_LAYOUT",
    "AmountLine",
    "Box",
    "CertificateDocument",
    "Document",
    "DocumentError",
    "DocumentLayout",
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
    "MissingGlyphError",
    "PersonName",
    "ResidenceEvent",
    "Resident",
    "SealImpression",
    "SealShape",
    "Sex",
    "TaxPaymentCertificate",
    "TaxPaymentLine",
    "document_layout",
]
