"""The verifier's process keeps freed memory for reuse (printing/verify/heap.py): glibc takes the
settings here, and the command line makes them in its own process only — never on import, so a
program that embeds the verifier keeps its own allocator settings."""

from __future__ import annotations

import subprocess
import sys

SETTINGS_TAKEN = """
import printing.verify
from printing.verify.heap import keep_freed_memory
print(keep_freed_memory())
"""

# mallinfo2's "keepcost": free memory at the top of the heap that malloc_trim could give back.
# A freed 20 MB block stays there with the settings (the trim threshold is 1 GiB) and is given
# back at once without them (glibc's default trim threshold is 128 kB).
KEPT_AFTER_FREE = """
import ctypes, sys
from printing.verify.heap import keep_freed_memory

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = MallInfo2
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = (ctypes.c_size_t,)
libc.free.argtypes = (ctypes.c_void_p,)
if sys.argv[1] == "keep":
    assert keep_freed_memory()
block = libc.malloc(20 << 20)
libc.free(block)
print(libc.mallinfo2().keepcost >= 20 << 20)
"""


def _run(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_glibc_takes_the_settings() -> None:
    assert _run(SETTINGS_TAKEN) == "True"


def test_freed_memory_stays_with_the_process_only_when_asked() -> None:
    assert _run(KEPT_AFTER_FREE, "keep") == "True"
    assert _run(KEPT_AFTER_FREE, "default") == "False"


def test_importing_the_verifier_changes_nothing() -> None:
    """Only the command line (``python -m printing.verify``) calls it."""
    code = KEPT_AFTER_FREE.replace(
        "from printing.verify.heap", "import printing.verify\nfrom printing.verify.heap"
    )
    assert _run(code, "default") == "False"
