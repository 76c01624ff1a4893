"""Builds the object graph from settings: store, embedder, snapshots, index builder and retriever."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from corpus.indexer import IndexBuilder, Progress, snapshot_root
from corpus.search import HybridRetriever
from corpus.store import Store
from corpus.types import Course
from embeddings import (
    Embedder,
    FaissIndex,
    Manifest,
    SnapshotCorruptError,
    SnapshotError,
    SnapshotMismatchError,
    SnapshotStore,
    create_lazy_embedder,
)
from embeddings.text_cache import TEXT_VECTORS, TextVectorCache
from embeddings.threads import Threads
from gyanpath.settings import Settings
from gyanpath.uploads import UploadQueue, UploadWorker
from gyanpath.userstore import SQLiteUserStore
from tutor.generators import Generator, create_generator
from tutor.tutor import Tutor

if TYPE_CHECKING:  # loaded on first use (see Services.progress and Services.recommender)
    from gyanpath.peer_feed import PeerFeed
    from gyanpath.progress import ProgressStore
    from recommender.service import Recommender, RecommenderConfig

log = logging.getLogger("gyanpath")
T = TypeVar("T")
UPLOAD_STOP_WAIT_S = 10.0
"""How long closing waits for an upload being indexed in the background (then it is queued again at next start)."""
PUBLISH_ATTEMPTS = 3
"""Builds of one content change before its worker gives up waiting for the store to hold still (then lexical)."""


class IndexUpdateError(Exception):
    """A store change was committed but the index could not be updated; a background rebuild was started."""


@dataclass
class IndexHealth:
    state: str = "loading"  # ok | degraded
    detail: str = "not loaded yet"
    rebuilding: bool = False


@dataclass
class Services:
    settings: Settings
    store: Store
    embedder: Embedder
    snapshots: SnapshotStore
    builder: IndexBuilder
    retriever: HybridRetriever
    users: SQLiteUserStore
    tutor: Tutor
    health: IndexHealth = field(default_factory=IndexHealth)
    text_vectors: TextVectorCache | None = None
    """Competency and role vectors, kept across recommender rebuilds and restarts (embeddings/text_cache.py)."""
    _uploads: UploadQueue | None = field(default=None, repr=False)
    _upload_worker: UploadWorker | None = field(default=None, repr=False)
    _uploads_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _rebuild_lock: threading.RLock = field(default_factory=threading.RLock)
    _recommender: Recommender | None = field(default=None, repr=False)
    _recommender_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _served_version: str | None = field(default=None, repr=False)
    _refused: str | None = field(default=None, repr=False)  # the pointer state whose snapshot load_index refused
    _next_poll: float = field(default=0.0, repr=False)
    _progress: ProgressStore | None = field(default=None, repr=False)
    _peer_feed: PeerFeed | None = field(default=None, repr=False)
    _progress_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def create(cls, settings: Settings, *, embedder: Embedder | None = None, preload_model: bool = True) -> Services:
        """Open the store and set up the embedder. Its model (the slow part) loads once: from now on in the
        background with ``preload_model``, else on the first call that embeds (commands that never embed, such as
        ``gyanpath index status``, never load it)."""
        FaissIndex.set_threads(settings.search_threads)
        store = Store.open(settings.database_path)
        embedder = embedder or create_lazy_embedder(
            settings.embedder,
            threads=model_threads(settings),
            cache_dir=settings.home / "models",
            preload=preload_model,
        )
        snapshots = SnapshotStore(snapshot_root(settings.home, embedder.model_id))
        builder = IndexBuilder(
            store,
            embedder,
            snapshots,
            kind=settings.index_kind,
            batch_size=settings.embed_batch_size,
            sentences=settings.precompute_sentences,
        )
        retriever = HybridRetriever(store, embedder, rrf_k=settings.rrf_k)
        users = SQLiteUserStore(settings.database_path)
        tutor = Tutor(retriever, make_generator(settings), users, threshold=settings.tutor_threshold)
        text_vectors = TextVectorCache(snapshots.root / TEXT_VECTORS, embedder.model_id)
        return cls(settings, store, embedder, snapshots, builder, retriever, users, tutor, text_vectors=text_vectors)

    @property
    def progress(self) -> ProgressStore:
        """The progress database, opened (and migrated) on first use: commands that never touch learners' records
        (search, ask, index) start without SQLAlchemy and Alembic. The service opens it at start-up."""
        with self._progress_lock:
            if self._progress is None:
                from gyanpath.progress import ProgressStore

                self._progress = ProgressStore.open(self.settings.progress_url)
            return self._progress

    @property
    def peer_feed(self) -> PeerFeed:
        """Peer signals from learners' completions, refitted when they change enough (gyanpath/peer_feed.py)."""
        progress = self.progress
        with self._progress_lock:
            if self._peer_feed is None:
                from gyanpath.peer_feed import PeerFeed

                settings = self.settings
                self._peer_feed = PeerFeed(
                    progress,
                    settings.completions,
                    min_changes=settings.peer_refresh_completions,
                    max_age_s=settings.peer_refresh_minutes * 60,
                )
            return self._peer_feed

    @property
    def recommender(self) -> Recommender:
        """Built on first use from what the store holds, and again after each index reload; its peer signals are
        refitted when learners' completions have changed enough (gyanpath/peer_feed.py)."""
        with self._recommender_lock:
            built = self._recommender
            if built is None:
                from recommender.service import Recommender

                built = Recommender.build(
                    self.store,
                    self.embedder,
                    self.retriever,
                    recommender_config(self.settings),
                    self.peer_feed.load(),
                    self.text_vectors,
                )
                self._recommender = built
            elif self.peer_feed.stale():
                built.refresh_peers(self.peer_feed.load())
            return built

    @property
    def upload_queue(self) -> UploadQueue:
        """Uploads waiting to be indexed in the background (gyanpath/uploads.py), opened on first use."""
        with self._uploads_lock:
            if self._uploads is None:
                self._uploads = UploadQueue(self.settings.database_path)
            return self._uploads

    @property
    def upload_worker(self) -> UploadWorker:
        """The thread that indexes queued uploads (started by ``wake``, and at start-up when jobs wait)."""
        queue = self.upload_queue
        with self._uploads_lock:
            if self._upload_worker is None:
                from gyanpath.content import ContentManager

                self._upload_worker = UploadWorker(queue, ContentManager(self).index_queued)
            return self._upload_worker

    def resume_uploads(self) -> int:
        """Queue again the uploads a process that is gone left half-indexed, and start indexing whatever waits.
        Returns the number of uploads waiting."""
        queue = self.upload_queue
        queue.recover()
        waiting = queue.waiting()
        if waiting:
            self.upload_worker.wake()
        return waiting

    @property
    def served_version(self) -> str | None:
        """The snapshot version this process serves (None: lexical only)."""
        return self._served_version

    def warm_text_vectors(self) -> int:
        """Embed the taxonomy's competency and role descriptions now, if they are not kept yet (the index build
        does this, so that the first learning path or tag suggestion after a start does not wait ~20 s for them).
        Returns the number of texts kept."""
        from recommender.catalog import Catalog
        from recommender.semantic import Semantic

        semantic = Semantic(self.embedder, Catalog.from_store(self.store), self.store, self.text_vectors)
        return len(semantic.competencies) + len(semantic.roles)

    def courses(self) -> list[Course]:
        """Every stored course: from the recommender's catalogue when it is built, else read from the store (cheap;
        a department report needs titles and tags, not the recommender's tables, which take seconds to build)."""
        built = self._recommender
        if built is not None:
            return list(built.catalog.courses.values())
        return [d for d in self.store.documents("course") if isinstance(d, Course)]

    def load_index(self, *, keep_serving: bool = False) -> bool:
        """Serve the published snapshot if it is valid and current; otherwise serve lexical-only, degraded.

        Snapshot files are untrusted: any damage (the pointer, the manifest, the index) is a SnapshotError, logged
        with the file and the problem; the caller decides whether to rebuild (the app does, see follow_published).
        ``keep_serving``: a snapshot the store has already moved past (another worker committed its next change and
        is still publishing it) leaves the served snapshot in place instead, and False is returned.
        """
        with self._recommender_lock:  # a reader mid-build keeps the one it built; the next one rebuilds
            self._recommender = None
        pointer = self._pointer_state()  # read first: a pointer swapped during the load is looked at again
        try:
            snapshot = self.snapshots.load(
                model_id=self.embedder.model_id,
                dimension=self.embedder.dimension,
                corpus_hash=self.store.corpus_hash(),
            )
            self.retriever.refresh(snapshot)
        except SnapshotError as exc:
            if keep_serving and isinstance(exc, SnapshotMismatchError) and self._served_version is not None:
                log.info("snapshot %s is behind the store; still serving %s", pointer, self._served_version)
                return False
            self.retriever.refresh(None)
            self._served_version, self._refused = None, pointer
            self.health.state, self.health.detail = "degraded", f"lexical search only: {exc}"
            level = logging.WARNING if isinstance(exc, SnapshotCorruptError) else logging.INFO  # damage, not staleness
            log.log(level, "index snapshot refused, searching lexically: %s", exc)
            return False
        self._served_version, self._refused = snapshot.manifest.version, None
        self.health.state, self.health.detail = "ok", f"snapshot {snapshot.manifest.version}"
        return True

    def follow_published(self) -> bool:
        """Serve a snapshot that another worker or process published since this one loaded its own.

        Called on every request, it reads the CURRENT pointer at most every ``snapshot_poll_seconds``; a newer
        version is loaded and swapped in (requests in flight keep the read model they started with). Skipped
        while this process is updating the index itself. Returns True when it swapped.

        A pointer that names no sound snapshot (damaged, or naming a damaged or missing version) is never an error
        here: the snapshot is refused, search turns lexical and a background rebuild from the store publishes a
        sound one, which replaces the pointer. A pointer already refused is not tried again on every request.
        """
        now = time.monotonic()
        if now < self._next_poll:
            return False
        self._next_poll = now + self.settings.snapshot_poll_seconds
        if not self._is_new(self._pointer_state()):
            return False
        if not self._rebuild_lock.acquire(blocking=False):
            return False
        try:
            published = self._pointer_state()
            if not self._is_new(published):
                return False
            log.info("loading snapshot %s published elsewhere (serving %s)", published, self._served_version)
            if self.load_index(keep_serving=True):
                return True
            if self._served_version is not None:
                return False  # still serving a sound snapshot: the store moved past the published one, try later
        finally:
            self._rebuild_lock.release()
        self.rebuild_in_background()
        return False

    def _pointer_state(self) -> str | None:
        """The version CURRENT names; what is wrong with CURRENT when it names none; None when nothing is published."""
        try:
            return self.snapshots.current_version()
        except SnapshotError as exc:
            return str(exc)

    def _is_new(self, pointer: str | None) -> bool:
        return pointer is not None and pointer not in (self._served_version, self._refused)

    def rebuild_index(self, *, full: bool = False, progress: Progress | None = None) -> Manifest:
        """Build and publish a snapshot, then swap it in; readers keep the old one until the swap."""
        with self._rebuild_lock:
            self.health.rebuilding = True
            try:
                manifest = self.builder.build(full=full, progress=progress)
            finally:
                self.health.rebuilding = False
            self.load_index()
        return manifest

    def publish_change(self, change: Callable[[], T]) -> tuple[T, Manifest]:
        """Apply ``change`` (one store transaction), build the index incrementally, publish it and swap it in.

        Serialised with every other index update of this process (and, through the builder's file lock, of other
        processes). Searches meanwhile keep the read model they started with: the old snapshot with the old
        store view until the swap, never a half-built index. The change is committed before the build; if the
        build fails, the content stays stored, search falls back to lexical and a background rebuild is started.
        A snapshot the store moved past before it was loaded (another worker committed meanwhile) is built again,
        up to PUBLISH_ATTEMPTS times, rather than served lexically.
        """
        with self._rebuild_lock:
            result = change()
            for attempt in range(1, PUBLISH_ATTEMPTS + 1):
                try:
                    manifest = self.builder.build()
                except Exception as exc:
                    log.exception("index update after a content change failed")
                    self.load_index()
                    self.rebuild_in_background()
                    raise IndexUpdateError(
                        f"the change is stored, but the index update failed ({exc}); retrying"
                    ) from exc
                if self.load_index(keep_serving=attempt < PUBLISH_ATTEMPTS):
                    break
        return result, manifest

    def rebuild_in_background(self) -> threading.Thread:
        def run() -> None:
            try:
                self.rebuild_index()
            except Exception:  # logged, and health keeps saying degraded
                log.exception("background index rebuild failed")

        thread = threading.Thread(target=run, name="gyanpath-index-rebuild", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        if self._upload_worker is not None:
            self._upload_worker.stop(timeout=UPLOAD_STOP_WAIT_S)
        if self._uploads is not None:
            self._uploads.close()
        if self._progress is not None:
            self._progress.close()
        self.users.close()
        self.store.close()


def recommender_config(settings: Settings) -> RecommenderConfig:
    from recommender.service import RecommenderConfig

    return RecommenderConfig(
        mandatory_tags=tuple(settings.mandatory_tags),
        programme_days=settings.programme_days,
        programme_hours_per_day=settings.programme_hours_per_day,
        peer_weight=settings.peer_weight,
        duplicate_threshold=settings.duplicate_threshold,
    )


def model_threads(settings: Settings) -> Threads:
    """The CPU threads of every model session the service creates (embedder, local generator)."""
    return Threads(
        workers=settings.embed_threads, intra_op=settings.intra_op_threads, inter_op=settings.inter_op_threads
    )


def make_generator(settings: Settings) -> Generator:
    if settings.tutor_generator == "openai":
        return create_generator(
            "openai",
            base_url=settings.openai_base_url,
            model=settings.openai_model,
            api_key=settings.openai_api_key,
            timeout=settings.generator_timeout,
        )
    if settings.tutor_generator == "local":
        return create_generator("local", path=settings.local_model, threads=model_threads(settings))
    return create_generator("extractive")
