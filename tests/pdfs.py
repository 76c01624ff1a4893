"""Writes small real PDFs (Helvetica, one page a string) so the PDF loader is tested on genuine files.

The layout is done by ``bench.pdfwriter``: a short string stays one text line on its page; a longer one is wrapped
into several lines, paragraphs separated by blank lines and ``- ``/``1. `` list items laid out as lists.
"""

from __future__ import annotations

from pathlib import Path

from bench.pdfwriter import write_pdf as _write_pdf


def write_pdf(path: Path, pages: list[str]) -> None:
    _write_pdf(path, pages)
