"""``python -m printing.security chart OUT.pdf``: the per-printer calibration chart.

Print it on the kiosk's printer (driver enhancements off), choose the pantograph patch whose
複写 is invisible on the print and shows on a copy, and the latent-ink patch whose disc cannot
be told from its ring by eye but shows under an IR camera; put the values in the kiosk's
``PrintCalibration``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .chart import calibration_chart


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m printing.security")
    commands = parser.add_subparsers(dest="command", required=True)
    chart = commands.add_parser("chart", help="write the print calibration chart (PDF)")
    chart.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.command == "chart":
        args.out.write_bytes(calibration_chart())
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
