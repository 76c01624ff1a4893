"""Courses from JSONL or CSV (the CSV column mapping is documented in docs/data-formats.md)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from corpus.errors import Problem
from corpus.loaders.base import Loaded, convert, files_in, iter_jsonl, read_text, unsupported
from corpus.types import Course
from corpus.validation import COURSE_FIELDS, course_from_dict

LIST_SEPARATOR = ";"


def load_courses(path: Path) -> Loaded[Course]:
    loaded: Loaded[Course] = Loaded()
    for file in files_in(path, (".jsonl", ".csv")):
        suffix = file.suffix.lower()
        if suffix == ".jsonl":
            loaded.extend(convert(iter_jsonl(file), str(file), course_from_dict))
        elif suffix == ".csv":
            loaded.extend(convert(_iter_csv(file), str(file), course_from_dict))
        else:
            loaded.extend(unsupported(file, ".jsonl or .csv"))
    return loaded


def _iter_csv(path: Path) -> Iterator[tuple[str | None, Any]]:
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""))
    missing = [c for c in ("id", "title", "description") if c not in (reader.fieldnames or [])]
    if missing:
        yield "1", Problem(str(path), "1", None, f"missing CSV columns: {', '.join(missing)}")
        return
    for row in reader:
        line = str(reader.line_num)
        try:
            yield line, _row_to_record(row)
        except ValueError as exc:
            yield line, Problem(str(path), line, exc.args[1], exc.args[0])


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split(LIST_SEPARATOR) if part.strip()]


def _row_to_record(row: dict[str, str | None]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for column, cell in row.items():
        if column is None or column not in COURSE_FIELDS:
            raise ValueError(f"unexpected column (known: {', '.join(COURSE_FIELDS)})", column)
        value = (cell or "").strip()
        if column in ("prerequisites", "tags"):
            record[column] = _split(value)
        elif column == "competencies":
            record[column] = [_competency_cell(part) for part in _split(value)]
        elif column == "modules":
            record[column] = [_module_cell(part) for part in _split(value)]
        elif value:
            record[column] = value
    return record


def _competency_cell(part: str) -> dict[str, str]:
    pieces = [p.strip() for p in part.split(">")]
    if len(pieces) != 4:
        raise ValueError(f"expected 'Type > Theme > Sub-theme > Level', got {part!r}", "competencies")
    kind, theme, sub_theme, level = pieces
    return {"type": kind, "theme": theme, "sub_theme": sub_theme, "level": level}


def _module_cell(part: str) -> dict[str, str]:
    title, _, summary = part.partition("::")
    return {"title": title.strip(), "summary": summary.strip()}
