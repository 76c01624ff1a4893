"""Shared loader plumbing: results with problems, JSONL/YAML readers that report file and line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml

from corpus.errors import Problem, ValidationError
from corpus.loaders.safe_yaml import load_yaml
from corpus.sanitize import strip_hidden

T = TypeVar("T")


@dataclass
class Loaded(Generic[T]):
    """What a loader produced: the valid records and the problems of the invalid ones."""

    items: list[T] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    origins: list[tuple[str, str | None]] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)
    """Hidden content removed from records that were otherwise valid (reported, not fatal)."""
    """(file, location) of each item, parallel to ``items``, for problems found after loading."""

    def extend(self, other: Loaded[T]) -> None:
        self.items.extend(other.items)
        self.problems.extend(other.problems)
        self.origins.extend(other.origins)
        self.notices.extend(other.notices)


def convert(
    records: Iterator[tuple[str | None, Any]], source: str, build: Callable[[Any, str, str | None], T]
) -> Loaded[T]:
    """Apply ``build`` to each (location, raw record), sorting successes from problems."""
    loaded: Loaded[T] = Loaded()
    for location, raw in records:
        if isinstance(raw, Problem):
            loaded.problems.append(raw)
            continue
        raw, removed = sanitize_record(raw)
        for field_name, what in removed:
            loaded.notices.append(Problem(source, location, field_name, f"removed hidden content: {what}"))
        try:
            loaded.items.append(build(raw, source, location))
            loaded.origins.append((source, location))
        except ValidationError as exc:
            loaded.problems.extend(exc.problems)
    return loaded


def sanitize_record(raw: Any, path: str = "") -> tuple[Any, list[tuple[str, str]]]:
    """Strip hidden content from every string in a record; returns the clean record and (field, what) notes."""
    if isinstance(raw, str):
        clean = strip_hidden(raw)
        return clean.text, [(path, ", ".join(clean.removed))] if clean.removed else []
    notes: list[tuple[str, str]] = []
    if isinstance(raw, dict):
        result: dict[Any, Any] = {}
        for key, value in raw.items():
            result[key], found = sanitize_record(value, f"{path}.{key}" if path else str(key))
            notes += found
        return result, notes
    if isinstance(raw, list):
        items = []
        for position, value in enumerate(raw, start=1):
            item, found = sanitize_record(value, f"{path}[{position}]")
            items.append(item)
            notes += found
        return items, notes
    return raw, []


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError([Problem(str(path), None, None, f"not UTF-8 text ({exc.reason})")]) from exc
    except OSError as exc:
        raise ValidationError([Problem(str(path), None, None, f"cannot read: {exc.strerror}")]) from exc


def iter_jsonl(path: Path) -> Iterator[tuple[str | None, Any]]:
    """Yield (line number, object) for each non-blank line; a bad line yields a Problem in its place."""
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield str(number), json.loads(line)
        except json.JSONDecodeError as exc:
            yield str(number), Problem(str(path), str(number), None, f"invalid JSON: {exc.msg} (column {exc.colno})")


def iter_structured_list(path: Path) -> Iterator[tuple[str | None, Any]]:
    """Yield ("record N", object) from a YAML or JSON file holding a list of records."""
    text = read_text(path)
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else load_yaml(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = str(mark.line + 1) if mark is not None else getattr(exc, "lineno", None)
        yield None, Problem(str(path), str(line) if line else None, None, f"cannot parse: {exc}")
        return
    if not isinstance(data, list):
        yield None, Problem(str(path), None, None, f"expected a list of records, got {type(data).__name__}")
        return
    for number, record in enumerate(data, start=1):
        yield f"record {number}", record


def files_in(path: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """``path`` itself, or the files with one of ``suffixes`` directly inside it, sorted by name."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in suffixes)
    return [path]


def unsupported(path: Path, expected: str) -> Loaded[Any]:
    return Loaded(problems=[Problem(str(path), None, None, f"unsupported file type; expected {expected}")])
