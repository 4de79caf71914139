"""``python -m cardio``: see :mod:`cardio.cli`."""

import sys

from cardio.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
