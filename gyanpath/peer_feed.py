"""Completion records for the recommender's peer signals: an optional static file (``GYANPATH_COMPLETIONS``) plus
every completion in the progress store, refitted when the store has changed enough.

Rule, kept simple: the store is looked at no more than every ``CHECK_EVERY_S`` seconds; the peer model is refitted
when completions changed (added or erased) by ``min_changes`` records, or by any number once ``max_age_s`` passed
since the last fit. Each replica does this on its own, so all of them converge on the shared database.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from gyanpath.progress import ProgressStore
from recommender.completions import CompletionLog, CompletionLogBuilder, load_completions

log = logging.getLogger("gyanpath")
CHECK_EVERY_S = 5.0


class PeerFeed:
    def __init__(
        self,
        progress: ProgressStore,
        file: Path | None,
        *,
        min_changes: int,
        max_age_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.progress, self.file = progress, file
        self.min_changes, self.max_age_s, self.clock = min_changes, max_age_s, clock
        self._file_log: CompletionLog | None = None
        self._stamp = (0, 0)
        self._loaded_at = self._checked_at = float("-inf")

    def load(self) -> CompletionLog | None:
        """All records now (the file's, then the store's); None when there are none (paths are then planned without
        peer signals). Read as columns, chunk by chunk: no object per record (``CompletionLogBuilder``)."""
        self._stamp = self.progress.completion_stamp()
        self._loaded_at = self._checked_at = self.clock()
        builder = CompletionLogBuilder()
        builder.add_log(self._from_file())
        for chunk in self.progress.peer_columns():
            builder.add(chunk.learner_keys, chunk.course_ids, chunk.completed_at, chunk.role_ids, chunk.departments)
        return builder.build() if len(builder) else None

    def changes(self) -> int:
        """Completions added or erased since the last load."""
        count, top = self.progress.completion_stamp()
        count0, top0 = self._stamp
        added = max(top - top0, 0)
        removed = max(count0 + added - count, 0)
        return added + removed

    def stale(self) -> bool:
        now = self.clock()
        if now - self._checked_at < CHECK_EVERY_S:
            return False
        self._checked_at = now
        changed = self.changes()
        return changed >= self.min_changes or (changed > 0 and now - self._loaded_at >= self.max_age_s)

    def _from_file(self) -> CompletionLog:
        if self._file_log is None:
            self._file_log = CompletionLog.from_records(())
            if self.file is not None:
                try:
                    self._file_log = load_completions(self.file)
                except ValueError:  # a bad file must not take paths down: they are served without its records
                    log.exception("cannot read completion records from %s", self.file)
        return self._file_log
