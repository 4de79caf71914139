"""``python -m hw_sim.center``: run the simulated center and steer it (faults, clock, kiosks).

    python -m hw_sim.center serve --state-dir var/center --pki-dir var/pki --port 8443
    python -m hw_sim.center kiosk add kiosk-0002 --state-dir var/center
    python -m hw_sim.center kiosk add cityhall-01 --payment counter --state-dir var/center
    python -m hw_sim.center fault add slow --path /v3/offer --delay 3 --state-dir var/center
    python -m hw_sim.center maintenance set 131202 --minutes 30 --state-dir var/center
    python -m hw_sim.center status --state-dir var/center

Everything but ``serve`` talks to the running center's loopback admin endpoint, found through
``<state-dir>/endpoints.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import urllib.request
from pathlib import Path
from typing import Any

from hw_sim.center.server import DEFAULT_KIOSKS, ENDPOINTS_FILE, ServerConfig, serve_forever

ADMIN_TIMEOUT_S = 10.0


def _admin(state_dir: Path, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    endpoints_path = state_dir / ENDPOINTS_FILE
    if not endpoints_path.exists():
        raise SystemExit(f"no running center found ({endpoints_path} is missing)")
    admin_url = json.loads(endpoints_path.read_text())["admin_url"]
    data = json.dumps(body).encode() if body is not None else None
    if not admin_url.startswith("http://127.0.0.1:"):
        raise SystemExit(f"refusing a non-loopback admin URL: {admin_url}")
    request = urllib.request.Request(  # noqa: S310 - loopback http URL checked above
        admin_url + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=ADMIN_TIMEOUT_S) as answer:  # noqa: S310 - loopback URL from our own file
            return json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"admin: {exc.code} {exc.read().decode(errors='replace')}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hw_sim.center",
        description="Run the simulated issuance center and steer it (faults, clock, kiosks).",
    )
    parser.add_argument("--state-dir", type=Path, default=Path("var/center"))
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser(
        "serve", help="run the center, the OCSP responder and the admin endpoint"
    )
    serve.add_argument(
        "--pki-dir", type=Path, default=Path("var/pki"), help="the JPKI-TEST PKI of the cards"
    )
    serve.add_argument("--world-dir", type=Path, default=None, help="default: <state-dir>/world")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8443)
    serve.add_argument("--ocsp-port", type=int, default=0)
    serve.add_argument("--admin-port", type=int, default=0)
    serve.add_argument(
        "--verification-port",
        type=int,
        default=0,
        help="the public verification service (HTTPS, no client certificate; 0 = any)",
    )
    serve.add_argument(
        "--retention-months",
        type=int,
        default=ServerConfig.verification_retention_months,
        help="how long the verification service answers for a certificate (default 3)",
    )
    serve.add_argument("--workers", type=int, default=2, help="render processes")
    serve.add_argument(
        "--kiosk",
        action="append",
        default=None,
        metavar="ID[=MODES]",
        help="kiosk to register (repeatable); MODES: where it takes fees, kiosk and/or counter "
        "(default kiosk)",
    )
    serve.add_argument(
        "--world-factory", default=ServerConfig.world_factory, help=argparse.SUPPRESS
    )
    serve.add_argument(
        "--page-maker", default=ServerConfig.page_maker_factory, help=argparse.SUPPRESS
    )
    serve.add_argument("-v", "--verbose", action="store_true")

    kiosk = sub.add_parser("kiosk", help="kiosk certificates")
    kiosk_sub = kiosk.add_subparsers(dest="action", required=True)
    add = kiosk_sub.add_parser("add", help="issue (if needed) and register a kiosk certificate")
    add.add_argument("kiosk_id")
    add.add_argument("--no-register", action="store_true", help="issue only (an unknown kiosk)")
    add.add_argument(
        "--payment",
        help="where it takes fees: kiosk, counter or kiosk,counter (default: as registered, "
        "else kiosk)",
    )
    revoke = kiosk_sub.add_parser("revoke", help="refuse a kiosk certificate from now on")
    revoke.add_argument("kiosk_id")

    fault = sub.add_parser("fault", help="faults on demand")
    fault_sub = fault.add_subparsers(dest="action", required=True)
    fadd = fault_sub.add_parser("add", help="add a fault rule")
    fadd.add_argument("kind", choices=("slow", "drop", "error", "malformed"))
    fadd.add_argument("--path", default="/v", help="path prefix the rule matches (/v: any)")
    fadd.add_argument("--method", default=None)
    fadd.add_argument("--count", type=int, default=1, help="requests affected (0: until cleared)")
    fadd.add_argument("--delay", type=float, default=0.0, help="slow: seconds")
    fadd.add_argument("--when", default="before", choices=("before", "after"), help="drop")
    fadd.add_argument("--status", type=int, default=503, help="error: HTTP status")
    fadd.add_argument("--variant", default="", help="error: html; malformed: see faults.py")
    fault_sub.add_parser("clear", help="remove every fault rule and municipality delay")
    delay = fault_sub.add_parser("municipality-delay", help="delay a municipality's answers")
    delay.add_argument("code")
    delay.add_argument("seconds", type=float)

    maintenance = sub.add_parser("maintenance", help="municipality maintenance windows")
    msub = maintenance.add_subparsers(dest="action", required=True)
    mset = msub.add_parser("set")
    mset.add_argument("code")
    mset.add_argument(
        "--start", default=None, help="ISO timestamp (default: now on the business clock)"
    )
    mset.add_argument("--minutes", type=float, default=60)
    mclear = msub.add_parser("clear")
    mclear.add_argument("code")

    center = sub.add_parser("center-maintenance", help="close or reopen the whole center")
    center.add_argument("state", choices=("on", "off"))
    center.add_argument("--minutes", type=float, default=30)

    clock = sub.add_parser("clock", help="set the business clock (municipality hours, closures)")
    clock.add_argument("now", help="ISO timestamp with offset, or 'system'")

    revoke_cert = sub.add_parser("revoke-cert", help="revoke a JPKI-TEST auth certificate (OCSP)")
    revoke_cert.add_argument("persona")

    sub.add_parser("status", help="faults, clock, kiosks")
    sub.add_parser("openapi", help="print the OpenAPI description (YAML)")

    args = parser.parse_args(argv)
    state_dir: Path = args.state_dir
    if args.command == "serve":
        logging.basicConfig(
            level=logging.DEBUG if args.verbose else logging.INFO,
            format="%(asctime)s %(name)s %(levelname)s %(message)s",
        )
        serve_forever(
            ServerConfig(
                state_dir=state_dir,
                pki_dir=args.pki_dir,
                world_dir=args.world_dir,
                host=args.host,
                port=args.port,
                ocsp_port=args.ocsp_port,
                admin_port=args.admin_port,
                verification_port=args.verification_port,
                verification_retention_months=args.retention_months,
                render_workers=args.workers,
                kiosks=tuple(args.kiosk) if args.kiosk else DEFAULT_KIOSKS,
                world_factory=args.world_factory,
                page_maker_factory=args.page_maker,
            )
        )
        return 0
    if args.command == "openapi":
        from hw_sim.center.openapi import as_yaml

        sys.stdout.write(as_yaml())
        return 0
    result: Any
    if args.command == "kiosk" and args.action == "add":
        result = _admin(
            state_dir,
            "POST",
            "/admin/kiosks",
            {
                "kiosk_id": args.kiosk_id,
                "register": not args.no_register,
                "payment": args.payment.split(",") if args.payment else None,
            },
        )
    elif args.command == "kiosk":
        result = _admin(state_dir, "POST", f"/admin/kiosks/{args.kiosk_id}/revoke")
    elif args.command == "fault" and args.action == "add":
        rule: dict[str, Any] = {
            "kind": args.kind,
            "path_prefix": args.path,
            "method": args.method,
            "count": args.count or None,
            "when": args.when,
            "status": args.status,
            "variant": args.variant,
        }
        if args.kind == "slow":
            rule["delay_s"] = args.delay
        result = _admin(state_dir, "POST", "/admin/faults", rule)
    elif args.command == "fault" and args.action == "clear":
        result = _admin(state_dir, "DELETE", "/admin/faults")
    elif args.command == "fault":
        result = _admin(
            state_dir,
            "POST",
            "/admin/municipality-delay",
            {"municipality_code": args.code, "delay_s": args.seconds},
        )
    elif args.command == "maintenance" and args.action == "set":
        body: dict[str, Any] = {"municipality_code": args.code, "minutes": args.minutes}
        if args.start:
            body["start"] = args.start
        result = _admin(state_dir, "POST", "/admin/maintenance", body)
    elif args.command == "maintenance":
        result = _admin(state_dir, "DELETE", f"/admin/maintenance/{args.code}")
    elif args.command == "center-maintenance":
        if args.state == "on":
            result = _admin(
                state_dir, "POST", "/admin/center-maintenance", {"minutes": args.minutes}
            )
        else:
            result = _admin(state_dir, "DELETE", "/admin/center-maintenance")
    elif args.command == "clock":
        result = _admin(
            state_dir, "POST", "/admin/clock", {"now": None if args.now == "system" else args.now}
        )
    elif args.command == "revoke-cert":
        result = _admin(state_dir, "POST", "/admin/revocations", {"persona": args.persona})
    else:
        result = _admin(state_dir, "GET", "/admin/status")
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
