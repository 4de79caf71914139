"""Protocol versions (docs/center-protocol.md, "Versioning").

The version is in the path (``/v1``, ``/v2``, ``/v3``) and in ``Health.protocol_version``. A
kiosk speaks exactly one version, :data:`PROTOCOL_VERSION`; a center serves every version in
:data:`SUPPORTED_VERSIONS` side by side, so that kiosks not yet upgraded keep working
unchanged (the center is upgraded first, kiosks follow).

- v1: the first protocol.
- v2: v1 plus counter payment: ``CompletionReport.payment`` (``kiosk`` | ``counter``) and the
  settlement's counter figures (``counter_copies_printed``, ``counter_fees_yen``, per line
  too). Every other message is the same as in v1. A v1 completion is a ``kiosk`` payment; a v1
  settlement leaves counter issuances' printed copies out (they were never paid at a kiosk).
- v3: v2 plus notices for residents in several languages: each of an offer's ``notices`` is an
  object with its ``kind`` (hours, closure, maintenance, other) and its ``texts`` per language
  (``ja`` always). On v1 and v2 an offer's notices stay plain Japanese strings. And the choice
  of persons for 戸籍 and 附票: ``OptionRules.persons`` / ``self_person_id``, the 戸籍 options'
  ``person_id`` (whose 個人事項) and the 附票's own options (``fuhyo``: 全部 or 一部 with
  ``person_ids``, ``show_honseki``), in requests and in the envelopes that echo them.
  And the business day: the envelope names the center's business day on which the
  issuance is booked (``business_date``, envelope format ``konbini-center-envelope/2``), and
  the settlement lists every issuance of the day with the completion recorded for it
  (``items``), so that a kiosk closes its day by the center's business day and reconciles it
  transaction by transaction. A v1 or v2 issuance is answered with the format /1 envelope.
"""

from __future__ import annotations

PROTOCOL_VERSION = 3
SUPPORTED_VERSIONS = (1, 2, 3)
NOTICE_TEXTS = 3  # the first version whose offer notices carry a kind and texts per language
PERSONS = 3  # the first version with the 戸籍 / 附票 person choice and the 附票's options


def api_prefix(version: int = PROTOCOL_VERSION) -> str:
    """The base path of ``version``: ``/v3``."""
    if version not in SUPPORTED_VERSIONS:
        raise ValueError(f"protocol version {version} is not supported")
    return f"/v{version}"


API_PREFIX = api_prefix(PROTOCOL_VERSION)

__all__ = [
    "API_PREFIX",
    "NOTICE_TEXTS",
    "PERSONS",
    "PROTOCOL_VERSION",
    "SUPPORTED_VERSIONS",
    "api_prefix",
]
