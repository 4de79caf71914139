"""The data model in one place: every document type and the :data:`Document` union."""

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

# Every certificate the municipality server can render: one per CertificateKind
# (printing.certificates); 戸籍 covers both 全部事項 and 個人事項 through its scope. A new
# kind's model is added here and its composer in render._compose (mypy checks the match).
Document = (
    JuminhyoCopy
    | KisaiJikoCertificate
    | InkanCertificate
    | IncomeTaxCertificate
    | TaxPaymentCertificate
    | KosekiCertificate
    | FuhyoCopy
)
