"""The private pcscd's log writer: a bounded, owner-only file, with PIN-bearing APDUs masked.

pcscd (``-f``) writes its log to standard output; with ``-a`` that includes every command and
response APDU. Those carry PINs and 照合番号B (VERIFY data) and, in the card's answers, names
and addresses of the test personas. So the private pcscd's output goes through this filter:

- the file is created mode 0600 (and set to 0600 if it already exists);
- the command data of VERIFY (INS 20), CHANGE REFERENCE DATA (INS 24) and RESET RETRY COUNTER
  (INS 2C) is replaced by ``**`` per byte (ISO/IEC 7816-4 §11.5.6, §11.5.7, §11.5.10): the
  header stays, so the traffic can still be read;
- at ``max_bytes`` the file is rotated once (``<file>.1``, also 0600): the log never holds more
  than twice that.

It runs as a script (``python apdulog.py LOGFILE --max-bytes N``, stdlib only) so the pcscd
pipeline needs nothing but an interpreter. APDU logging itself is opt-in
(``PrivatePcscd(log_apdus=True)``, ``python -m hw_sim.stack start --log-apdus``).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

DEFAULT_MAX_BYTES = 4 * 1024 * 1024  # two files of 4 MiB: hours of APDU traffic
# INS bytes whose command data is a secret (ISO/IEC 7816-4 §11.5: VERIFY, CHANGE REFERENCE
# DATA, RESET RETRY COUNTER).
SECRET_INS = frozenset({0x20, 0x24, 0x2C})
# pcscd -a prints a command as "APDU: 00 20 00 80 04 31 32 33 34" (hex bytes, spaces).
_APDU = re.compile(rb"(APDU: )((?:[0-9A-Fa-f]{2} ?)+)")


def mask_line(line: bytes) -> bytes:
    """``line`` with the data of a secret-bearing command APDU replaced by ``**`` per byte."""
    match = _APDU.search(line)
    if match is None:
        return line
    octets = match.group(2).split()
    if len(octets) <= 5 or int(octets[1], 16) not in SECRET_INS:
        return line
    masked = b" ".join([*octets[:5], *([b"**"] * (len(octets) - 5))])
    gap = b" " if match.group(2).endswith(b" ") else b""
    return line[: match.start(2)] + masked + gap + line[match.end(2) :]


def _open_private(path: Path) -> BinaryIO:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "ab", buffering=0)


def copy_bounded(lines: Iterable[bytes], path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Write ``lines`` to ``path`` (masked, 0600), rotating to ``path.1`` at ``max_bytes``."""
    out = _open_private(path)
    try:
        size = out.tell()
        for line in lines:
            data = mask_line(line)
            if size + len(data) > max_bytes and size > 0:
                out.close()
                os.replace(path, path.with_name(path.name + ".1"))
                out = _open_private(path)
                size = 0
            out.write(data)
            size += len(data)
    finally:
        out.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logfile", type=Path)
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES)
    args = parser.parse_args(argv)
    copy_bounded(iter(sys.stdin.buffer.readline, b""), args.logfile, max(args.max_bytes, 1024))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
