"""印鑑登録証明書: the registered seal's impression with the registrant's facts.

The impression (印影) is generated from :class:`SealImpression` (the engraved characters, the
shape and size of the seal), red on white like a scanned registration card, reproducibly: the
same data always gives the same image (the ink texture is seeded from the data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from printing.certificates import CertificateKind
from printing.documents._ivs import split_clusters
from printing.documents.common import (
    Address,
    CertificateDocument,
    PersonName,
    Sex,
    check_address,
    check_date,
    check_text,
)
from printing.documents.errors import InvalidDocumentError

if TYPE_CHECKING:
    from printing.documents._compose import Composed

__all__ = ["InkanCertificate", "SealImpression", "SealShape"]

# 印鑑登録証明事務処理要領 (登録できない印鑑): a seal that fits into an 8 mm square, or does not
# fit into a 25 mm square, cannot be registered.
MIN_SEAL_MM = 8.0
MAX_SEAL_MM = 25.0


class SealShape(StrEnum):
    """The outline of a registered seal."""

    ROUND = "round"  # 丸印, the usual 実印
    SQUARE = "square"  # 角印
    OVAL = "oval"  # 小判型


@dataclass(frozen=True)
class SealImpression:
    """A registered seal: the engraved characters, outline and outer size in millimetres.

    ``text`` is what is engraved: usually the family name (「山田」) or the full name without a
    space (「山田太郎」); 1–8 characters, laid out in columns read right to left as seals are.
    """

    text: str
    shape: SealShape = SealShape.ROUND
    size_mm: float = 15.0

    def __post_init__(self) -> None:
        check_text("seal.text", self.text)
        if any(ch.isspace() for ch in self.text):
            raise InvalidDocumentError("seal.text", "is engraved without spaces")
        if not 1 <= len(list(split_clusters(self.text))) <= 8:
            raise InvalidDocumentError("seal.text", "must have 1 to 8 characters")
        if not isinstance(self.shape, SealShape):
            raise InvalidDocumentError("seal.shape", "must be a SealShape")
        if not isinstance(self.size_mm, int | float) or not (
            MIN_SEAL_MM < self.size_mm <= MAX_SEAL_MM
        ):
            raise InvalidDocumentError("seal.size_mm", "must be over 8 mm and at most 25 mm")


@dataclass(frozen=True)
class InkanCertificate(CertificateDocument):
    """印鑑登録証明書.

    ``sex`` is None where the municipality no longer prints it (many have dropped it).
    ``alias`` is a foreign resident's registered 通称, printed under the name when present.
    """

    kind: ClassVar[CertificateKind] = CertificateKind.INKAN

    def compose(self) -> Composed:
        from printing.documents._compose_inkan import compose_inkan  # it imports this module

        return compose_inkan(self)

    name: PersonName
    birth_date: date
    address: Address | str
    seal: SealImpression
    sex: Sex | None = None
    alias: str | None = None
    former_surname: str | None = None  # 旧氏, printed when recorded on the 住民票

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.name, PersonName):
            raise InvalidDocumentError("name", "must be a PersonName")
        check_date("birth_date", self.birth_date)
        check_address("address", self.address)
        if not isinstance(self.seal, SealImpression):
            raise InvalidDocumentError("seal", "must be a SealImpression")
        if self.sex is not None and not isinstance(self.sex, Sex):
            raise InvalidDocumentError("sex", "must be a Sex or None")
        if self.alias is not None:
            check_text("alias", self.alias)
        if self.former_surname is not None:
            check_text("former_surname", self.former_surname)
