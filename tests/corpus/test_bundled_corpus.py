"""The bundled corpus loads through the normal ingest path and meets the corpus issue's counts and checks."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from corpus.ingest import IngestSources, ingest
from corpus.lexical import tokenize
from corpus.store import Store
from corpus.types import CaseStudy, CompetencyType, Course, HelpArticle, competency_id
from embeddings import Embedder
from gyanpath.settings import BUNDLED_CORPUS

QUERIES = Path(__file__).parents[2] / "bench" / "queries"
KCM = Path(__file__).parents[3] / "shared" / "reference" / "kcm_competency_framework.json"
NEAR_DUPLICATE = 0.95


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store.open(tmp_path_factory.mktemp("bundled") / "gyanpath.db")
    report = ingest(store, IngestSources.bundle(BUNDLED_CORPUS))
    assert not report.skipped and not report.sanitized
    return store


def devanagari_share(text: str) -> float:
    letters = [c for c in text if c.isalpha() or "\u0900" <= c <= "\u097f"]
    return sum("\u0900" <= c <= "\u097f" for c in letters) / max(1, len(letters))


def test_counts(bundled: Store) -> None:
    courses = [d for d in bundled.documents("course") if isinstance(d, Course)]
    cases = [d for d in bundled.documents("case_study") if isinstance(d, CaseStudy)]
    assert len(bundled.roles()) >= 20
    assert len(courses) >= 150 and sum(c.language == "hi" for c in courses) >= 40
    assert sum(c.translation_of is not None for c in courses) >= 5
    assert len(cases) >= 60 and sum(c.language == "hi" for c in cases) >= 15
    assert 1 <= sum(c.visibility != "public" for c in cases) <= 10
    assert len({c.sector for c in cases}) == 10
    assert {"ai", "cyber-security"} <= {t for c in courses for t in c.tags}


def test_required_roles_are_present(bundled: Store) -> None:
    titles = " | ".join(r.title.lower() for r in bundled.roles())
    for needle in (
        "asha",
        "anm",
        "constable",
        "sub-inspector",
        "panchayat secretary",
        "sanitary inspector",
        "junior engineer",
        "block development officer",
        "social welfare officer",
        "tehsildar",
        "section officer",
        "assistant section officer",
        "teacher",
        "treasury",
        "procurement",
        "e-office",
        "information officer",
        "direct recruit",
        "e-governance officer",
        "head of office",
    ):
        assert needle in titles, needle


def test_role_competency_profiles(bundled: Store) -> None:
    known = bundled.competency_ids()
    for role in bundled.roles():
        kinds = Counter(ref.type for ref in role.competencies)
        assert 10 <= len(role.competencies) <= 16, role.id
        assert kinds[CompetencyType.BEHAVIOURAL] >= 4 and kinds[CompetencyType.FUNCTIONAL] >= 4, role.id
        assert kinds[CompetencyType.DOMAIN] >= 1, role.id
        assert {ref.id for ref in role.competencies} <= known and role.activities


def test_course_tags_and_prerequisites_resolve(bundled: Store) -> None:
    known = bundled.competency_ids()
    courses = {d.id: d for d in bundled.documents("course") if isinstance(d, Course)}
    for course in courses.values():
        assert {ref.id for ref in course.competencies} <= known, course.id
        assert set(course.prerequisites) <= set(courses), course.id
        assert 30 <= course.duration_minutes <= 720, course.id
        original = courses.get(course.translation_of or "")
        if original is None:
            assert 80 <= len(course.description.split()) <= 200, course.id
        else:  # a translation says the same in as many words as its language needs (Urdu writes postpositions apart)
            ratio = len(course.description.split()) / len(original.description.split())
            assert 0.6 <= ratio <= 1.6, (course.id, ratio)
            assert (course.duration_minutes, course.level) == (original.duration_minutes, original.level), course.id


def test_dictionary_covers_every_behavioural_and_functional_sub_theme(bundled: Store) -> None:
    if not KCM.exists():
        pytest.skip(f"the KCM reference is not beside the checkout ({KCM})")
    known = bundled.competency_ids()
    for kind in json.loads(KCM.read_text(encoding="utf-8")):
        if kind["name"] == "Domain":
            continue
        for theme in kind["competency_theme"]:
            for sub_theme in theme["competency_sub_theme"]:
                assert competency_id(CompetencyType(kind["name"]), theme["name"], sub_theme) in known
    for competency in bundled.competencies():
        assert all(competency.levels.values()) and competency.description


def test_hindi_records_are_in_devanagari(bundled: Store) -> None:
    for document in bundled.documents():
        if document.language == "hi":
            text = document.title + (document.description if isinstance(document, Course) else document.body)
            # Help articles name commands, tabs and fields as the screen shows them (`gyanpath keys`, API key).
            assert devanagari_share(text) > (0.6 if document.kind == "help" else 0.7), document.id


def test_case_studies_have_sections_and_figures(bundled: Store) -> None:
    for case in bundled.documents("case_study"):
        assert isinstance(case, CaseStudy)
        assert 300 <= len(case.body.split()) <= 950, case.id
        assert case.body.count("## ") >= 4 and len(re.findall(r"\d", case.body)) >= 10, case.id


def test_no_two_descriptions_are_lexical_near_copies(bundled: Store) -> None:
    texts = [(d.id, set(tokenize(d.description if isinstance(d, Course) else d.body))) for d in bundled.documents()]
    for n, (first, a) in enumerate(texts):
        for second, b in texts[n + 1 :]:
            assert len(a & b) / len(a | b) < 0.5, (first, second)


@pytest.mark.slow
def test_no_accidental_near_duplicates_by_embedding(bundled: Store, e5: Embedder) -> None:
    documents = bundled.documents()
    texts = [f"{d.title}. {(d.description if isinstance(d, Course) else d.body)[:400]}" for d in documents]
    vectors = e5.embed_documents(texts)
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, 0.0)
    intended = {(d.id, d.translation_of) for d in documents if d.translation_of}  # a translation is meant to be close
    intended |= {(b, a) for a, b in intended}
    for i, j in zip(*np.nonzero(similarity >= NEAR_DUPLICATE), strict=True):
        assert (documents[i].id, documents[j].id) in intended, (documents[i].id, documents[j].id, similarity[i, j])


def test_labelled_query_sets(bundled: Store) -> None:
    ids = bundled.document_ids()
    languages = {d.id: d.language for d in bundled.documents()}
    retrieval = [json.loads(line) for line in (QUERIES / "retrieval.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(retrieval) >= 80 and sum(q["lang"] == "hi" for q in retrieval) >= 25
    assert any(q["lang"] == "hi" and all(languages[r] == "en" for r in q["relevant"]) for q in retrieval)
    assert all(set(q["relevant"]) <= ids for q in retrieval)
    tutor = [json.loads(line) for line in (QUERIES / "tutor.jsonl").read_text(encoding="utf-8").splitlines()]
    answerable = [q for q in tutor if q["answers"]]
    assert len(answerable) >= 60 and sum(q["lang"] == "hi" for q in answerable) >= 15
    assert sum(not q["answers"] for q in tutor) >= 20
    assert all(set(q["relevant"]) <= ids for q in answerable)


def test_help_articles_cover_the_help_desk_in_english_and_hindi(bundled: Store) -> None:
    articles = [d for d in bundled.documents("help") if isinstance(d, HelpArticle)]
    english = {a.id: a for a in articles if a.language == "en"}
    hindi = [a for a in articles if a.language == "hi"]
    assert len(articles) >= 40
    assert {a.translation_of for a in hindi} == set(english)  # every English article has its Hindi version
    assert all(devanagari_share(a.body) > 0.6 for a in hindi)
    required = {"programme", "mandatory-modules", "progress", "reports", "tutor", "learning-paths", "access"}
    assert required <= {a.topic for a in english.values()}
    wrapped = [a for a in articles if _hard_wrapped(a.body)]
    assert 0 < len(wrapped) < len(articles)  # some hard-wrapped, some one paragraph a line


def test_help_questions_are_short_labelled_and_halved(bundled: Store) -> None:
    rows = [json.loads(line) for path in sorted(QUERIES.glob("help*.jsonl")) for line in path.open(encoding="utf-8")]
    assert len(rows) >= 150
    assert len({r["id"] for r in rows}) == len(rows)
    ids = bundled.document_ids()
    assert all(set(r["relevant"]) <= ids for r in rows)
    styles = Counter((r["style"], r["split"]) for r in rows)
    for style in ("en", "hi", "hinglish"):
        assert styles[(style, "dev")] >= 20 and styles[(style, "test")] >= 20
    assert all(len(r["query"].split()) <= 14 for r in rows)  # help-desk questions, not descriptions
    assert all(r["lang"] == ("en" if r["style"] == "en" else "hi") for r in rows)


def _hard_wrapped(body: str) -> bool:
    """Whether a paragraph continues on the next line (not a list item or heading starting there)."""
    lines = body.splitlines()
    return any(
        previous.strip() and not previous.startswith("#") and line.strip() and not line.lstrip().startswith(("-", "#"))
        for previous, line in itertools.pairwise(lines)
    )
