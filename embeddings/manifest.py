"""A snapshot's manifest (``manifest.json``), parsed as untrusted input.

The manifest is read from disk, where anything may have happened to it, so every field is checked before anything
uses it: bad bytes, the wrong JSON type, a negative size, or a file name that leaves the snapshot directory is a
:class:`SnapshotCorruptError` naming the file and the field, never an ``AttributeError`` deep in a reader.
"""

from __future__ import annotations

import json
import re
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeGuard

from embeddings.errors import SnapshotCorruptError

FORMAT_VERSION = 1
INDEX_FILE = "index.faiss"
MANIFEST_FILE = "manifest.json"
MAX_MANIFEST_BYTES = 1 << 20
"""A real manifest is under 1 KB; anything this large is damage, and is not read into memory."""
VERSION_NAME = re.compile(r"v[0-9]{6,}")
"""Snapshot directories are named v000001, v000002, ...: never a path."""
FILE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")
"""A file inside the snapshot directory: no separator, no '..', no hidden or empty name."""
SHA256_HEX = re.compile(r"[0-9a-f]{64}")

_STRINGS = ("version", "model_id", "corpus_hash", "created_at", "index_kind")
_COUNTS = {"dimension": 1, "vector_count": 0, "format_version": 0}
"""Integer fields and their least valid value."""


@dataclass(frozen=True)
class Manifest:
    version: str
    model_id: str
    dimension: int
    vector_count: int
    corpus_hash: str
    created_at: str
    index_kind: str
    libraries: dict[str, str]
    files: dict[str, dict[str, Any]]
    format_version: int = FORMAT_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, raw: bytes, *, source: Path) -> Manifest:
        """Parse and check ``raw`` (the bytes of ``source``); any problem is a SnapshotCorruptError naming it."""
        if len(raw) > MAX_MANIFEST_BYTES:
            raise SnapshotCorruptError(f"{source} is larger than {MAX_MANIFEST_BYTES} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SnapshotCorruptError(
                f"{source} is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
            ) from exc
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise SnapshotCorruptError(f"{source} is not valid JSON: {exc}") from exc
        problem = manifest_problem(data)
        if problem is not None:
            raise SnapshotCorruptError(f"{source}: {problem}")
        return cls(**data)


def manifest_problem(data: Any) -> str | None:
    """What is wrong with a parsed manifest, or None when every field has the type and range a reader relies on."""
    if not isinstance(data, dict):
        return f"expected a JSON object, got {_json_type(data)}"
    known = {f.name: f for f in fields(Manifest)}
    required = [name for name, f in known.items() if f.default is MISSING and f.default_factory is MISSING]
    if missing := [name for name in required if name not in data]:
        return f"missing field(s): {', '.join(missing)}"
    if unknown := sorted(set(data) - set(known)):
        return f"unknown field(s): {', '.join(repr(name[:40]) for name in unknown[:5])}"
    for name in _STRINGS:
        if not isinstance(data[name], str):
            return f"{name!r} must be a string, got {_json_type(data[name])}"
    if not VERSION_NAME.fullmatch(data["version"]):
        return f"'version' must be a name like v000001, got {data['version']!r}"
    for name, least in _COUNTS.items():
        value = data.get(name, least)
        if not _is_int(value):
            return f"{name!r} must be an integer, got {_json_type(value)}"
        if value < least:
            return f"{name!r} must be at least {least}, got {value}"
    libraries = data["libraries"]
    if not isinstance(libraries, dict) or not all(isinstance(v, str) for v in libraries.values()):
        return f"'libraries' must be an object of version strings, got {_json_type(libraries)}"
    if not isinstance(data.get("extra", {}), dict):
        return f"'extra' must be an object, got {_json_type(data['extra'])}"
    return _files_problem(data["files"])


def _files_problem(files: Any) -> str | None:
    if not isinstance(files, dict):
        return f"'files' must be an object, got {_json_type(files)}"
    if INDEX_FILE not in files:
        return f"'files' does not list {INDEX_FILE}"
    for name, entry in files.items():
        if not FILE_NAME.fullmatch(name):
            return f"'files' names {name!r}, which is not a file name inside the snapshot directory"
        if not isinstance(entry, dict):
            return f"'files'[{name!r}] must be an object, got {_json_type(entry)}"
        size, digest = entry.get("bytes"), entry.get("sha256")
        if not _is_int(size) or size < 0:
            return f"'files'[{name!r}]: 'bytes' must be an integer >= 0, got {json.dumps(size)}"
        if not isinstance(digest, str) or not SHA256_HEX.fullmatch(digest):
            return f"'files'[{name!r}]: 'sha256' must be 64 hex digits, got {json.dumps(digest)[:80]}"
    return None


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "an integer"}
    return "null" if value is None else names.get(type(value), "a number")
