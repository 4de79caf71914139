"""The online check: the issuer's verification service answers for a serial and the code
printed on the front (docs/center-protocol.md, "Verification").

The answer carries each page's signed code as the back has it; they are verified here with
the issuer's public key like a scanned code, so the service is trusted for availability only:
a forged answer fails its signatures. Standard library only (urllib, ssl).
"""

from __future__ import annotations

import base64
import binascii
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from printing.security.errors import SignedCodeError, UnknownKeyError
from printing.security.signed_code import SignedPayload, verify_signed_code
from printing.security.vcode import normalise

from .errors import VerifyError

ANSWER_FORMAT = "konbini-verification/1"
PATH = "/v2/verifications/"
TIMEOUT_S = 10.0  # a query is one small HTTPS exchange; the service answers in milliseconds
MAX_ANSWER_BYTES = 1024 * 1024  # a certificate of 10 pages has ~20 kB of codes
MAX_PAGES = 50


class OnlineError(VerifyError):
    """The service did not give the signed facts: not found or past retention (404), too many
    queries (429), or it could not be reached or answered nonsense."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class OnlineAnswer:
    serial: str
    issuer: str
    issued_on: date
    available_until: datetime
    pages: tuple[SignedPayload, ...]  # verified with the issuer's key, in page order

    def to_record(self) -> dict[str, Any]:
        from .labels import field_label

        return {
            "outcome": "found",
            "serial": self.serial,
            "issuer": self.issuer,
            "issued_on": self.issued_on.isoformat(),
            "available_until": self.available_until.isoformat(),
            "pages": [
                {
                    "page": page.page_index + 1,
                    "signed_fields": [
                        {"field": key, "label": field_label(key), "value": value}
                        for key, value in (
                            page.page_facts.fields() if page.page_facts else {}
                        ).items()
                    ],
                    "signed_text": page.text,
                }
                for page in self.pages
            ],
        }


def _context(ca: Path | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca) if ca else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def query(url: str, serial: str, code: str, *, ca: Path | None = None) -> dict[str, Any]:
    """The service's JSON answer for ``serial`` and ``code`` (as typed); ``OnlineError`` for a
    refusal, an unreachable service or a malformed answer."""
    try:
        typed = normalise(code)
    except ValueError as exc:
        raise OnlineError(str(exc)) from exc
    target = f"{url.rstrip('/')}{PATH}{urllib.parse.quote(serial, safe='')}?" + (
        urllib.parse.urlencode({"code": typed})
    )
    if not target.startswith("https://"):
        raise OnlineError("the verification service is reached over HTTPS only")
    # The scheme is checked above: https only (S310's concern is file: and custom schemes).
    request = urllib.request.Request(target, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=TIMEOUT_S, context=_context(ca)
        ) as answer:
            body = answer.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise _refusal(exc) from None
    except (urllib.error.URLError, OSError) as exc:
        raise OnlineError(f"verification service unreachable: {exc}") from exc
    if len(body) > MAX_ANSWER_BYTES:
        raise OnlineError("the verification service's answer is too large")
    try:
        value = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise OnlineError("the verification service's answer is not JSON") from exc
    if not isinstance(value, dict):
        raise OnlineError("the verification service's answer is not an object")
    return value


def _refusal(error: urllib.error.HTTPError) -> OnlineError:
    code = message = None
    try:
        body = json.loads(error.read(64 * 1024))["error"]
        code, message = str(body["code"]), str(body.get("message_ja") or body["message"])
    except (ValueError, KeyError, TypeError):
        pass
    return OnlineError(message or f"HTTP {error.code}", error.code, code)


def parse_answer(
    value: Mapping[str, Any], serial: str, trusted_keys: Mapping[bytes, ec.EllipticCurvePublicKey]
) -> OnlineAnswer:
    """The answer checked: its shape, every page's signature, and that the pages name this
    serial, this issuer, in order."""
    if value.get("format") != ANSWER_FORMAT or value.get("serial") != serial:
        raise OnlineError("the answer is not for this serial")
    pages = value.get("pages")
    if not isinstance(pages, list) or not 0 < len(pages) <= MAX_PAGES:
        raise OnlineError("the answer has no pages")
    payloads = []
    for index, page in enumerate(pages):
        try:
            if page["page_index"] != index:
                raise OnlineError("the answer's pages are out of order")
            code = base64.b64decode(page["signed_code"], validate=True)
        except (KeyError, TypeError, binascii.Error) as exc:
            raise OnlineError("the answer's pages are malformed") from exc
        try:
            payload = verify_signed_code(code, trusted_keys)
        except UnknownKeyError as exc:
            raise OnlineError(f"a page is signed with an untrusted key: {exc}") from exc
        except SignedCodeError as exc:
            raise OnlineError(f"a page's signature does not verify: {exc}") from exc
        if (payload.serial, payload.page_index, payload.page_count) != (serial, index, len(pages)):
            raise OnlineError("a signed page names another serial or page")
        if payload.issuer != value.get("issuer"):
            raise OnlineError("a signed page names another issuer")
        payloads.append(payload)
    try:
        available_until = datetime.fromisoformat(str(value["available_until"]))
    except (KeyError, ValueError) as exc:
        raise OnlineError("the answer's retention is malformed") from exc
    return OnlineAnswer(
        serial, payloads[0].issuer, payloads[0].issued_on, available_until, tuple(payloads)
    )


def verify_online(
    url: str,
    serial: str,
    code: str,
    trusted_keys: Mapping[bytes, ec.EllipticCurvePublicKey],
    *,
    ca: Path | None = None,
) -> OnlineAnswer:
    """Query the service and verify what it answers (``OnlineError`` otherwise)."""
    return parse_answer(query(url, serial, code, ca=ca), serial, trusted_keys)
