"""``python -m kiosk.journal``: the staff's report (kiosk/journal/report.py)."""

from kiosk.journal.report import main

raise SystemExit(main())
