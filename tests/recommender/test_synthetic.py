"""The synthetic completion-log generator: deterministic, and shows the behaviours it documents."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from corpus.ingest import IngestSources, ingest
from corpus.store import Store
from corpus.types import Role
from recommender.catalog import Catalog
from recommender.peer_eval import evaluate_rankers, ndcg_at, popularity_ranker, recall_at, time_split
from recommender.peers import PeerModel
from recommender.synthetic import SyntheticConfig, generate_completions
from tests.recommender import toy

BUNDLED = Path(__file__).resolve().parents[2] / "corpus" / "data"


@pytest.fixture
def two_roles() -> Catalog:
    clerk = Role(
        "role-clerk",
        "Clerk",
        "revenue",
        "Files and answers complaints.",
        competencies=(toy.ref("grievance", toy.I), toy.ref("ai", toy.B)),
        headcount=9 * 27000,
    )
    return Catalog.build(toy.courses(), [toy.role(), clerk], toy.competencies())


def test_generator_is_deterministic_and_follows_headcounts(two_roles: Catalog) -> None:
    config = SyntheticConfig(learners=2000, seed=3)
    first, second = generate_completions(two_roles, config), generate_completions(two_roles, config)
    assert np.array_equal(first.course, second.course) and np.array_equal(first.at, second.at)
    roles = first.learner_roles()
    clerk_share = float(np.mean(roles[roles >= 0] == first.roles.index("role-clerk")))
    assert 0.85 < clerk_share < 0.95  # 9 clerks for every patwari
    assert first.at.min() >= config.start.timestamp()


def test_prerequisites_are_completed_first(two_roles: Catalog) -> None:
    log = generate_completions(two_roles, SyntheticConfig(learners=2000, seed=4))
    taken: dict[str, dict[str, int]] = {}
    for record in log.records():
        taken.setdefault(record.learner, {})[record.course] = int(record.completed_at.timestamp())
    checked = violations = 0
    for courses in taken.values():
        for course, at in courses.items():
            for prerequisite in two_roles.courses[course].prerequisites:
                checked += 1
                group = [c for c in two_roles.translations(prerequisite) if c in courses]
                violations += not group or courses[group[0]] > at
    assert checked > 100 and violations == 0


def test_role_relevant_courses_dominate(two_roles: Catalog) -> None:
    log = generate_completions(two_roles, SyntheticConfig(learners=3000, seed=5))
    clerk = log.roles.index("role-clerk")
    counts = Counter(log.courses[c] for c, r in zip(log.course, log.role, strict=True) if r == clerk)
    assert counts["grievance-quick"] > counts["survey-basics"] and counts["grievance-deep"] > counts["mutation-301"]


def test_metrics_known_answers() -> None:
    assert recall_at(["a", "b", "c"], {"b", "z"}, 2) == 0.5
    assert ndcg_at(["x", "a"], {"a"}, 10) == pytest.approx(1 / np.log2(3))
    assert ndcg_at(["a"], {"a"}, 10) == 1.0


@pytest.mark.slow
def test_peer_model_beats_popularity_on_synthetic_logs_of_the_bundled_catalogue(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "bundled.db")
    ingest(store, IngestSources.bundle(BUNDLED))
    log = generate_completions(Catalog.from_store(store), SyntheticConfig(learners=6000, seed=11))
    split = time_split(log)
    model = PeerModel.fit(split.train)
    rows = evaluate_rankers(
        split,
        {
            "popularity": popularity_ranker(split.train),
            "peer": lambda r, h, k: [c for c, _ in model.recommend(r, h, k)],
        },
    )
    by = {(row.model, row.segment): row for row in rows}
    assert by["peer", "all"].recall > by["popularity", "all"].recall + 0.03
    assert by["peer", "all"].ndcg > by["popularity", "all"].ndcg + 0.03
