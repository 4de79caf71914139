"""``python -m kiosk --profile profiles/<name>.toml`` (see kiosk/app/cli.py)."""

from __future__ import annotations

import sys

from kiosk.app.cli import main

if __name__ == "__main__":
    sys.exit(main())
