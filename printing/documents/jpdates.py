"""The Japanese dates of the documents: :mod:`printing.jpdates` (it moved up so that the kiosk's
screens can use it without loading the document engine)."""

from printing.jpdates import (
    EARLIEST_DATE,
    ERAS,
    Era,
    EraDate,
    EraDateError,
    format_dual_date,
    format_era_date,
    format_era_year,
    format_western_date,
    from_era,
    fullwidth_digits,
    parse_era_date,
    to_era_date,
    to_fullwidth,
    to_halfwidth,
)

__all__ = [
    "EARLIEST_DATE",
    "ERAS",
    "Era",
    "EraDate",
    "EraDateError",
    "format_dual_date",
    "format_era_date",
    "format_era_year",
    "format_western_date",
    "from_era",
    "fullwidth_digits",
    "parse_era_date",
    "to_era_date",
    "to_fullwidth",
    "to_halfwidth",
]
