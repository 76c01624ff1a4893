"""The recommender assembled from the store, the embedder and the shared retriever: paths, authoring, taxonomy.

Building reads the catalogue once; embedder work (competency and role vectors, courses without stored passage
vectors) happens lazily, the first time something needs it. gyanpath builds one per loaded index and drops it
when the index is reloaded, so it always plans over what search serves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.search import Retriever
from corpus.store import Store
from embeddings import Embedder
from embeddings.text_cache import TextVectorCache
from recommender.authoring import Authoring
from recommender.catalog import Catalog
from recommender.completions import CompletionLog
from recommender.coverage import CourseCoverage, CoverageConfig
from recommender.coverage_gaps import CoverageGap, coverage_gaps
from recommender.duplicates import DuplicateFinder
from recommender.errors import InvalidRequestError
from recommender.paths import PathFinder
from recommender.peers import PeerConfig, PeerModel
from recommender.plan_state import PlannerConfig
from recommender.planner import Planner
from recommender.semantic import Semantic
from recommender.tagging import TagSuggester
from recommender.types import Budget

COLD_START_NEIGHBOURS = 5


@dataclass(frozen=True)
class RecommenderConfig:
    mandatory_tags: tuple[str, ...] = ("ai", "cyber-security")
    programme_days: int = 7
    programme_hours_per_day: float = 4.0
    peer_weight: float = 0.5
    other_language_factor: float = 0.5
    suggested_discount: float = 0.5
    min_suggested_confidence: float = 0.3
    duplicate_threshold: float | None = None
    """None: the calibrated default for the embedder (recommender/duplicates.py)."""

    def budget(
        self,
        hours: float | None = None,
        programme: str | None = None,
        days: int | None = None,
        hours_per_day: float | None = None,
    ) -> Budget:
        """Hours alone, or a programme ("7-day"; ``days`` and ``hours_per_day`` override); the default
        programme when nothing is given."""
        if hours is not None:
            if programme is not None or days is not None or hours_per_day is not None:
                raise InvalidRequestError("give hours, or a programme (days x hours per day), not both", "hours")
            try:
                return Budget.of_hours(hours)
            except ValueError as exc:
                raise InvalidRequestError(str(exc).split(": ", 1)[-1], "hours") from None
        if programme is not None:
            found = re.fullmatch(r"(\d{1,2})-days?", programme.strip())
            if found is None:
                raise InvalidRequestError(f"expected a programme like '7-day', got {programme!r}", "programme")
            if days is not None and days != int(found.group(1)):
                raise InvalidRequestError(f"the programme says {found.group(1)} days, but days is {days}", "days")
            days = int(found.group(1))
        try:
            return Budget.programme(days or self.programme_days, hours_per_day or self.programme_hours_per_day)
        except ValueError as exc:
            field, _, message = str(exc).partition(": ")
            raise InvalidRequestError(message, field) from None


class Recommender:
    def __init__(
        self,
        catalog: Catalog,
        semantic: Semantic,
        retriever: Retriever,
        config: RecommenderConfig | None = None,
        completions: CompletionLog | None = None,
    ) -> None:
        self.config = config or RecommenderConfig()
        self.catalog = catalog
        self.semantic = semantic
        self.tagger = TagSuggester(semantic)
        coverage_config = CoverageConfig(self.config.suggested_discount, self.config.min_suggested_confidence)
        self.coverage = CourseCoverage(catalog, self.tagger, coverage_config)
        self.duplicates = DuplicateFinder(semantic, self.config.duplicate_threshold)
        planner_config = PlannerConfig(
            self.config.mandatory_tags, self.config.other_language_factor, self.config.peer_weight
        )
        self.planner = Planner(catalog, self.coverage, planner_config, self.duplicates.pairs())
        self.peers = self._peers(completions) if completions is not None and len(completions) else None
        self.paths = PathFinder(catalog, self.coverage, self.planner, semantic, self.tagger, self.peers)
        self.authoring = Authoring(catalog, semantic, self.tagger, self.duplicates, retriever)

    @classmethod
    def build(
        cls,
        store: Store,
        embedder: Embedder,
        retriever: Retriever,
        config: RecommenderConfig | None = None,
        completions: CompletionLog | None = None,
        text_vectors: TextVectorCache | None = None,
    ) -> Recommender:
        catalog = Catalog.from_store(store)
        return cls(catalog, Semantic(embedder, catalog, store, text_vectors), retriever, config, completions)

    def refresh_peers(self, completions: CompletionLog | None) -> None:
        """Refit peer signals on new completion records; paths planned from now on use them."""
        peers = self._peers(completions) if completions is not None and len(completions) else None
        self.peers = self.paths.peers = peers

    def _peers(self, completions: CompletionLog) -> PeerModel:
        model = PeerModel.fit(completions, PeerConfig(), courses=self.semantic.course_ids)
        return model.with_cold_start(cold_start_neighbours(model, self.semantic))

    def coverage_gaps(
        self, *, role: str | None = None, department: str | None = None, min_courses: int = 1
    ) -> list[CoverageGap]:
        return coverage_gaps(self.catalog, self.coverage, role=role, department=department, min_courses=min_courses)


def cold_start_neighbours(
    model: PeerModel, semantic: Semantic, k: int = COLD_START_NEIGHBOURS
) -> dict[str, list[tuple[str, float]]]:
    """For each catalogue course nobody has completed: its ``k`` nearest completed courses by content."""
    position = {c: i for i, c in enumerate(model.courses)}
    in_catalog = [c for c in model.courses if c in semantic.course_row]
    known = [c for c in in_catalog if model.counts[position[c]] > 0]
    unseen = [c for c in in_catalog if model.counts[position[c]] == 0]
    if not unseen or not known:
        return {}
    known_vectors = semantic.courses[[semantic.course_row[c] for c in known]]
    similarity = semantic.courses[[semantic.course_row[c] for c in unseen]] @ known_vectors.T
    neighbours = {}
    for row, course in enumerate(unseen):
        best = similarity[row].argsort()[::-1][:k]
        neighbours[course] = [(known[i], float(similarity[row, i])) for i in best]
    return neighbours
