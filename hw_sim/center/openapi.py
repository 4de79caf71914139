"""The OpenAPI 3.1 description of the center protocol, served at ``/openapi.yaml`` and
``/openapi.json`` (docs/center-protocol.md is the prose; this is the machine-readable shape).

Built in Python next to the wire models so a test can hold the two together
(tests/hw_sim/center/test_openapi.py checks every schema's properties against ``to_wire()``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from hw_sim.center.yamltext import yaml_text
from kiosk.center import wire
from kiosk.domain import NOTICE_TEXT_MAX, NoticeKind
from printing.certificates import CertificateKind, Jurisdiction, KosekiScope, Scope

S = dict[str, Any]


def _ref(name: str) -> S:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: S, *, description: str = "", nullable: tuple[str, ...] = ()) -> S:
    schema: S = {
        "type": "object",
        "additionalProperties": False,
        "required": sorted(properties),
        "properties": properties,
    }
    for name in nullable:
        inner = properties[name]
        properties[name] = {"oneOf": [inner, {"type": "null"}]}
    if description:
        schema["description"] = description
    return schema


def _str(pattern: str | None = None, max_length: int | None = None, **extra: Any) -> S:
    schema: S = {"type": "string", **extra}
    if pattern:
        schema["pattern"] = f"^{pattern}$"
    if max_length:
        schema["maxLength"] = max_length
    return schema


def _int(minimum: int, maximum: int, **extra: Any) -> S:
    return {"type": "integer", "minimum": minimum, "maximum": maximum, **extra}


BOOL: S = {"type": "boolean"}
TIMESTAMP = _str(format="date-time", description="RFC 3339 with offset; the center writes +09:00")
DAY = _str(format="date")
B64 = _str(contentEncoding="base64")
CODE = _str(r"\d{6}", description="地方公共団体コード with check digit")
REASON = _str(wire.vocabulary.REASON_CODE.pattern, 48, description="a stable reason code")


def _enum(values: Any) -> S:
    return {"type": "string", "enum": [v.value for v in values]}


def _schemas() -> S:
    notice = _obj(
        {
            "notice_id": _str(wire.messages.NOTICE_ID.pattern),
            "scope": _enum(wire.NoticeScope),
            "municipality_code": CODE,
            "starts_at": TIMESTAMP,
            "ends_at": TIMESTAMP,
            "message_ja": _str(max_length=1024),
        },
        nullable=("municipality_code",),
    )
    back_side = _obj(
        {"page_index": _int(0, 9), "format": _str(wire.BACK_SIDE_FORMAT.pattern), "data": B64}
    )
    copy = _obj(
        {
            "copy_index": _int(0, wire.MAX_COPIES - 1),
            "serial": _str(wire.envelope.SERIAL.pattern),
            "kind": _enum(CertificateKind),
            "title": _str(max_length=128),
            "page_count": _int(1, 10),
            "front_pdf": B64,
            "canonical_text": _str(),
            "back_sides": {"type": "array", "items": _ref("BackSidePage")},
        }
    )
    return {
        "Health": _obj(
            {
                "state": _enum(wire.HealthState),
                "time": TIMESTAMP,
                "protocol_version": {"type": "integer"},
                "maintenance": _ref("Notice"),
            },
            nullable=("maintenance",),
        ),
        "Notice": notice,
        "NoticeList": _obj({"notices": {"type": "array", "items": _ref("Notice")}}),
        "Municipality": _obj(
            {
                "code": CODE,
                "name": _str(max_length=64),
                "prefecture": _str(max_length=16),
                "kana": _str(max_length=128),
                "participates": BOOL,
                "honseki_service": BOOL,
            }
        ),
        "MunicipalityList": _obj(
            {"municipalities": {"type": "array", "items": _ref("Municipality")}}
        ),
        "ChallengeRequest": _obj({"purpose": _enum(wire.AuthPurpose)}),
        "Challenge": _obj(
            {
                "challenge_id": _str(wire.messages.TOKEN.pattern),
                "kiosk_id": _str(wire.KIOSK_ID.pattern),
                "purpose": _enum(wire.AuthPurpose),
                "nonce": B64,
                "issued_at": TIMESTAMP,
                "expires_at": TIMESTAMP,
            },
            description="The card signs auth_message(purpose, kiosk_id, id, nonce, issued_at)",
        ),
        "ChallengeAnswer": _obj(
            {
                "challenge_id": _str(wire.messages.TOKEN.pattern),
                "certificate": _str(contentEncoding="base64", description="DER auth certificate"),
                "signature": _str(
                    contentEncoding="base64", description="RSASSA-PKCS1-v1_5 SHA-256"
                ),
            }
        ),
        "SessionGrant": _obj(
            {
                "session_token": _str(wire.messages.TOKEN.pattern),
                "purpose": _enum(wire.AuthPurpose),
                "expires_at": TIMESTAMP,
                "municipality_code": CODE,
                "municipality_name": _str(max_length=64),
            }
        ),
        "BackSidePage": back_side,
        "IssuedCopy": copy,
        **_versioned_schemas(),
        **_verification_schemas(),
        "RegistrationApplication": _obj(
            {
                "honseki_municipality_code": CODE,
                "name": _str(max_length=128),
                "address": _str(max_length=256),
                "birth_date": DAY,
                "sex": _str("[0129]"),
                "honseki": _str(max_length=256),
                "hittosha_name": _str(max_length=128),
                "phone": _str(wire.messages.PHONE.pattern),
            }
        ),
        "RegistrationReceipt": _obj(
            {
                "application_number": _str(wire.messages.APPLICATION_NUMBER.pattern),
                "municipality_code": CODE,
                "municipality_name": _str(max_length=64),
                "submitted_at": TIMESTAMP,
                "message_ja": _str(max_length=2048),
            }
        ),
        "RegistrationStatus": _obj(
            {
                "application_number": _str(wire.messages.APPLICATION_NUMBER.pattern),
                "state": _enum(wire.RegistrationState),
                "message_ja": _str(max_length=2048),
                "checked_at": TIMESTAMP,
            }
        ),
        "Error": _obj(
            {
                "error": _obj(
                    {
                        "code": _enum(wire.ErrorCode),
                        "message": _str(max_length=1024),
                        "reason": {**REASON, "enum": sorted(wire.REASONS)},
                        "message_ja": _str(max_length=2048),
                        "retryable": BOOL,
                        "until": TIMESTAMP,
                    },
                    nullable=("reason", "message_ja", "until"),
                )
            }
        ),
    }


def _completion_shape(version: int) -> S:
    completion: S = {
        "outcome": _enum(wire.CompletionOutcome),
        "copies_printed": _int(0, 100),
        "amount_paid_yen": _int(0, 10_000_000),
        "amount_refunded_yen": _int(0, 10_000_000),
        "refund_pending_yen": _int(0, 10_000_000),
        "failure_reason": REASON,
        "completed_at": TIMESTAMP,
    }
    if version >= 2:
        completion["payment"] = {
            **_enum(wire.PaymentPlace),
            "description": "counter: the fee is paid at a city-hall counter; no amounts",
        }
    return _obj(completion, nullable=("failure_reason",))


_COUNTER: S = {
    "counter_copies_printed": {
        "type": "integer",
        "description": "printed against a counter ticket (no store fee)",
    },
    "counter_fees_yen": {"type": "integer"},
}


def _line_shape(version: int) -> S:
    line: S = {
        "municipality_code": CODE,
        "copies_printed": {"type": "integer", "description": "paid at the kiosk"},
        "municipality_fees_yen": {"type": "integer"},
    }
    if version >= 2:
        line.update(_COUNTER)
    return _obj(line)


def _settlement_shape(version: int) -> S:
    settlement: S = {
        "kiosk_id": _str(wire.KIOSK_ID.pattern),
        "business_date": DAY,
        "issuances": {"type": "integer"},
        "copies_issued": {"type": "integer"},
        "copies_printed": {"type": "integer", "description": "paid at the kiosk"},
        "municipality_fees_yen": {"type": "integer"},
        "store_fee_per_copy_yen": {"type": "integer", "const": wire.STORE_FEE_PER_COPY_YEN},
        "store_fee_yen": {"type": "integer"},
        "refunded_yen": {"type": "integer"},
        "refund_pending_yen": {"type": "integer"},
        "open_issuances": {"type": "integer"},
        "lines": {"type": "array", "items": _ref(_name("SettlementLine", version))},
    }
    if version >= 2:
        settlement.update(_COUNTER)
    if version >= 3:
        settlement["items"] = {
            "type": "array",
            "maxItems": wire.MAX_SETTLEMENT_ITEMS,
            "items": _ref("SettlementItem"),
            "description": "every issuance of the day with its recorded completion",
        }
    return _obj(settlement)


_PERSON = _obj({"member_id": _str(), "display_name": _str(max_length=128)})


def _offer_shape(version: int) -> S:
    if version >= wire.NOTICE_TEXTS:
        notice: S = _obj(
            {
                "kind": _enum(NoticeKind),
                "texts": {
                    "type": "object",
                    "description": "text by screen language (ja, en, zh_Hans …); ja required",
                    "required": ["ja"],
                    "propertyNames": {"pattern": f"^{wire.vocabulary.LANGUAGE_CODE.pattern}$"},
                    "additionalProperties": _str(max_length=NOTICE_TEXT_MAX),
                    "maxProperties": wire.vocabulary.MAX_NOTICE_LANGUAGES,
                },
            },
            description="a notice for residents, by language",
        )
    else:
        notice = _str(max_length=NOTICE_TEXT_MAX, description="Japanese")
    return _obj(
        {
            "municipality_code": CODE,
            "municipality_name": _str(max_length=64),
            "certificates": {
                "type": "array",
                "items": _ref(_name("OfferedCertificate", version)),
            },
            "household": {"type": "array", "items": _PERSON},
            "honseki_municipality_code": CODE,
            "honseki_municipality_name": _str(max_length=64),
            "notices": {"type": "array", "items": notice},
        },
        nullable=("honseki_municipality_code", "honseki_municipality_name"),
    )


def _offered_shape(version: int) -> S:
    rules: S = {
        "scopes": {"type": "array", "items": _enum(Scope)},
        "koseki_scopes": {"type": "array", "items": _enum(KosekiScope)},
        "head_and_relationship": BOOL,
        "honseki": {**BOOL, "description": "住民票: 本籍・筆頭者 offered; 附票: may be shown"},
        "my_number": BOOL,
        "foreign_items": BOOL,
        "fiscal_years": {"type": "array", "items": {"type": "integer"}},
        "max_copies": _int(1, wire.MAX_COPIES),
    }
    nullable: tuple[str, ...] = ()
    if version >= wire.PERSONS:
        rules["persons"] = {
            "type": "array",
            "items": _PERSON,
            "description": "the register's persons for 個人事項 and a 附票 of 一部",
        }
        rules["self_person_id"] = {**_str(), "description": "the resident among the persons"}
        nullable = ("self_person_id",)
    return _obj(
        {
            "kind": _enum(CertificateKind),
            "jurisdiction": _enum(Jurisdiction),
            "fee_yen": _int(0, 100_000),
            "counter_fee_yen": _int(0, 100_000),
            "rules": _obj(rules, nullable=nullable),
            "available": BOOL,
            "unavailable_reason": REASON,
            "hours": _obj({"open": _str(r"\d{2}:\d{2}"), "close": _str(r"\d{2}:\d{2}")}),
        },
        nullable=("unavailable_reason",),
    )


def _request_shape(version: int) -> S:
    member = _str(wire.vocabulary.MEMBER_ID.pattern)
    juminhyo = _obj(
        {
            "type": {"const": "juminhyo"},
            "scope": _enum(Scope),
            "member_ids": {"type": "array", "items": member},
            "show_head_and_relationship": BOOL,
            "show_honseki": BOOL,
            "show_my_number": BOOL,
            "show_foreign_items": BOOL,
        }
    )
    koseki: S = {"type": {"const": "koseki"}, "scope": _enum(KosekiScope)}
    shapes = [
        juminhyo,
        _obj({"type": {"const": "tax"}, "fiscal_year": _int(*wire.vocabulary.FISCAL_YEAR_RANGE)}),
    ]
    described = "tagged by type: juminhyo, tax, koseki (戸籍, 附票), none (印鑑, 附票)"
    if version >= wire.PERSONS:
        koseki["person_id"] = {**member, "description": "whose 個人事項 (null: the resident)"}
        shapes.append(_obj(koseki, nullable=("person_id",)))
        shapes.append(
            _obj(
                {
                    "type": {"const": "fuhyo"},
                    "scope": _enum(KosekiScope),
                    "person_ids": {"type": "array", "items": member},
                    "show_honseki": BOOL,
                }
            )
        )
        described = (
            "tagged by type: juminhyo, tax, koseki (戸籍), fuhyo (附票), none (印鑑; and the "
            "附票 as v1/v2 kiosks ask for it, like koseki)"
        )
    else:
        shapes.append(_obj(koseki))
    shapes.append(_obj({"type": {"const": "none"}}))
    return _obj(
        {
            "kind": _enum(CertificateKind),
            "jurisdiction": _enum(Jurisdiction),
            "options": {"oneOf": shapes, "description": described},
            "copies": _int(1, wire.MAX_COPIES),
        },
        description="One certificate kind with its options and copies",
    )


def _issuance_request_shape(version: int) -> S:
    return _obj({"request": _ref(_name("CertificateRequest", version))})


def _envelope_shape(version: int) -> S:
    business_day: S = {}
    if version >= 3:
        business_day["business_date"] = {
            **DAY,
            "description": "the center's business day on which the issuance is booked and "
            "settled (its business clock; v3)",
        }
    return _obj(
        {
            "format": {"const": wire.ENVELOPE_FORMAT if version >= 3 else wire.ENVELOPE_FORMAT_V1},
            "issuance_id": _str(wire.messages.ISSUANCE_ID.pattern),
            "kiosk_id": _str(wire.KIOSK_ID.pattern),
            "idempotency_key": _str(wire.IDEMPOTENCY_KEY.pattern),
            "issued_at": TIMESTAMP,
            "pay_before": TIMESTAMP,
            "municipality_code": CODE,
            "municipality_name": _str(max_length=64),
            "request": _ref(_name("CertificateRequest", version)),
            "fee_yen_per_copy": _int(0, 100_000),
            "total_fee_yen": _int(0, 2_000_000),
            "store_fee_per_copy_yen": _int(0, 10_000),
            "copies": {"type": "array", "minItems": 1, "items": _ref("IssuedCopy")},
            **business_day,
        },
        description="Signed: ES256 over the RFC 8785 canonical form of this object",
    )


def _signed_shape(version: int) -> S:
    return _obj(
        {
            "envelope": _ref(_name("Envelope", version)),
            "signature": _obj(
                {
                    "algorithm": {"const": wire.SIGNATURE_ALGORITHM},
                    "key_id": _str(),
                    "value": _str(contentEncoding="base64", description="r || s, 64 bytes"),
                }
            ),
            "signer_certificate": _str(
                contentEncoding="base64", description="DER, issued by the center CA"
            ),
        }
    )


# The messages whose shape changed between protocol versions (docs/center-protocol.md,
# "Versioning"): each named by its own shape function; one refers to another by _name, and
# the references go one way (no cycle).
VERSIONED: dict[str, Callable[[int], S]] = {
    "CompletionReport": _completion_shape,
    "SettlementLine": _line_shape,
    "Settlement": _settlement_shape,
    "OfferedCertificate": _offered_shape,
    "Offer": _offer_shape,
    "CertificateRequest": _request_shape,
    "IssuanceRequest": _issuance_request_shape,
    "Envelope": _envelope_shape,
    "SignedIssuance": _signed_shape,
}


def _name(base: str, version: int) -> str:
    """The schema name of message ``base`` in ``version``: the plain name while it is the
    current version's shape, else suffixed with the last version that had that shape
    (``CompletionReportV1``, ``OfferV2``)."""
    shape = VERSIONED[base]
    mine = shape(version)
    for later in range(version + 1, wire.PROTOCOL_VERSION + 1):
        if shape(later) != mine:
            return f"{base}V{later - 1}"
    return base


def _verification_schemas() -> S:
    """The public verification service's answer and errors (hw_sim/center/verification.py)."""
    from hw_sim.center import verification

    page = _obj({"page_index": _int(0, 49), "signed_code": {**B64, "description": "COSE_Sign1"}})
    return {
        "VerificationAnswer": _obj(
            {
                "format": {"const": "konbini-verification/1"},
                "serial": _str(verification.SERIAL.pattern),
                "issuer": _str(max_length=64),
                "issued_on": DAY,
                "available_until": TIMESTAMP,
                "pages": {"type": "array", "minItems": 1, "maxItems": 50, "items": page},
            },
            description="the signed code of every page, as the back carries it: verify each "
            "with the issuer's public key (python -m printing.verify --online)",
        ),
        "VerificationError": _obj(
            {
                "error": _obj(
                    {
                        "code": {"type": "string", "enum": sorted(verification.MESSAGES_JA)},
                        "reason": {"type": "string", "enum": ["rate_limited", "serial_locked"]},
                        "message": _str(max_length=1024),
                        "message_ja": _str(max_length=2048),
                        "retryable": BOOL,
                        "until": TIMESTAMP,
                    },
                    nullable=("reason", "until"),
                )
            }
        ),
    }


def _verification_path() -> S:
    from hw_sim.center import verification
    from printing.security.vcode import CODE_PATTERN

    def error(description: str) -> S:
        return {"description": description, **_json("VerificationError")}

    return {
        verification.API_PATH: {
            "get": {
                "summary": "The signed facts of a printed certificate, for its serial and the "
                "verification code printed on its front (public: no client certificate)",
                "servers": [
                    {
                        "url": "https://localhost:8444",
                        "description": "the verification listener (endpoints.json "
                        "verification_url): TLS with the center's server certificate, no "
                        "client certificate",
                    }
                ],
                "security": [],
                "parameters": [
                    _path_param("serial", verification.SERIAL.pattern),
                    {
                        "name": "code",
                        "in": "query",
                        "required": True,
                        "description": "16 Crockford base32 characters; case, hyphens and "
                        "spaces are ignored, O/I/L read as 0/1/1",
                        "schema": _str(max_length=64, examples=["K7QM-2XD9-4RTP-H3WC"]),
                    },
                ],
                "responses": {
                    "200": {"description": "found", **_json("VerificationAnswer")},
                    "400": error("serial or code malformed"),
                    "404": error("no such serial and code, or past the retention: the same answer"),
                    "429": {
                        **error("too many queries (rate_limited) or wrong codes (serial_locked)"),
                        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    },
                },
                "x-code-pattern": f"^{CODE_PATTERN.pattern}$",
            }
        }
    }


def _versioned_schemas() -> S:
    """The messages that differ between protocol versions: the current shape under its own
    name, each older shape once, named by the last version that had it."""
    schemas: S = {}
    for version in wire.SUPPORTED_VERSIONS:
        for base, shape in VERSIONED.items():
            schemas.setdefault(_name(base, version), shape(version))
    schemas["SettlementItem"] = _obj(
        {
            "issuance_id": _str(wire.messages.ISSUANCE_ID.pattern),
            "municipality_code": CODE,
            "kind": _enum(CertificateKind),
            "copies": _int(1, wire.MAX_COPIES),
            "fee_yen_per_copy": _int(0, 100_000),
            "issued_at": TIMESTAMP,
            "completion": _ref("CompletionReport"),
        },
        nullable=("completion",),
        description="one issuance of the day (v3); completion null: no report yet",
    )
    schemas["CompletionReceipt"] = _obj(  # the same in every version
        {
            "issuance_id": _str(),
            "outcome": _enum(wire.CompletionOutcome),
            "recorded_at": TIMESTAMP,
        }
    )
    return schemas


def _json(schema: str) -> S:
    return {"content": {"application/json": {"schema": _ref(schema)}}}


def _op(
    summary: str,
    answer: str | None,
    *,
    body: str | None = None,
    session: bool = False,
    idempotency: str | None = None,
    errors: tuple[int, ...] = (),
    params: tuple[S, ...] = (),
) -> S:
    op: S = {"summary": summary, "responses": {}}
    if answer:
        op["responses"]["200"] = {"description": answer, **_json(answer)}
    else:
        op["responses"]["204"] = {"description": "done"}
    # Any call may be refused as not well-formed (400: a bad header, docs: "Errors"), by the
    # kiosk check (403) or the center's state (500, 503); a body may be too large (413), an
    # idempotency key reused with another request is a conflict (409).
    common = {400, 403, 500, 503, *((413,) if body else ()), *((409,) if idempotency else ())}
    for status in sorted({*common, *errors}):
        op["responses"][str(status)] = {"description": "error", **_json("Error")}
    if body:
        op["requestBody"] = {"required": True, **_json(body)}
    parameters = list(params)
    if idempotency:
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": idempotency == "required",
                "schema": _str(wire.IDEMPOTENCY_KEY.pattern),
            }
        )
    if parameters:
        op["parameters"] = parameters
    if session:
        op["security"] = [{"mutualTLS": [], "session": []}]
    return op


def _path_param(name: str, pattern: str) -> S:
    return {"name": name, "in": "path", "required": True, "schema": _str(pattern)}


def _paths(version: int) -> S:
    """The calls of protocol ``version`` (the same calls; v1's differing bodies by name)."""
    v = wire.api_prefix(version)
    paths: S = {
        f"{v}/health": {"get": _op("Center health and maintenance state", "Health")},
        f"{v}/notices": {"get": _op("Maintenance notices", "NoticeList")},
        f"{v}/municipalities": {
            "get": _op("Every municipality of the service", "MunicipalityList")
        },
        f"{v}/auth/challenges": {
            "post": _op(
                "A nonce for the card to sign",
                "Challenge",
                body="ChallengeRequest",
                idempotency="optional",
                errors=(400,),
            )
        },
        f"{v}/auth/sessions": {
            "post": _op(
                "The card's answer; opens the resident's session",
                "SessionGrant",
                body="ChallengeAnswer",
                idempotency="optional",
                errors=(400, 422, 504),
            )
        },
        f"{v}/auth/session": {"delete": _op("End the session now", None, session=True)},
        f"{v}/offer": {
            "get": _op(
                "The municipality's offer, now",
                _name("Offer", version),
                session=True,
                errors=(401, 422, 504),
            )
        },
        f"{v}/issuances": {
            "post": _op(
                "Issue one certificate kind (signed envelope)",
                _name("SignedIssuance", version),
                body=_name("IssuanceRequest", version),
                session=True,
                idempotency="required",
                errors=(400, 401, 409, 422, 504),
            )
        },
        f"{v}/issuances/{{issuance_id}}/completion": {
            "post": _op(
                "Printed, failed (refunded or pending), or cancelled",
                "CompletionReceipt",
                body=_name("CompletionReport", version),
                idempotency="required",
                errors=(400, 404, 409, 422),
                params=(_path_param("issuance_id", wire.messages.ISSUANCE_ID.pattern),),
            )
        },
        f"{v}/settlements/{{day}}": {
            "get": _op(
                "This kiosk's business day",
                _name("Settlement", version),
                errors=(400,),
                params=({"name": "day", "in": "path", "required": True, "schema": DAY},),
            )
        },
        f"{v}/registrations": {
            "post": _op(
                "本籍地 usage registration (利用登録申請)",
                "RegistrationReceipt",
                body="RegistrationApplication",
                session=True,
                idempotency="required",
                errors=(400, 401, 409, 422, 504),
            )
        },
        f"{v}/registrations/{{application_number}}": {
            "get": _op(
                "Registration status",
                "RegistrationStatus",
                errors=(404,),
                params=(
                    _path_param("application_number", wire.messages.APPLICATION_NUMBER.pattern),
                ),
            )
        },
    }
    if version != wire.PROTOCOL_VERSION:
        for item in paths.values():
            for operation in item.values():
                operation["deprecated"] = True  # served until every kiosk speaks the current one
    return paths


@cache
def document() -> S:
    """The OpenAPI document as a JSON value: the current version's calls first, then the
    older versions the center still serves (docs/center-protocol.md, "Versioning")."""
    paths: S = {}
    for version in sorted(wire.SUPPORTED_VERSIONS, reverse=True):
        paths.update(_paths(version))
    paths.update(_verification_path())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Konbini kiosk issuance-center protocol",
            "version": str(wire.PROTOCOL_VERSION),
            "description": (
                "See docs/center-protocol.md: sequence, signatures, idempotency, timeouts, "
                "retries, versioning. Older versions' calls are marked deprecated; they are "
                "served until every kiosk speaks the current version."
            ),
        },
        "servers": [{"url": "https://localhost:8443"}],
        "security": [{"mutualTLS": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "mutualTLS": {
                    "type": "mutualTLS",
                    "description": "kiosk certificate issued by the center CA",
                },
                "session": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "Session <session_token>",
                },
            },
            "schemas": _schemas(),
        },
    }


@cache
def as_yaml() -> str:
    """The document as YAML (block style)."""
    header = "# Generated from hw_sim/center/openapi.py; see docs/center-protocol.md."
    return yaml_text(document(), header)
