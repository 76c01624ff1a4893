"""Versioned index snapshots: written aside, fsynced, published by an atomic pointer swap, verified on load.

Layout under the snapshot root::

    CURRENT                 the name of the published version (replaced atomically)
    v000007/manifest.json   model id, dimension, vector count, corpus hash, created-at, versions, file checksums
    v000007/index.faiss     FAISS's own binary format (no pickle anywhere)

Readers hold a loaded :class:`Snapshot` in memory, so they keep serving it until they choose to load a newer one.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from filelock import FileLock

from embeddings.errors import SnapshotCorruptError, SnapshotMismatchError, SnapshotMissingError
from embeddings.files import sha256_of
from embeddings.index import FaissIndex

FORMAT_VERSION = 1
INDEX_FILE = "index.faiss"
MANIFEST_FILE = "manifest.json"
POINTER_FILE = "CURRENT"
KEEP_VERSIONS = 3


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
    def from_json(cls, text: str, *, source: Path) -> Manifest:
        try:
            data = json.loads(text)
            return cls(**data)
        except (json.JSONDecodeError, TypeError) as exc:
            raise SnapshotCorruptError(f"{source}: manifest is not valid: {exc}") from exc


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


def library_versions() -> dict[str, str]:
    return {"faiss": faiss.__version__, "numpy": np.__version__, "python": platform.python_version()}


class SnapshotStore:
    """Publishes and loads snapshots under one root directory. One publisher at a time (a file lock)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _lock(self) -> FileLock:
        self.root.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.root / ".publish.lock"))

    def versions(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and p.name.startswith("v"))

    def current_version(self) -> str | None:
        pointer = self.root / POINTER_FILE
        if not pointer.exists():
            return None
        name = pointer.read_text(encoding="utf-8").strip()
        return name or None

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
        numbers = [int(name[1:]) for name in self.versions() if name[1:].isdigit()]
        return f"v{(max(numbers) + 1 if numbers else 1):06d}"

    def _swap_pointer(self, version: str) -> None:
        staging = self.root / f".{POINTER_FILE}.{uuid.uuid4().hex}"
        staging.write_text(version + "\n", encoding="utf-8")
        _fsync_file(staging)
        os.replace(staging, self.root / POINTER_FILE)
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
        name = version or self.current_version()
        if name is None:
            raise SnapshotMissingError(f"no index snapshot has been published under {self.root}")
        path = self.root / name / MANIFEST_FILE
        if not path.exists():
            raise SnapshotCorruptError(f"snapshot {name} has no {MANIFEST_FILE} under {self.root}")
        return Manifest.from_json(path.read_text(encoding="utf-8"), source=path)

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
        for name, expected in manifest.files.items():
            path = directory / name
            if not path.exists():
                raise SnapshotCorruptError(f"snapshot {manifest.version}: {name} is missing")
            if path.stat().st_size != expected.get("bytes") or sha256_of(path) != expected.get("sha256"):
                raise SnapshotCorruptError(f"snapshot {manifest.version}: {name} does not match its checksum")
        index = FaissIndex.load(directory / INDEX_FILE)
        if len(index) != manifest.vector_count or index.dimension != manifest.dimension:
            raise SnapshotCorruptError(
                f"snapshot {manifest.version}: index holds {len(index)} vectors of {index.dimension}d, "
                f"manifest says {manifest.vector_count} of {manifest.dimension}d"
            )
        return Snapshot(path=directory, manifest=manifest, index=index)
