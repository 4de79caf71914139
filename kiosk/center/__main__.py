"""``python -m kiosk.center`` (see kiosk/center/cli.py)."""

import sys

from kiosk.center.cli import main

sys.exit(main())
