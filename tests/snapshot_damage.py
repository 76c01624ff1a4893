"""Ways to damage a published index snapshot on disk (issue 13, finding 7), shared by the snapshot, service and
CLI tests: each names what the resulting error (and the service's logged warning) must say.

Already handled before, and kept here so every level is checked against them too: a truncated, altered or
missing index file, a manifest that is not JSON, a version without its manifest.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embeddings.snapshot import INDEX_FILE, MANIFEST_FILE, POINTER_FILE

Edit = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Damage:
    name: str
    apply: Callable[[Path, str], None]
    """Called with the snapshot root and the published version."""
    message: str
    """A regular expression the error must match: the file and the problem."""


def _pointer(content: bytes) -> Callable[[Path, str], None]:
    def apply(root: Path, version: str) -> None:
        (root / POINTER_FILE).write_bytes(content)

    return apply


def _pointer_directory(root: Path, version: str) -> None:
    (root / POINTER_FILE).unlink()
    (root / POINTER_FILE).mkdir()


def _manifest_bytes(content: bytes) -> Callable[[Path, str], None]:
    def apply(root: Path, version: str) -> None:
        (root / version / MANIFEST_FILE).write_bytes(content)

    return apply


def _manifest_edit(edit: Edit) -> Callable[[Path, str], None]:
    def apply(root: Path, version: str) -> None:
        path = root / version / MANIFEST_FILE
        data = json.loads(path.read_text(encoding="utf-8"))
        edit(data)
        path.write_text(json.dumps(data), encoding="utf-8")

    return apply


def _manifest_not_utf8(root: Path, version: str) -> None:
    path = root / version / MANIFEST_FILE
    path.write_bytes(path.read_bytes().replace(b'"model_id": "', b'"model_id": "\xff', 1))


def _set(key: str, value: Any) -> Edit:
    return lambda data: data.__setitem__(key, value)


def _drop(key: str) -> Edit:
    return lambda data: data.pop(key)


def _index_entry(key: str, value: Any) -> Edit:
    return lambda data: data["files"][INDEX_FILE].__setitem__(key, value)


def _extra_file(name: str) -> Edit:
    return lambda data: data["files"].__setitem__(name, dict(data["files"][INDEX_FILE]))


def _truncate_index(root: Path, version: str) -> None:
    path = root / version / INDEX_FILE
    path.write_bytes(path.read_bytes()[:100])


def _flip_index(root: Path, version: str) -> None:
    path = root / version / INDEX_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _delete(name: str) -> Callable[[Path, str], None]:
    return lambda root, version: (root / version / name).unlink()


def _delete_version(root: Path, version: str) -> None:
    shutil.rmtree(root / version)


UNREADABLE_POINTERS = [
    Damage("pointer-not-utf8", _pointer(b"\xff\xfev000001\n"), rf"{POINTER_FILE} is not valid UTF-8"),
    Damage("pointer-empty", _pointer(b""), rf"{POINTER_FILE} is empty"),
    Damage("pointer-not-a-version", _pointer(b"latest\n"), rf"{POINTER_FILE} holds 'latest'.* not a snapshot version"),
    Damage("pointer-traversal", _pointer(b"../../etc\n"), rf"{POINTER_FILE} holds '../../etc'.* not a snapshot"),
    Damage("pointer-absolute", _pointer(b"/etc\n"), rf"{POINTER_FILE} holds '/etc'.* not a snapshot version"),
    Damage("pointer-markup", _pointer(b"[/x] [bold]\n"), rf"{POINTER_FILE} holds '\[/x\] \[bold\]'"),
    Damage("pointer-oversized", _pointer(b"v" + b"0" * 100_000), rf"{POINTER_FILE} is longer than \d+ bytes"),
    Damage("pointer-a-directory", _pointer_directory, rf"{POINTER_FILE} is not a regular file"),
]
"""A CURRENT that names no version at all."""

POINTER_DAMAGES = [
    *UNREADABLE_POINTERS,
    Damage("pointer-to-missing-version", _pointer(b"v000099\n"), rf"{POINTER_FILE} names v000099, .* does not exist"),
    Damage("version-deleted", _delete_version, rf"{POINTER_FILE} names v\d+, .* does not exist"),
]

MANIFEST_DAMAGES = [
    Damage("manifest-not-utf8", _manifest_not_utf8, rf"{MANIFEST_FILE} is not valid UTF-8"),
    Damage("manifest-not-json", _manifest_bytes(b"{not json"), rf"{MANIFEST_FILE} is not valid JSON"),
    Damage("manifest-a-list", _manifest_bytes(b"[]"), rf"{MANIFEST_FILE}: expected a JSON object, got an array"),
    Damage("manifest-null", _manifest_bytes(b"null"), rf"{MANIFEST_FILE}: expected a JSON object, got null"),
    Damage(
        "manifest-oversized",
        _manifest_bytes(b"{" + b" " * (2 << 20) + b"}"),
        rf"{MANIFEST_FILE} is larger than \d+ bytes",
    ),
    Damage("manifest-missing", _delete(MANIFEST_FILE), rf"has no {MANIFEST_FILE}"),
    Damage("files-null", _manifest_edit(_set("files", None)), r"'files' must be an object, got null"),
    Damage("files-a-list", _manifest_edit(_set("files", [INDEX_FILE])), r"'files' must be an object, got an array"),
    Damage("files-empty", _manifest_edit(_set("files", {})), rf"'files' does not list {INDEX_FILE}"),
    Damage("missing-key", _manifest_edit(_drop("model_id")), r"missing field\(s\): model_id"),
    Damage("unknown-key", _manifest_edit(_set("surprise", 1)), r"unknown field\(s\): 'surprise'"),
    Damage("dimension-a-string", _manifest_edit(_set("dimension", "16")), r"'dimension' must be an integer"),
    Damage("dimension-a-bool", _manifest_edit(_set("dimension", True)), r"'dimension' must be an integer"),
    Damage("count-negative", _manifest_edit(_set("vector_count", -5)), r"'vector_count' must be at least 0, got -5"),
    Damage("model-id-null", _manifest_edit(_set("model_id", None)), r"'model_id' must be a string, got null"),
    Damage("libraries-a-string", _manifest_edit(_set("libraries", "faiss")), r"'libraries' must be an object"),
    Damage("size-negative", _manifest_edit(_index_entry("bytes", -1)), r"'bytes' must be an integer >= 0, got -1"),
    Damage("size-a-string", _manifest_edit(_index_entry("bytes", "12")), r"'bytes' must be an integer >= 0"),
    Damage("checksum-null", _manifest_edit(_index_entry("sha256", None)), r"'sha256' must be 64 hex digits"),
    Damage(
        "file-outside-snapshot",
        _manifest_edit(_extra_file("../../../../etc/passwd")),
        r"'files' names '../../../../etc/passwd', which is not a file name",
    ),
    Damage(
        "version-a-path",
        _manifest_edit(_set("version", "../v000001")),
        r"'version' must be a name like v000001, got '../v000001'",
    ),
    Damage(
        "version-of-another-directory",
        _manifest_edit(_set("version", "v000007")),
        rf"{MANIFEST_FILE} says it is snapshot v000007, but it lies in v0+1",
    ),
]

FILE_DAMAGES = [
    Damage("index-truncated", _truncate_index, rf"{INDEX_FILE} does not match its checksum"),
    Damage("index-altered", _flip_index, rf"{INDEX_FILE} does not match its checksum"),
    Damage("index-missing", _delete(INDEX_FILE), rf"{INDEX_FILE} is missing"),
]

ALL_DAMAGES = POINTER_DAMAGES + MANIFEST_DAMAGES + FILE_DAMAGES
