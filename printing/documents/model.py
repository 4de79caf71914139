"""The data model in one place: every document type, and :data:`Document` (any of them)."""

from __future__ import annotations

from printing.documents.common import (
    Address,
    CertificateDocument,
    HeadTitle,
    Issuer,
    PersonName,
    Sex,
)
from printing.documents.inkan import InkanCertificate, SealImpression, SealShape
from printing.documents.juminhyo import (
    ForeignResidentCategory,
    ForeignResidentItems,
    Household,
    JuminhyoCopy,
    KisaiJikoCertificate,
    ResidenceEvent,
    Resident,
)
from printing.documents.koseki import (
    FuhyoCopy,
    FuhyoEntry,
    FuhyoPerson,
    KosekiCertificate,
    KosekiDetail,
    KosekiEvent,
    KosekiMember,
)
from printing.documents.tax import (
    AmountLine,
    IncomeLine,
    IncomeTaxCertificate,
    TaxPaymentCertificate,
    TaxPaymentLine,
)

__all__ = [
    "Address",
    "AmountLine",
    "CertificateDocument",
    "Document",
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
    "Issuer",
    "JuminhyoCopy",
    "KisaiJikoCertificate",
    "KosekiCertificate",
    "KosekiDetail",
    "KosekiEvent",
    "KosekiMember",
    "PersonName",
    "ResidenceEvent",
    "Resident",
    "SealImpression",
    "SealShape",
    "Sex",
    "TaxPaymentCertificate",
    "TaxPaymentLine",
]

# Every certificate the municipality server can render: a CertificateDocument subclass per
# CertificateKind (printing.certificates), which names its composer in compose() — mypy refuses
# to build one that does not, and tests/printing/documents/test_documents_model.py checks that
# every kind has exactly one. A new kind is its model (with compose) and its composer: nothing
# here or in render.py changes.
Document = CertificateDocument
