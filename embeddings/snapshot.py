"""Versioned index snapshots: written aside, fsynced, published by an atomic pointer swap, verified on load.

Layout under the snapshot root::

    CURRENT                 the name of the published version (replaced atomically)
    v000007/manifest.json   model id, dimension, vector count, corpus hash, created-at, versions, file checksums
    v000007/index.faiss     FAISS's own binary format (no pickle anywhere)

Readers hold a loaded :class:`Snapshot` in memory, so they keep serving it until they choose to load a newer one.

Everything read back is untrusted: a pointer that is not a version name (bad bytes, a path, a huge or empty file,
a directory), a version that does not exist, a manifest that does not parse or check (embeddings/manifest.py) and
a file that does not match its checksum are each a :class:`SnapshotCorruptError` naming the file and the problem,
never another exception. Publishing replaces whatever damage the pointer holds.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from filelock import FileLock

from embeddings.errors import SnapshotCorruptError, SnapshotMismatchError, SnapshotMissingError
from embeddings.files import sha256_of
from embeddings.index import FaissIndex
from embeddings.manifest import FORMAT_VERSION, INDEX_FILE, MANIFEST_FILE, MAX_MANIFEST_BYTES, VERSION_NAME, Manifest

__all__ = [
    "FORMAT_VERSION",
    "INDEX_FILE",
    "KEEP_VERSIONS",
    "MANIFEST_FILE",
    "POINTER_FILE",
    "Manifest",
    "Snapshot",
    "SnapshotStore",
    "library_versions",
]

POINTER_FILE = "CURRENT"
MAX_POINTER_BYTES = 64
"""A pointer holds a version name and a newline; a longer one is damage, and is not read further."""
KEEP_VERSIONS = 3


@dataclass(frozen=True)
class Snapshot:
    path: Path
    manifest: Manifest
    index: FaissIndex


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_untrusted(path: Path, limit: int) -> bytes | None:
    """At most ``limit + 1`` bytes of a regular file (more means damage), or None when there is no such file."""
    try:
        if not path.exists():
            return None
        if not path.is_file():  # a directory, or a FIFO that would block the reader
            raise SnapshotCorruptError(f"{path} is not a regular file")
        with path.open("rb") as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        raise SnapshotCorruptError(f"{path} cannot be read: {exc.strerror or exc}") from exc


def library_versions() -> dict[str, str]:
    return {"faiss": faiss.__version__, "numpy": np.__version__, "python": platform.python_version()}


class SnapshotStore:
    """Publishes and loads snapshots under one root directory. One publisher at a time (a file lock)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def ensure_root(self) -> None:
        """Create the snapshot root (and its parent, the home's ``index/``) for the owner alone, whatever the umask:
        an index holds the vectors of private case studies. An existing, looser directory is tightened."""
        for directory in (self.root.parent, self.root):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            if directory.stat().st_mode & 0o077:
                os.chmod(directory, 0o700)

    def _lock(self) -> FileLock:
        self.ensure_root()
        return FileLock(str(self.root / ".publish.lock"))

    def versions(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and VERSION_NAME.fullmatch(p.name))

    def current_version(self) -> str | None:
        """The version name CURRENT holds, None when nothing was published; SnapshotCorruptError when it holds none.

        Whether that version exists is checked by :meth:`read_manifest`.
        """
        pointer = self.root / POINTER_FILE
        raw = _read_untrusted(pointer, MAX_POINTER_BYTES)
        if raw is None:
            return None
        if len(raw) > MAX_POINTER_BYTES:
            raise SnapshotCorruptError(f"{pointer} is longer than {MAX_POINTER_BYTES} bytes: it names no version")
        try:
            name = raw.decode("utf-8").strip()
        except UnicodeDecodeError as exc:
            raise SnapshotCorruptError(
                f"{pointer} is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
            ) from exc
        if not name:
            raise SnapshotCorruptError(f"{pointer} is empty")
        if not VERSION_NAME.fullmatch(name):
            raise SnapshotCorruptError(f"{pointer} holds {name!r}, which is not a snapshot version (like v000001)")
        return name

    def publish(
        self, index: FaissIndex, *, model_id: str, corpus_hash: str, extra: dict[str, Any] | None = None
    ) -> Manifest:
        """Write ``index`` as a new version and make it current; a crash at any point leaves the old one current."""
        with self._lock():
            self._remove_leftovers()
            version = self._next_version()
            staging = self.root / f".tmp-{uuid.uuid4().hex}"
            staging.mkdir(parents=True)
            index_path = staging / INDEX_FILE
            index.save(index_path)
            _fsync_file(index_path)
            manifest = Manifest(
                version=version,
                model_id=model_id,
                dimension=index.dimension,
                vector_count=len(index),
                corpus_hash=corpus_hash,
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                index_kind=index.kind.value,
                libraries=library_versions(),
                files={INDEX_FILE: {"sha256": sha256_of(index_path), "bytes": index_path.stat().st_size}},
                extra=extra or {},
            )
            manifest_path = staging / MANIFEST_FILE
            manifest_path.write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
            _fsync_file(manifest_path)
            _fsync_dir(staging)
            final = self.root / version
            os.replace(staging, final)
            _fsync_dir(self.root)
            self._swap_pointer(version)
            self._prune()
            return manifest

    def _next_version(self) -> str:
        """One past every version on disk and the one CURRENT names: a reader may still serve a deleted version, and
        would not notice a new snapshot published under its name."""
        names = self.versions()
        try:
            named = self.current_version()
        except SnapshotCorruptError:
            named = None
        numbers = [int(name[1:]) for name in (*names, named) if name is not None]
        return f"v{(max(numbers) + 1 if numbers else 1):06d}"

    def _swap_pointer(self, version: str) -> None:
        staging = self.root / f".{POINTER_FILE}.{uuid.uuid4().hex}"
        staging.write_text(version + "\n", encoding="utf-8")
        _fsync_file(staging)
        pointer = self.root / POINTER_FILE
        if pointer.is_dir() and not pointer.is_symlink():  # damage that os.replace cannot replace
            shutil.rmtree(pointer)
        os.replace(staging, pointer)
        _fsync_dir(self.root)

    def _remove_leftovers(self) -> None:
        for path in self.root.glob(".tmp-*"):
            shutil.rmtree(path, ignore_errors=True)
        for path in self.root.glob(f".{POINTER_FILE}.*"):
            path.unlink(missing_ok=True)

    def _prune(self) -> None:
        current = self.current_version()
        for name in self.versions()[:-KEEP_VERSIONS]:
            if name != current:
                shutil.rmtree(self.root / name, ignore_errors=True)

    def read_manifest(self, version: str | None = None) -> Manifest:
        """The checked manifest of ``version`` (default: the one CURRENT names)."""
        if version is not None and not VERSION_NAME.fullmatch(version):
            raise ValueError(f"version: expected a snapshot version like v000001, got {version!r}")
        name = version or self.current_version()
        if name is None:
            raise SnapshotMissingError(f"no index snapshot has been published under {self.root}")
        directory = self.root / name
        path = directory / MANIFEST_FILE
        raw = _read_untrusted(path, MAX_MANIFEST_BYTES)
        if raw is None and not os.path.isdir(directory):
            named_by = f"{self.root / POINTER_FILE} names {name}" if version is None else f"snapshot {name}"
            raise SnapshotCorruptError(f"{named_by}, but {directory} does not exist")
        if raw is None:
            raise SnapshotCorruptError(f"snapshot {name} has no {MANIFEST_FILE} under {self.root}")
        manifest = Manifest.from_json(raw, source=path)
        if manifest.version != name:
            raise SnapshotCorruptError(f"{path} says it is snapshot {manifest.version}, but it lies in {name}")
        return manifest

    def load(
        self,
        *,
        model_id: str,
        dimension: int,
        corpus_hash: str | None = None,
        version: str | None = None,
    ) -> Snapshot:
        """Load and verify the current (or a named) snapshot against the configured embedder and corpus."""
        manifest = self.read_manifest(version)
        directory = self.root / manifest.version
        if manifest.format_version != FORMAT_VERSION:
            raise SnapshotMismatchError(
                f"snapshot {manifest.version} has format {manifest.format_version}, expected {FORMAT_VERSION}"
            )
        if manifest.model_id != model_id or manifest.dimension != dimension:
            raise SnapshotMismatchError(
                f"snapshot {manifest.version} was built by {manifest.model_id} ({manifest.dimension}d); "
                f"the configured embedder is {model_id} ({dimension}d): rebuild the index"
            )
        if corpus_hash is not None and manifest.corpus_hash != corpus_hash:
            raise SnapshotMismatchError(
                f"snapshot {manifest.version} was built for another state of the corpus "
                f"({manifest.corpus_hash[:12]} != {corpus_hash[:12]}): rebuild the index"
            )
        for name, expected in manifest.files.items():  # names are plain file names (checked with the manifest)
            self._verify(directory / name, expected, version=manifest.version)
        index = FaissIndex.load(directory / INDEX_FILE)
        if len(index) != manifest.vector_count or index.dimension != manifest.dimension:
            raise SnapshotCorruptError(
                f"snapshot {manifest.version}: index holds {len(index)} vectors of {index.dimension}d, "
                f"manifest says {manifest.vector_count} of {manifest.dimension}d"
            )
        return Snapshot(path=directory, manifest=manifest, index=index)

    @staticmethod
    def _verify(path: Path, expected: dict[str, Any], *, version: str) -> None:
        try:
            if not path.exists():
                raise SnapshotCorruptError(f"snapshot {version}: {path.name} is missing")
            if not path.is_file():
                raise SnapshotCorruptError(f"snapshot {version}: {path.name} is not a regular file")
            # the size first: a file of the wrong size is never hashed
            matches = path.stat().st_size == expected["bytes"] and sha256_of(path) == expected["sha256"]
        except OSError as exc:
            raise SnapshotCorruptError(f"snapshot {version}: {path.name} cannot be read: {exc.strerror}") from exc
        if not matches:
            raise SnapshotCorruptError(f"snapshot {version}: {path.name} does not match its checksum")
