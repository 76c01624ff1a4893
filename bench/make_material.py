"""Regenerate the PDF case studies of bench/material/ from their page texts in bench/material/src/*.txt.

Each source file holds the pages of one PDF, separated by a line that contains only a form feed (``\\f``; the two
characters backslash-f are accepted too). The PDF gets the same basename and lands in bench/material/, next to its
YAML metadata file (``gyanpath ingest --case-studies X.pdf --meta X.yaml``). After writing, the text is read back
with pypdf and compared with the source (whitespace collapsed), so a layout change that loses words is caught.

    python -m bench.make_material            # all sources
    python -m bench.make_material NAME ...   # only these basenames
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from bench.pdfwriter import ascii_safe, write_pdf

MATERIAL = Path(__file__).resolve().parent / "material"
SOURCES = MATERIAL / "src"
PAGE_BREAKS = ("\f", "\\f")


def read_pages(path: Path) -> list[str]:
    """The page texts of a source file (pages separated by a line holding only a form feed)."""
    pages: list[list[str]] = [[]]
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.rstrip("\r") in PAGE_BREAKS:
            pages.append([])
        else:
            pages[-1].append(line)
    texts = ["\n".join(lines).strip() for lines in pages]
    return [text for text in texts if text]


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def check_pdf(pdf: Path, pages: list[str]) -> list[str]:
    """Problems found when reading ``pdf`` back with pypdf: page count or page text that differs from the source."""
    from pypdf import PdfReader

    extracted = [page.extract_text() or "" for page in PdfReader(str(pdf)).pages]
    if len(extracted) != len(pages):
        return [f"{pdf.name}: {len(extracted)} pages read back, {len(pages)} written"]
    problems = []
    for number, (got, want) in enumerate(zip(extracted, pages, strict=True), start=1):
        if _collapse(got) != _collapse(ascii_safe(want)):
            problems.append(f"{pdf.name}: page {number} does not read back as written")
    return problems


def make(names: list[str] | None = None) -> list[Path]:
    sources = sorted(SOURCES.glob("*.txt"))
    if names:
        sources = [s for s in sources if s.stem in names]
    written = []
    for source in sources:
        pages = read_pages(source)
        pdf = MATERIAL / f"{source.stem}.pdf"
        write_pdf(pdf, pages)
        problems = check_pdf(pdf, pages)
        if problems:
            raise SystemExit("\n".join(problems))
        meta = pdf.with_suffix(".yaml")
        note = "" if meta.exists() else f"  (no metadata: {meta.name} is missing)"
        words = sum(len(page.split()) for page in pages)
        print(f"{pdf.relative_to(MATERIAL.parent.parent)}: {len(pages)} pages, {words} words{note}")
        written.append(pdf)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="basenames of sources in bench/material/src (default: all)")
    args = parser.parse_args(argv)
    if not make(args.names or None):
        raise SystemExit(f"no sources found in {SOURCES}")


if __name__ == "__main__":
    main()
