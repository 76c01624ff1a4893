"""Latency of the recommender's two interactive calls, each against a baseline timed in the same process.

(a) A learning path for a role (``Recommender.paths.find``) over the bundled catalogue scaled to ``--courses``
    courses (bench/recommender_data.py: numbered copies of the bundled courses with perturbed durations, levels and
    titles; copies' vectors are the originals' plus noise). Every bundled role in turn, with the default 7-day
    programme (4 h a day, laid out day by day) and with a plain hours budget; optionally with peer signals from a
    synthetic completion log of the scaled catalogue and three completed courses per request. Baseline: a naive
    ranking (every course by how many of the role's required competencies it is tagged with, shortest first among
    equals, taken while the budget lasts), over the same catalogue.
(b) Related content for a draft (``Recommender.authoring.related``, k=10) on the bundled corpus, then on the bundled
    corpus plus the scaled catalogue's copies in the store and the index (their passage vectors are the originals'
    plus noise, so nothing is embedded). Baselines: the bare retriever call that ``related`` makes, and the query
    embedding alone.

Usage: python -m bench.recommender_latency [--courses 5000] [--repeats 100] [--peer-learners 5000]
       [--related-scale 5000] [--embedder e5-multilingual | hashing]
Goal: path p95 under 100 ms over 5,000 courses; related p95 under 150 ms on the bundled corpus (2 cores).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator
from itertools import cycle

import numpy as np

from bench.common import print_table, summary, time_calls
from bench.recommender_data import (
    COPY_COSINE,
    add_embedder_arguments,
    bundled_services,
    load_embedder,
    perturbed,
    scale_catalog,
    scale_courses,
    scaled_semantic,
)
from corpus.types import Course, Filters, Viewer
from gyanpath.services import Services
from recommender.authoring import QUERY_CHARS, Draft
from recommender.catalog import Catalog
from recommender.completions import CompletionLog
from recommender.service import Recommender
from recommender.synthetic import SyntheticConfig, generate_completions
from recommender.types import Budget, PathRequest

PATH_GOAL_MS = 100.0
RELATED_GOAL_MS = 150.0
PATH_COLUMNS = ("catalogue", "courses", "request", "steps", "gap coverage", "p50 ms", "p95 ms", "mean ms",
                "p95 / baseline", "goal p95 ms", "met")  # fmt: skip
RELATED_COLUMNS = ("corpus", "courses", "chunks", "path", "p50 ms", "p95 ms", "mean ms", "p95 / retriever",
                   "goal p95 ms", "met")  # fmt: skip
DRAFTS = (
    (
        "Using generative AI safely in district offices",
        "A practical course for section officers on drafting letters, summarising files and translating notices with "
        "generative AI tools, without pasting confidential or personal data. Covers checking outputs before they go "
        "on file and recording when AI was used.",
    ),
    (
        "Flood relief camp management for block officials",
        "How to plan, stock and run relief camps during floods: site selection, drinking water and sanitation, "
        "registering affected families, distributing rations and coordinating with health teams.",
    ),
    (
        "Public procurement on GeM for first-time buyers",
        "Step-by-step buying on the Government e-Marketplace: bids and reverse auctions, technical evaluation, "
        "contract management and the checks auditors look for.",
    ),
    (
        "Handling RTI applications within the time limit",
        "For public information officers: receiving applications, computing fees, exemptions under section 8, "
        "transferring applications and writing clear replies within thirty days.",
    ),
    (
        "ग्राम पंचायत विकास योजना की तैयारी",
        "ग्राम सभा की बैठक, जरूरतों की पहचान, संसाधनों का आकलन और योजना को पोर्टल पर अपलोड करने की प्रक्रिया। "
        "पंचायत सचिवों और ग्राम रोजगार सहायकों के लिए व्यावहारिक उदाहरणों सहित।",
    ),
    (
        "साइबर ठगी से बचाव: फ्रंटलाइन कर्मचारियों के लिए",
        "फ़र्ज़ी कॉल, ओटीपी ठगी और नकली ऐप की पहचान करना, मोबाइल को सुरक्षित रखना और शिकायत 1930 हेल्पलाइन पर दर्ज करना।",
    ),
)


# -- (a) learning paths ----------------------------------------------------------------------------------------
class NaiveRanker:
    """The baseline: courses by the number of the role's required competencies they are tagged with."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.tags = {c.id: frozenset(ref.id for ref in c.competencies) for c in catalog.courses.values()}
        self.minutes = {c.id: c.duration_minutes for c in catalog.courses.values()}

    def path(self, role_id: str, budget_minutes: int) -> list[str]:
        required = frozenset(ref.id for ref in self.catalog.roles[role_id].competencies)
        scored = [(-len(tags & required), self.minutes[c], c) for c, tags in self.tags.items() if tags & required]
        scored.sort()
        picked: list[str] = []
        used = 0
        for _, minutes, course_id in scored:
            if used + minutes <= budget_minutes:
                picked.append(course_id)
                used += minutes
        return picked


def learner_histories(log: CompletionLog, size: int = 3) -> dict[str, tuple[str, ...]]:
    """Role -> the first ``size`` courses of a synthetic learner in that role (one with at least that many)."""
    order = np.argsort(log.at, kind="stable")
    by_learner: dict[int, list[int]] = {}
    for n in order.tolist():
        by_learner.setdefault(int(log.learner[n]), []).append(n)
    found: dict[str, tuple[str, ...]] = {}
    for records in by_learner.values():
        role = int(log.role[records[0]])
        if role >= 0 and len(records) >= size and log.roles[role] not in found:
            found[log.roles[role]] = tuple(log.courses[int(log.course[n])] for n in records[:size])
    return found


def time_cycling(call: Callable[[str], object], keys: list[str], repeats: int) -> tuple[float, float, float]:
    keys_cycle: Iterator[str] = cycle(keys)
    return summary(time_calls(lambda: call(next(keys_cycle)), repeats))


Request = tuple[str, Callable[[str], PathRequest]]


def path_requests(recommender: Recommender, hours: float) -> list[Request]:
    programme = recommender.config.budget()
    plain = Budget.of_hours(hours)
    return [
        (f"{programme.days}-day programme", lambda r: PathRequest(role=r, budget=programme)),
        (f"{hours:g} h budget", lambda r: PathRequest(role=r, budget=plain)),
    ]


def peer_requests(recommender: Recommender, histories: dict[str, tuple[str, ...]]) -> list[Request]:
    programme = recommender.config.budget()
    return [
        (
            f"{programme.days}-day + peers, 3 completed",
            lambda r: PathRequest(role=r, budget=programme, completed=histories.get(r, ())),
        )
    ]


def baseline_row(catalog: Catalog, label: str, minutes: int, repeats: int) -> tuple[list[object], float]:
    naive = NaiveRanker(catalog)
    roles = sorted(catalog.roles)
    picked = float(np.mean([len(naive.path(r, minutes)) for r in roles]))
    p50, p95, mean = time_cycling(lambda r: naive.path(r, minutes), roles, repeats)
    return [label, len(catalog.courses), "naive ranking (baseline)", picked, "-", p50, p95, mean, 1.0, "", ""], p95


def path_rows(
    recommender: Recommender, label: str, requests: list[Request], repeats: int, baseline_p95: float
) -> list[list[object]]:
    roles = sorted(recommender.catalog.roles)
    rows: list[list[object]] = []
    for name, make in requests:
        paths = [recommender.paths.find(make(r)) for r in roles]  # every role plans (and warms up) before timing
        steps = float(np.mean([len(p.steps) for p in paths]))
        coverage = float(np.mean([p.gap_coverage for p in paths]))

        def find(role: str, make: Callable[[str], PathRequest] = make) -> object:
            return recommender.paths.find(make(role))

        p50, p95, mean = time_cycling(find, roles, repeats)
        met = "yes" if p95 < PATH_GOAL_MS else "NO"
        courses = len(recommender.catalog.courses)
        rows.append([label, courses, name, steps, coverage, p50, p95, mean, p95 / baseline_p95, PATH_GOAL_MS, met])
    return rows


def measure_paths(
    services: Services, courses: int, repeats: int, hours: float, peer_learners: int
) -> tuple[list[list[object]], list[str]]:
    notes: list[str] = []
    bundled = services.recommender
    catalog, origin = scale_catalog(bundled.catalog, courses)
    semantic = scaled_semantic(bundled.semantic, catalog, origin)
    started = time.perf_counter()
    recommender = Recommender(catalog, semantic, services.retriever)
    pairs = sum(len(v) for v in recommender.duplicates.pairs().values()) // 2
    notes.append(
        f"scaled catalogue: {len(catalog.courses)} courses, {len(catalog.roles)} roles, recommender built in "
        f"{time.perf_counter() - started:.1f} s, {pairs} near-duplicate pairs at threshold "
        f"{recommender.duplicates.threshold:.2f}"
    )
    baseline, baseline_p95 = baseline_row(catalog, "scaled", recommender.config.budget().minutes, repeats)
    rows = [baseline, *path_rows(recommender, "scaled", path_requests(recommender, hours), repeats, baseline_p95)]
    if peer_learners:
        started = time.perf_counter()
        log = generate_completions(catalog, SyntheticConfig(learners=peer_learners, seed=0))
        generated = time.perf_counter() - started
        started = time.perf_counter()
        with_peers = Recommender(catalog, semantic, services.retriever, completions=log)
        notes.append(
            f"peer signals: {len(log):,} synthetic records of {peer_learners:,} learners generated in "
            f"{generated:.1f} s; recommender with peer model (fit + cold start) built in "
            f"{time.perf_counter() - started:.1f} s"
        )
        requests = peer_requests(with_peers, learner_histories(log))
        rows += path_rows(with_peers, "scaled + peers", requests, repeats, baseline_p95)
    return rows, notes


# -- (b) related content ---------------------------------------------------------------------------------------
def related_rows(services: Services, label: str, repeats: int) -> list[list[object]]:
    authoring = services.recommender.authoring
    keys = [str(n) for n in range(len(DRAFTS))]
    drafts = {str(n): Draft(title=t, description=d) for n, (t, d) in enumerate(DRAFTS)}
    queries = {key: f"{d.title}\n{d.description}"[:QUERY_CHARS] for key, d in drafts.items()}
    courses = len(authoring.catalog.courses)
    chunks = len(services.store.chunk_ids())

    def retrieve(key: str) -> object:
        return services.retriever.retrieve(
            queries[key], k=10, filters=Filters(kinds=None), viewer=Viewer.anonymous(), per_document=True
        )

    baseline = time_cycling(retrieve, keys, repeats)
    rows: list[list[object]] = []
    for name, call in (
        ("query embedding only", lambda key: services.embedder.embed_query(queries[key])),
        ("bare retriever call (baseline)", retrieve),
        ("authoring.related(draft)", lambda key: authoring.related(drafts[key], k=10)),
    ):
        p50, p95, mean = baseline if call is retrieve else time_cycling(call, keys, repeats)
        goal = RELATED_GOAL_MS if name.startswith("authoring") else ""
        met = ("yes" if p95 < RELATED_GOAL_MS else "NO") if goal else ""
        rows.append([label, courses, chunks, name, p50, p95, mean, p95 / baseline[1], goal, met])
    return rows


def add_scaled_courses(services: Services, courses: int, copy_cosine: float, seed: int = 0) -> None:
    """Store the scaled catalogue's copies with passage vectors = their original's passage vectors plus noise."""
    store, embedder = services.store, services.embedder
    originals = [c for c in services.recommender.catalog.courses.values()]
    scaled, origin = scale_courses(originals, courses, seed)
    copies: list[Course] = [c for c in scaled if origin[c.id] != c.id]
    with store.transaction():
        for course in copies:
            store.upsert_document(course)
    ids, vectors = store.embeddings(embedder.model_id, embedder.dimension)
    chunks = store.chunks()
    row = {int(i): n for n, i in enumerate(ids.tolist())}
    by_position = {(s.chunk.doc_id, s.chunk.ordinal): s.id for s in chunks}
    new_ids, sources = [], []
    for stored in chunks:
        doc = stored.chunk.doc_id
        if origin.get(doc, doc) == doc:
            continue
        source = by_position.get((origin[doc], stored.chunk.ordinal), by_position.get((origin[doc], 0)))
        if source is None or source not in row:
            continue
        new_ids.append(stored.id)
        sources.append(row[source])
    noisy = perturbed(vectors[sources], copy_cosine, np.random.default_rng(seed))
    store.put_embeddings(embedder.model_id, new_ids, noisy)
    services.rebuild_index()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--courses", type=int, default=5000, help="size of the scaled catalogue for paths")
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--hours", type=float, default=20.0, help="the plain hours budget")
    parser.add_argument("--peer-learners", type=int, default=5000, help="synthetic learners for peer rows; 0: none")
    parser.add_argument("--related-scale", type=int, default=5000, help="courses in the scaled related run; 0: none")
    parser.add_argument("--copy-cosine", type=float, default=COPY_COSINE, help="expected cosine copy-original")
    add_embedder_arguments(parser)
    args = parser.parse_args()

    started = time.perf_counter()
    embedder = load_embedder(args.embedder, args.models_dir)
    services = bundled_services("recommender-latency", args.embedder, embedder)
    print(f"bundled corpus indexed with {embedder.model_id} in {time.perf_counter() - started:.1f} s")

    path_table, notes = measure_paths(services, args.courses, args.repeats, args.hours, args.peer_learners)
    related_table = related_rows(services, "bundled", args.repeats)
    if args.related_scale:
        started = time.perf_counter()
        add_scaled_courses(services, args.related_scale, args.copy_cosine)
        notes.append(f"scaled related corpus stored and indexed in {time.perf_counter() - started:.1f} s")
        related_table += related_rows(services, "scaled", args.repeats)

    for note in notes:
        print(note)
    print_table(
        f"Learning paths over a scaled catalogue ({embedder.model_id}), milliseconds, {args.repeats} calls per row",
        PATH_COLUMNS,
        path_table,
    )
    print_table(
        f"Related content for a draft, k=10 ({embedder.model_id}), milliseconds, {args.repeats} calls per row",
        RELATED_COLUMNS,
        related_table,
    )
    services.close()


if __name__ == "__main__":
    main()
