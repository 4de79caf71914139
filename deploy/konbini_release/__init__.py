"""Releases side by side for the installed kiosk (docs/deploying.md, "Updates").

- ``/usr/lib/konbini-kiosk/release`` is the bundle the installed package carries (dpkg's);
- ``/opt/konbini-kiosk/releases/<version>`` are releases, hard-linked from it when the package
  is configured (no second copy on disk; dpkg replaces its files by renaming, so an older
  release keeps its own); ``current`` and ``previous`` are symbolic links to two of them;
- ``/var/lib/konbini-kiosk-update`` holds the state (which release is pending, proven, how
  many starts did not reach READY=1) and ``history.log``, one line per switch or rollback.

Two programs use this package, with the system's Python 3 only (they must work whatever state
a release is in): ``konbini-kiosk-update`` (:mod:`.update`, for staff) and the release guard
(:mod:`.guard`) that konbini-kiosk.service runs around every start of the kiosk.
"""
