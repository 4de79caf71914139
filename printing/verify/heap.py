"""Keep the memory the verifier frees for its next arrays instead of giving it back to the kernel.

A page is verified with a few dozen page-sized arrays (an A4 scan at 300 dpi is 8.7 Mpx: 35 MB
as float32). With glibc's defaults each of them is a fresh mapping (blocks over the dynamic mmap
threshold) or heap that was trimmed on free, and the kernel zero-fills it again on first touch:
on the recorded seed-1 office scans a fifth of a page's CPU time was the kernel's, and the page
CPU p95 fell from 1.79 to 1.17 s with these settings (benchmarks/security_robustness.py
--page-cpu, docs/security-printing.md "Speed").

It is a process-wide setting, so the library never makes it on import: the entry points that
are the verifier's own process call ``keep_freed_memory()`` (``python -m printing.verify``, the
robustness benchmark). The cost is memory held at the process's peak (reported by the benchmark
as ``max_rss_mb``) until it exits.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

# mallopt(3) parameters, glibc's <malloc.h>.
M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3
# The largest mmap threshold glibc accepts on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX: 4 MiB × 8):
# smaller blocks come from the heap and are reused; a whole float32 page is still mapped.
MMAP_THRESHOLD_MAX = 32 << 20
TRIM_THRESHOLD = 1 << 30  # free heap at the top is kept up to 1 GiB …
TOP_PAD = 256 << 20  # … and the heap grows 256 MiB at a time, not one block at a time


def keep_freed_memory() -> bool:
    """Tell glibc's malloc to keep freed memory for reuse; False where it cannot (another C
    library): the verifier works the same, only slower."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    settings = (
        (M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX),
        (M_TRIM_THRESHOLD, TRIM_THRESHOLD),
        (M_TOP_PAD, TOP_PAD),
    )
    done = all(mallopt(parameter, value) == 1 for parameter, value in settings)
    if not done:
        log.debug("mallopt refused a setting: freed memory goes back to the kernel")
    return done


__all__ = ["keep_freed_memory"]
