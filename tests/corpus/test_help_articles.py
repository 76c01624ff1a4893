"""Help articles: a document kind of its own, loaded from Markdown like case studies, searchable and answerable."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.chunking import chunk_document
from corpus.errors import ValidationError
from corpus.ingest import IngestSources, ingest
from corpus.loaders import load_help_articles
from corpus.search import HybridRetriever
from corpus.serialize import document_from_dict, document_to_dict
from corpus.store import Store
from corpus.types import Filters, HelpArticle
from embeddings.hashing import HashingEmbedder
from tests.conftest import DATA

HELP = DATA / "help"
ARTICLE = """---
id: help-x
title: X
topic: {topic}
language: en
updated: {updated}
---
Body text.
"""


def test_markdown_articles_load_with_their_fields() -> None:
    loaded = load_help_articles(HELP)
    assert loaded.problems == []
    articles = {a.id: a for a in loaded.items}
    english = articles["help-progress-hours-missing"]
    assert isinstance(english, HelpArticle)
    assert (english.kind, english.topic, english.audience, english.updated) == ("help", "progress", "learner",
                                                                                 "2026-11-20")  # fmt: skip
    assert english.visibility == "public" and english.department is None
    assert articles["help-progress-hours-missing-hi"].translation_of == "help-progress-hours-missing"
    assert articles["help-access-api-keys"].audience == "everyone"  # the default


def test_chunks_follow_headings_and_keep_wrapped_bullets_whole() -> None:
    article = next(a for a in load_help_articles(HELP).items if a.id == "help-progress-hours-missing")
    chunks = chunk_document(article)
    assert [c.section for c in chunks] == ["", "Why hours may be missing", "What to do"]
    assert "ask your department's administrator to check the learner list." in " ".join(chunks[1].text.split())
    assert chunks[1].context == f"{article.title} — Why hours may be missing"


@pytest.mark.parametrize(
    ("topic", "updated", "field", "expected"),
    [
        ("weather", "2026-11-20", "topic", "expected one of programme"),
        ("progress", "next week", "updated", "expected a date as YYYY-MM-DD"),
        ("progress", "2026-11-20T10:00", "updated", "expected a date as YYYY-MM-DD"),
    ],
)
def test_bad_field_is_named_with_file_and_expectation(
    tmp_path: Path, topic: str, updated: str, field: str, expected: str
) -> None:
    path = tmp_path / "help-x.md"
    path.write_text(ARTICLE.format(topic=topic, updated=updated), encoding="utf-8")
    loaded = load_help_articles(path)
    assert loaded.items == []
    (problem,) = loaded.problems
    assert problem.source == str(path) and problem.field == field and expected in problem.message


def test_unknown_translation_stops_the_whole_ingest(tmp_path: Path) -> None:
    (tmp_path / "help-x.md").write_text(
        ARTICLE.format(topic="tutor", updated="2026-01-01").replace(
            "updated:", "translation_of: help-nothing\nupdated:"
        ),
        encoding="utf-8",
    )
    store = Store.open(tmp_path / "db.sqlite")
    with pytest.raises(ValidationError, match="unknown help article id 'help-nothing'"):
        ingest(store, IngestSources(help_articles=[HELP, tmp_path / "help-x.md"]))
    assert store.counts()["help_articles"] == 0  # nothing of the run was written


def test_store_round_trip_and_counts(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "db.sqlite")
    report = ingest(store, IngestSources(help_articles=[HELP]))
    assert report.as_dict()["written"] == {"help_articles": {"added": 3}}
    assert store.counts()["help_articles"] == 3
    stored = store.get_document("help-progress-hours-missing")
    assert isinstance(stored, HelpArticle)
    assert document_from_dict("help", document_to_dict(stored)) == stored


def test_search_finds_help_by_kind_and_groups_translations(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "db.sqlite")
    ingest(store, IngestSources.bundle(DATA / "mini"))
    ingest(store, IngestSources(help_articles=[HELP]))
    retriever = HybridRetriever(store, HashingEmbedder())
    retriever.refresh(None)  # lexical only: no index built
    hits = retriever.retrieve("learning hours missing after finishing", k=3, filters=Filters(kinds=frozenset({"help"})),
                              mode="lexical", prefer_language="hi")  # fmt: skip
    assert hits and {h.kind for h in hits} == {"help"}
    # The Hindi member shares no word with the query, so the group is shown by its original, naming the Hindi one.
    assert hits[0].doc_id == "help-progress-hours-missing" and hits[0].also_in == ("hi",)
    hindi = retriever.retrieve("घंटे नहीं दिखते", k=3, mode="lexical", prefer_language="hi")
    assert hindi[0].doc_id == "help-progress-hours-missing-hi" and hindi[0].also_in == ("en",)
    everything = retriever.retrieve("learning hours missing after finishing a course", k=10, mode="lexical")
    assert {"help", "course"} <= {h.kind for h in everything}


def test_references_must_name_a_document_of_their_own_kind(tmp_path: Path) -> None:
    """A course's prerequisite must be a course, a translation a document of the same kind."""
    store = Store.open(tmp_path / "db.sqlite")
    ingest(store, IngestSources.bundle(DATA / "mini"))
    ingest(store, IngestSources(help_articles=[HELP]))
    course = tmp_path / "course.jsonl"
    course.write_text(
        '{"id": "crs-new", "title": "New", "description": "About.", "language": "en", "duration_minutes": 30,'
        ' "level": "Beginner", "provider": "ATI", "prerequisites": ["cs-phishing-treasury"]}\n',
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="unknown course id 'cs-phishing-treasury'"):
        ingest(store, IngestSources(courses=[course]))
    (tmp_path / "help-y.md").write_text(
        ARTICLE.format(topic="tutor", updated="2026-01-01")
        .replace("id: help-x", "id: help-y")
        .replace("updated:", "translation_of: cs-phishing-treasury\nupdated:"),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="unknown help article id 'cs-phishing-treasury'"):
        ingest(store, IngestSources(help_articles=[tmp_path / "help-y.md"]))
