"""Shared data for the recommender benchmarks: the bundled catalogue, a synthetically scaled one, and embedders.

The scaled catalogue is the bundled one plus numbered copies of its courses (new ids, perturbed durations, levels
and titles). A copy's prerequisites and translation link point inside the same copy, and it keeps the original's
competency tags and course tags, so each copy is a plausible parallel course with the same structure. Course
vectors of a copy are the original's vector plus isotropic noise sized so that the expected cosine to the original
is ``copy_cosine`` (two copies of one course then sit near ``copy_cosine`` squared, below the near-duplicate
thresholds), so no embedding of thousands of texts is needed.

Converted models are kept in one scratch models directory (``--models-dir``) so that the e5 conversion (about a
minute) happens once, not once per run.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.common import scratch_home
from corpus.ingest import IngestSources, ingest
from corpus.store import Store
from corpus.types import CompetencyRef, Course, Level
from embeddings import Embedder, create_embedder, normalize_rows
from embeddings.threads import Threads
from gyanpath.services import Services
from gyanpath.settings import BUNDLED_CORPUS, Settings
from recommender.catalog import Catalog
from recommender.semantic import Matrix, Semantic

MODELS_DIR = Path(tempfile.gettempdir()) / "gyanpath-bench-models"
EMBED_THREADS = 2
COPY_COSINE = 0.88
LEVELS = (Level.BEGINNER, Level.INTERMEDIATE, Level.ADVANCED)
EDITIONS = ("edition", "batch", "cohort", "series", "track")


def add_embedder_arguments(parser: argparse.ArgumentParser, default: str = "e5-multilingual") -> None:
    parser.add_argument("--embedder", default=default, help="e5-multilingual, minilm-en or hashing (smoke runs)")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR, help="where converted models are kept")


def load_embedder(name: str, models_dir: Path = MODELS_DIR) -> Embedder:
    return create_embedder(name, threads=Threads(workers=EMBED_THREADS), cache_dir=models_dir)


def bundled_store(name: str) -> Store:
    """A scratch store holding the bundled corpus (no index)."""
    store = Store.open(scratch_home(name) / "gyanpath.db")
    ingest(store, IngestSources.bundle(BUNDLED_CORPUS))
    return store


def bundled_catalog() -> Catalog:
    store = bundled_store("catalog")
    try:
        return Catalog.from_store(store)
    finally:
        store.close()


def bundled_services(label: str, embedder_name: str, embedder: Embedder) -> Services:
    """Services over the bundled corpus with a built index (sentence vectors for the tutor are skipped)."""
    settings = Settings(
        home=scratch_home(label), embedder=embedder_name, embed_threads=EMBED_THREADS, precompute_sentences=False
    )
    services = Services.create(settings, embedder=embedder)
    ingest(services.store, IngestSources.bundle(BUNDLED_CORPUS))
    services.rebuild_index()
    return services


def copy_id(course_id: str, copy: int) -> str:
    return f"{course_id}-x{copy:03d}"


def _shift(level: Level, delta: int) -> Level:
    return LEVELS[min(2, max(0, level.rank - 1 + delta))]


def copy_course(course: Course, copy: int, kept: set[str], rng: random.Random) -> Course:
    """A numbered copy: links stay inside the copy, duration/level/title perturbed, tags kept."""
    delta = rng.choice((-1, 1)) if rng.random() < 0.25 else 0
    refs = tuple(CompetencyRef(r.type, r.theme, r.sub_theme, _shift(r.level, delta)) for r in course.competencies)
    minutes = max(15, round(course.duration_minutes * rng.uniform(0.6, 1.6) / 5) * 5)
    translation = course.translation_of
    return replace(
        course,
        id=copy_id(course.id, copy),
        title=f"{course.title} ({rng.choice(EDITIONS)} {copy})",
        duration_minutes=minutes,
        level=_shift(course.level, delta),
        competencies=refs,
        prerequisites=tuple(copy_id(p, copy) for p in course.prerequisites if p in kept),
        translation_of=copy_id(translation, copy) if translation and translation in kept else None,
    )


def scale_courses(courses: Sequence[Course], size: int, seed: int = 0) -> tuple[list[Course], dict[str, str]]:
    """The originals plus copies up to ``size`` courses; also each course id -> the id it was copied from."""
    rng = random.Random(seed)
    originals = sorted(courses, key=lambda c: c.id)
    result = originals[:size]
    origin = {c.id: c.id for c in result}
    copy = 1
    while len(result) < size:
        take = originals[: size - len(result)]
        kept = {c.id for c in take}
        for course in take:
            new = copy_course(course, copy, kept, rng)
            result.append(new)
            origin[new.id] = course.id
        copy += 1
    return result, origin


def scale_catalog(catalog: Catalog, size: int, seed: int = 0) -> tuple[Catalog, dict[str, str]]:
    courses, origin = scale_courses(list(catalog.courses.values()), size, seed)
    return Catalog.build(courses, catalog.roles.values(), catalog.competencies.values()), origin


def noise_scale(copy_cosine: float, dimension: int) -> float:
    """Per-dimension noise sigma giving a unit vector plus noise an expected cosine of ``copy_cosine`` to it."""
    return math.sqrt((1.0 / copy_cosine**2 - 1.0) / dimension)


def perturbed(vectors: Matrix, copy_cosine: float, rng: np.random.Generator) -> Matrix:
    sigma = noise_scale(copy_cosine, vectors.shape[1])
    noisy = vectors + rng.normal(0.0, sigma, vectors.shape).astype(np.float32)
    return normalize_rows(noisy)


def scaled_semantic(
    original: Semantic,
    catalog: Catalog,
    origin: dict[str, str],
    copy_cosine: float = COPY_COSINE,
    seed: int = 0,
) -> Semantic:
    """A Semantic over the scaled catalogue: originals keep their vectors, copies get them plus noise."""
    semantic = Semantic(original.embedder, catalog)
    rows = [original.course_row[origin[c]] for c in semantic.course_ids]
    vectors = original.courses[rows].copy()
    is_copy = np.array([origin[c] != c for c in semantic.course_ids])
    vectors[is_copy] = perturbed(vectors[is_copy], copy_cosine, np.random.default_rng(seed))
    semantic.set_course_vectors(vectors)
    return semantic


SENTENCE_END = re.compile(r"(?<=[.!?।])\s+")


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text.strip()) if s]
