"""``python -m printing.documents OUT_DIR``: render every sample certificate to OUT_DIR.

Writes ``<sample>.pdf`` and ``<sample>.txt`` (the canonical text) for each sample of
:func:`printing.documents.samples.every_type`; with ``--png DPI`` also the pages as PNG through
poppler's pdftoppm (as the docs' figures are made: ``--png 100``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from printing.documents import DocumentError, render_document, samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m printing.documents", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--png", type=int, metavar="DPI", help="also write PNG pages")
    parser.add_argument("--only", nargs="*", help="sample names (default: all)")
    args = parser.parse_args(argv)
    docs = samples.every_type()
    names = args.only or list(docs)
    unknown = [n for n in names if n not in docs]
    if unknown:
        parser.error(f"unknown samples: {', '.join(unknown)} (known: {', '.join(docs)})")
    if args.png and shutil.which("pdftoppm") is None:
        parser.error("--png needs pdftoppm (Debian package poppler-utils)")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        try:
            rendered = render_document(docs[name])  # type: ignore[arg-type]
        except DocumentError as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            return 1
        pdf = args.out_dir / f"{name}.pdf"
        pdf.write_bytes(rendered.pdf)
        (args.out_dir / f"{name}.txt").write_text(rendered.canonical_text, encoding="utf-8")
        if args.png:
            subprocess.run(
                ["pdftoppm", "-r", str(args.png), "-png", str(pdf), str(args.out_dir / name)],
                check=True,
                timeout=120,
            )
        print(f"{name}: {rendered.page_count} page(s), {len(rendered.pdf) // 1024} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
