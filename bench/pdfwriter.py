"""A small dependency-free PDF writer that lays out real multi-line pages (Helvetica 11pt, leading 14).

Each page is given as plain text: paragraphs separated by blank lines, list items starting with ``- `` or ``1. ``
(a line that does not start a new item continues the item or paragraph above it). Paragraphs are wrapped into lines
of at most ``width_chars`` characters; list items wrap with a hanging indent under the item text. One page string
gives exactly one PDF page, so page numbers in the source stay the page numbers of the PDF; a page that does not fit
is an error rather than silently flowing onto another page.

Only characters of the WinAnsi encoding can be written (the standard Helvetica font has no Devanagari); curly quotes,
dashes and the non-breaking space are turned into their ASCII forms so that extracted text is plain ASCII.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

PAGE_WIDTH = 612  # US Letter, points
PAGE_HEIGHT = 792
MARGIN_LEFT = 56
MARGIN_TOP = 56
MARGIN_BOTTOM = 56
FONT_SIZE = 11
LEADING = 14
INDENT_PER_CHAR = 5.5  # points of hanging indent per character of a list marker (about one Helvetica 11pt glyph)

_ASCII_FORMS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u20b9": "Rs.",
}
_MARKER = re.compile(r"^(- |\d{1,3}[.)] )")


@dataclass(frozen=True)
class Line:
    """One laid-out text line: its text and its left indent in points from the margin."""

    text: str
    indent: float = 0.0


def ascii_safe(text: str) -> str:
    """Replace typographic characters by ASCII and reject what WinAnsi Helvetica cannot show."""
    out = "".join(_ASCII_FORMS.get(ch, ch) for ch in text)
    for ch in out:
        try:
            ch.encode("cp1252")
        except UnicodeEncodeError:
            raise ValueError(f"character {ch!r} (U+{ord(ch):04X}) cannot be written with Helvetica/WinAnsi") from None
    return out


def _blocks(page: str) -> list[list[str]]:
    """Split a page into blocks (separated by blank lines), each a list of items (paragraph or list items)."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for raw in page.splitlines():
        line = raw.strip()
        if not line:
            if current:
                blocks.append(current)
                current = []
            continue
        if not current or _MARKER.match(line):
            current.append(line)
        else:
            current[-1] = f"{current[-1]} {line}"
    if current:
        blocks.append(current)
    return blocks


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False) or [""]


def layout_page(page: str, width_chars: int = 90) -> list[Line | None]:
    """The lines of one page; ``None`` marks the blank line between paragraphs."""
    lines: list[Line | None] = []
    for block in _blocks(ascii_safe(page)):
        if lines:
            lines.append(None)
        for item in block:
            marker = _MARKER.match(item)
            if marker is None:
                lines.extend(Line(text) for text in _wrap(item, width_chars))
                continue
            head, rest = marker.group(1), item[marker.end() :].strip()
            wrapped = _wrap(rest, width_chars - len(head))
            lines.append(Line(head + wrapped[0]))
            lines.extend(Line(text, len(head) * INDENT_PER_CHAR) for text in wrapped[1:])
    return lines


def _escape(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("cp1252")


def _content_stream(lines: list[Line | None]) -> bytes:
    parts = [b"BT", b"/F1 %d Tf" % FONT_SIZE, b"%d TL" % LEADING, b"%d %d Td" % (MARGIN_LEFT, PAGE_HEIGHT - MARGIN_TOP)]
    indent = 0.0
    first = True
    for line in lines:
        if line is None:
            parts.append(b"T*")
            continue
        if not first:
            if line.indent != indent:
                parts.append(f"{line.indent - indent:g} -{LEADING} Td".encode())
                indent = line.indent
            else:
                parts.append(b"T*")
        elif line.indent:
            parts.append(f"{line.indent:g} 0 Td".encode())
            indent = line.indent
        first = False
        parts.append(b"(" + _escape(line.text) + b") Tj")
    parts.append(b"ET")
    return b"\n".join(parts)


def lines_per_page() -> int:
    return (PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM) // LEADING + 1


def write_pdf(path: Path, pages: list[str], *, width_chars: int = 90) -> None:
    """Write ``pages`` (one string a page) as a PDF at ``path`` with wrapped paragraphs and list items."""
    if not pages:
        raise ValueError("a PDF needs at least one page")
    streams = []
    for number, page in enumerate(pages, start=1):
        lines = layout_page(page, width_chars)
        if len(lines) > lines_per_page():
            raise ValueError(f"page {number} needs {len(lines)} lines but only {lines_per_page()} fit")
        streams.append(_content_stream(lines))

    objects: list[bytes] = []
    font_id = 3 + 2 * len(pages)
    page_ids = [3 + 2 * i for i in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    for pid, stream in zip(page_ids, streams, strict=True):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] /Contents {pid + 1} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")

    path.write_bytes(assemble(objects, header=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"))


def assemble(objects: list[bytes], *, header: bytes = b"%PDF-1.4\n") -> bytes:
    """A PDF file of these object bodies (object 1 the catalog), with its cross-reference table and trailer."""
    out = bytearray(header)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
