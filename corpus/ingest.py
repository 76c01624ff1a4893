"""Ingest: load and validate everything first, check references, then write it all in one transaction."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.errors import Problem, ValidationError
from corpus.loaders import Loaded, load_case_studies, load_competencies, load_courses, load_help_articles, load_roles
from corpus.store import Store
from corpus.types import CaseStudy, Competency, Course, HelpArticle, Role


@dataclass
class IngestSources:
    courses: list[Path] = field(default_factory=list)
    case_studies: list[Path] = field(default_factory=list)
    roles: list[Path] = field(default_factory=list)
    competencies: list[Path] = field(default_factory=list)
    help_articles: list[Path] = field(default_factory=list)
    pdf_meta: Path | None = None

    @classmethod
    def bundle(cls, directory: Path) -> IngestSources:
        """The layout of ``corpus/data``: competencies/, roles.yaml, courses/, case_studies/, help/ (each optional)."""
        sources = cls()
        for name, target in (
            ("competencies", sources.competencies),
            ("roles", sources.roles),
            ("courses", sources.courses),
            ("case_studies", sources.case_studies),
            ("help", sources.help_articles),
        ):
            for candidate in (directory / name, directory / f"{name}.yaml", directory / f"{name}.jsonl"):
                if candidate.exists():
                    target.append(candidate)
        if sources.is_empty():
            message = "no competencies/, roles.yaml, courses/ or case_studies/ found here"
            raise ValidationError([Problem(str(directory), None, None, message)])
        return sources

    def is_empty(self) -> bool:
        return not (self.courses or self.case_studies or self.roles or self.competencies or self.help_articles)


@dataclass
class IngestReport:
    outcomes: dict[str, Counter[str]] = field(default_factory=dict)
    skipped: list[Problem] = field(default_factory=list)
    sanitized: list[Problem] = field(default_factory=list)

    def count(self, kind: str, outcome: str) -> None:
        self.outcomes.setdefault(kind, Counter())[outcome] += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "written": {kind: dict(counter) for kind, counter in self.outcomes.items()},
            "skipped": [str(p) for p in self.skipped],
            "sanitized": [str(p) for p in self.sanitized],
        }


@dataclass
class IngestBatch:
    """Loaded records waiting to be checked against each other and the store, then written together."""

    competencies: Loaded[Competency] = field(default_factory=Loaded)
    roles: Loaded[Role] = field(default_factory=Loaded)
    courses: Loaded[Course] = field(default_factory=Loaded)
    case_studies: Loaded[CaseStudy] = field(default_factory=Loaded)
    help_articles: Loaded[HelpArticle] = field(default_factory=Loaded)

    def groups(self) -> tuple[Loaded[Any], ...]:
        return (self.competencies, self.roles, self.courses, self.case_studies, self.help_articles)


def _load(sources: IngestSources) -> IngestBatch:
    batch = IngestBatch()
    for path in sources.competencies:
        batch.competencies.extend(load_competencies(path))
    for path in sources.roles:
        batch.roles.extend(load_roles(path))
    for path in sources.courses:
        batch.courses.extend(load_courses(path))
    for path in sources.case_studies:
        batch.case_studies.extend(load_case_studies(path, meta=sources.pdf_meta))
    for path in sources.help_articles:
        batch.help_articles.extend(load_help_articles(path))
    return batch


def _check_references(batch: IngestBatch, store: Store, unseen: frozenset[str]) -> dict[int, list[Problem]]:
    """Problems that need the whole batch and the store: duplicates, unknown competencies and course ids.

    Returns problems keyed by ``id()`` of the offending record so ``--skip-invalid`` can drop exactly those.
    """
    problems: dict[int, list[Problem]] = {}

    def report(record: object, origin: tuple[str, str | None], field_name: str, message: str) -> None:
        problems.setdefault(id(record), []).append(Problem(origin[0], origin[1], field_name, message))

    competency_ids = store.competency_ids() | {c.id for c in batch.competencies.items}
    # An unseen id is unknown, in the same words as one that does not exist; a reference must name its own kind.
    stored: dict[str, set[str]] = {}
    for row in store.document_rows():
        if row.id not in unseen:
            stored.setdefault(row.kind, set()).add(row.id)
    course_ids = stored.get("course", set()) | {c.id for c in batch.courses.items}
    for loaded in batch.groups():
        seen: dict[str, tuple[str, str | None]] = {}
        for record, origin in zip(loaded.items, loaded.origins, strict=True):
            record_id = str(getattr(record, "id", ""))
            if record_id in seen:
                first = seen[record_id]
                report(record, origin, "id", f"duplicate id {record_id!r} (first at {first[0]}:{first[1]})")
            seen.setdefault(record_id, origin)
    tagged: list[tuple[Role | Course, tuple[str, str | None]]] = [
        *zip(batch.roles.items, batch.roles.origins, strict=True),
        *zip(batch.courses.items, batch.courses.origins, strict=True),
    ]
    for record, origin in tagged:
        for position, ref in enumerate(record.competencies, start=1):
            if ref.id not in competency_ids:
                name = f"{ref.type.value} > {ref.theme} > {ref.sub_theme}"
                report(record, origin, f"competencies[{position}]", f"unknown competency {name} (id {ref.id})")
    for course, origin in zip(batch.courses.items, batch.courses.origins, strict=True):
        for prerequisite in course.prerequisites:
            if prerequisite not in course_ids:
                report(course, origin, "prerequisites", f"unknown course id {prerequisite!r}")
            if prerequisite == course.id:
                report(course, origin, "prerequisites", "a course cannot be its own prerequisite")
        if course.translation_of and course.translation_of not in course_ids:
            report(course, origin, "translation_of", f"unknown course id {course.translation_of!r}")
    case_ids = stored.get("case_study", set()) | {c.id for c in batch.case_studies.items}
    for case, origin in zip(batch.case_studies.items, batch.case_studies.origins, strict=True):
        if case.translation_of and (case.translation_of not in case_ids or case.translation_of == case.id):
            report(case, origin, "translation_of", f"unknown case study id {case.translation_of!r}")
    help_ids = stored.get("help", set()) | {a.id for a in batch.help_articles.items}
    for article, origin in zip(batch.help_articles.items, batch.help_articles.origins, strict=True):
        if article.translation_of and (article.translation_of not in help_ids or article.translation_of == article.id):
            report(article, origin, "translation_of", f"unknown help article id {article.translation_of!r}")
    return problems


def check_batch(store: Store, batch: IngestBatch, *, unseen: frozenset[str] = frozenset()) -> None:
    """Raise ValidationError if ``ingest_batch`` would refuse the batch as the store stands now (it checks again
    when it writes): for a caller that answers before it writes."""
    problems = [p for loaded in batch.groups() for p in loaded.problems]
    problems += [p for group in _check_references(batch, store, unseen).values() for p in group]
    if problems:
        raise ValidationError(problems)


def ingest(store: Store, sources: IngestSources, *, skip_invalid: bool = False) -> IngestReport:
    """Validate every record, then write all of them in one transaction (or none, on any problem)."""
    return ingest_batch(store, _load(sources), skip_invalid=skip_invalid)


def ingest_batch(
    store: Store, batch: IngestBatch, *, skip_invalid: bool = False, unseen: frozenset[str] = frozenset()
) -> IngestReport:
    """Check loaded records against each other and the store, then write them in one transaction (or none).

    The reference checks and the writes run inside one store transaction, so a concurrent writer cannot slip
    in between (e.g. delete a prerequisite that was just checked). ``unseen``: stored ids the records may not refer
    to (another department's private case studies, for an author's upload), reported as unknown ids."""
    with store.transaction():
        return _check_and_write(store, batch, skip_invalid, unseen)


_REPORT_NAMES = {"course": "courses", "case_study": "case_studies", "help": "help_articles"}


def _check_and_write(store: Store, batch: IngestBatch, skip_invalid: bool, unseen: frozenset[str]) -> IngestReport:
    reference_problems = _check_references(batch, store, unseen)
    problems = [
        *(p for loaded in batch.groups() for p in loaded.problems),
        *(p for group in reference_problems.values() for p in group),
    ]
    if problems and not skip_invalid:
        raise ValidationError(problems)
    report = IngestReport(skipped=problems)
    report.sanitized = [n for loaded in batch.groups() for n in loaded.notices]
    keep = [item for loaded in batch.groups() for item in loaded.items if id(item) not in reference_problems]
    with store.transaction():
        for item in keep:
            if isinstance(item, Competency):
                store.upsert_competency(item)
                report.count("competencies", "written")
            elif isinstance(item, Role):
                store.upsert_role(item)
                report.count("roles", "written")
            else:
                report.count(_REPORT_NAMES[item.kind], store.upsert_document(item))
    return report
