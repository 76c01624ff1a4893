"""Retrieval evaluation: labelled query sets and the standard ranking metrics, overall and per language."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.errors import Problem, ValidationError
from corpus.loaders.base import iter_jsonl
from corpus.types import LANGUAGES
from corpus.validation import RecordReader

CUTOFFS = (1, 5, 10)


@dataclass(frozen=True)
class LabelledQuery:
    query: str
    relevant: frozenset[str]
    lang: str
    source: str | None = None
    """The file the query was read from, and its line there (for messages about it)."""
    line: str | None = None
    split: str | None = None
    """``dev`` or ``test`` where the set is halved (fit on dev only), else None."""


def load_queries(path: Path) -> list[LabelledQuery]:
    """Read ``{"query", "relevant", "lang"}`` lines (optional ``id``, ``split`` dev/test, ``style``); any bad line is
    an error naming file and line."""
    queries, problems = [], []
    for line, raw in iter_jsonl(path):
        if isinstance(raw, Problem):
            problems.append(raw)
            continue
        r = RecordReader(raw, str(path), line)
        r.reject_unknown(("query", "relevant", "lang", "id", "split", "style"))
        split = r.choice("split", ("dev", "test"), required=False)
        query = r.text("query", max_len=2000)
        relevant = r.text_list("relevant")
        lang = r.choice("lang", LANGUAGES)
        if not relevant and not r.problems:
            r.fail("relevant", "expected at least one relevant document id")
        problems.extend(r.problems)
        if not r.problems and query and lang:
            queries.append(LabelledQuery(query, frozenset(relevant), lang, str(path), line, split))
    if problems:
        raise ValidationError(problems)
    return queries


def unknown_id_problems(
    labels: Iterable[tuple[Iterable[str], str | None, str | None]], known_ids: Collection[str], field: str = "relevant"
) -> list[Problem]:
    """Problems for label ids that name no stored document: first one line listing every unknown id, then one per
    (file, line) that uses them. ``labels`` are (ids, source file, line) triples."""
    by_line: list[Problem] = []
    unknown: set[str] = set()
    sources: list[str] = []
    for ids, source, line in labels:
        missing = sorted({i for i in ids if i not in known_ids})
        if not missing:
            continue
        unknown.update(missing)
        if source and source not in sources:
            sources.append(source)
        names = ", ".join(repr(i) for i in missing)
        by_line.append(Problem(source or "labels", line, field, f"not in the store: {names}"))
    if not unknown:
        return []
    listed = ", ".join(sorted(unknown))
    summary = Problem(
        ", ".join(sources) or "labels",
        None,
        field,
        f"{len(unknown)} document id(s) named by the labels are not in the store: {listed}",
    )
    return [summary, *by_line]


def check_known_ids(queries: Iterable[LabelledQuery], known_ids: Collection[str]) -> None:
    """Raise :class:`ValidationError` naming every ``relevant`` id that is not in ``known_ids`` (the store's
    document ids), with the file and line of each query that uses one; a score against such labels means nothing."""
    problems = unknown_id_problems(((q.relevant, q.source, q.line) for q in queries), known_ids)
    if problems:
        raise ValidationError(problems)


def recall_at(ranked: Sequence[str], relevant: frozenset[str], k: int) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant)


def reciprocal_rank(ranked: Sequence[str], relevant: frozenset[str], k: int = 10) -> float:
    for rank, doc in enumerate(ranked[:k], start=1):
        if doc in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at(ranked: Sequence[str], relevant: frozenset[str], k: int = 10) -> float:
    gain = sum(1.0 / math.log2(rank + 1) for rank, doc in enumerate(ranked[:k], start=1) if doc in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return gain / ideal if ideal else 0.0


@dataclass(frozen=True)
class MetricRow:
    group: str
    queries: int
    recall: dict[int, float]
    mrr: float
    ndcg: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "queries": self.queries,
            **{f"recall@{k}": round(v, 4) for k, v in self.recall.items()},
            "mrr@10": round(self.mrr, 4),
            "ndcg@10": round(self.ndcg, 4),
        }


def _row(group: str, results: list[tuple[LabelledQuery, list[str]]]) -> MetricRow:
    n = max(len(results), 1)
    return MetricRow(
        group=group,
        queries=len(results),
        recall={k: sum(recall_at(r, q.relevant, k) for q, r in results) / n for k in CUTOFFS},
        mrr=sum(reciprocal_rank(r, q.relevant) for q, r in results) / n,
        ndcg=sum(ndcg_at(r, q.relevant) for q, r in results) / n,
    )


def evaluate(queries: Sequence[LabelledQuery], rank: Callable[[str], list[str]]) -> list[MetricRow]:
    """Score ``rank`` (query -> ranked document ids) on ``queries``: one row overall, then one per language."""
    results = [(q, rank(q.query)) for q in queries]
    rows = [_row("all", results)]
    for lang in sorted({q.lang for q in queries}):
        rows.append(_row(lang, [(q, r) for q, r in results if q.lang == lang]))
    return rows
