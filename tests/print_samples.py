"""Print jobs made of real certificates, for the tests of the print path (the CUPS adapter, the
print service): a one-page 印鑑登録証明書 as the municipality renders it, with the back side the
center makes for it (printing.security), one copy per serial."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec

from printing import documents
from printing.documents import samples
from printing.security import BackSideKeys, CopyToPrint, make_back_side
from printing.security.vcode import new_code

ISSUER = "東京都練馬区長"


def inkan_copies(*serials: str) -> list[CopyToPrint]:
    """One copy (front and back side) of a one-page 印鑑登録証明書 per serial."""
    rendered = documents.render_document(samples.inkan())
    keys = BackSideKeys(bytes(range(32)), ec.derive_private_key(12345, ec.SECP256R1()), b"t")
    return [
        CopyToPrint(
            rendered.pdf,
            (
                make_back_side(
                    rendered.pdf,
                    0,
                    serial=serial,
                    issuer=ISSUER,
                    canonical_text=rendered.canonical_text,
                    keys=keys,
                    verification_code=new_code(),
                ),
            ),
        )
        for serial in serials
    ]
