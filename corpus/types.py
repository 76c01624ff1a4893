"""Core domain types: frozen dataclasses. Pydantic lives only at the API edge."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, TypeAlias

from corpus.languages import LANGUAGES as LANGUAGES

DocumentKind: TypeAlias = Literal["course", "case_study", "help"]
DOCUMENT_KINDS: tuple[DocumentKind, ...] = ("course", "case_study", "help")
PUBLIC = "public"
DEPARTMENTS = (
    "health",
    "home-police",
    "revenue",
    "rural-development",
    "panchayati-raj",
    "urban-development",
    "school-education",
    "social-welfare",
    "women-child-development",
    "finance",
    "it-egov",
    "public-works",
    "water-resources",
    "general-administration",
    "disaster-management",
    "personnel-training",
)
SECTORS = (
    "health",
    "policing",
    "revenue",
    "rural-development",
    "urban-services",
    "education",
    "social-welfare",
    "procurement",
    "e-governance",
    "disaster-response",
)


class Level(StrEnum):
    BEGINNER = "Beginner"
    INTERMEDIATE = "Intermediate"
    ADVANCED = "Advanced"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {Level.BEGINNER: 1, Level.INTERMEDIATE: 2, Level.ADVANCED: 3}


class CompetencyType(StrEnum):
    BEHAVIOURAL = "Behavioural"
    FUNCTIONAL = "Functional"
    DOMAIN = "Domain"


def slug(text: str) -> str:
    """Lowercase, ``&`` -> ``and``, every other run of non-alphanumerics -> one ``-``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("&", " and ")).strip("-")


def competency_id(kind: CompetencyType, theme: str, sub_theme: str) -> str:
    """The stable id of a (type, theme, sub-theme) triple, e.g. ``b.communication.active-listening``."""
    return f"{kind.value[0].lower()}.{slug(theme)}.{slug(sub_theme)}"


@dataclass(frozen=True)
class CompetencyRef:
    """A competency named by its taxonomy triple, with the level a course builds or a role requires."""

    type: CompetencyType
    theme: str
    sub_theme: str
    level: Level

    @property
    def id(self) -> str:
        return competency_id(self.type, self.theme, self.sub_theme)


@dataclass(frozen=True)
class Competency:
    id: str
    type: CompetencyType
    theme: str
    sub_theme: str
    description: str
    levels: dict[Level, tuple[str, ...]]
    source: str = "kcm"


@dataclass(frozen=True)
class Module:
    title: str
    summary: str


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    description: str
    language: str
    duration_minutes: int
    level: Level
    provider: str
    department: str | None = None
    competencies: tuple[CompetencyRef, ...] = ()
    prerequisites: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    modules: tuple[Module, ...] = ()
    translation_of: str | None = None

    kind: DocumentKind = field(default="course", init=False)
    visibility: str = field(default=PUBLIC, init=False)


@dataclass(frozen=True)
class PageSpan:
    """Where one PDF page's text lies in a document body (character offsets, end exclusive)."""

    page: int
    start: int
    end: int


@dataclass(frozen=True)
class CaseStudy:
    id: str
    title: str
    body: str
    department: str
    sector: str
    year: int
    language: str
    source: str
    state: str | None = None
    district: str | None = None
    visibility: str = PUBLIC
    tags: tuple[str, ...] = ()
    pages: tuple[PageSpan, ...] = ()
    translation_of: str | None = None

    kind: DocumentKind = field(default="case_study", init=False)


HELP_TOPICS = (
    "programme",
    "mandatory-modules",
    "progress",
    "reports",
    "privacy",
    "troubleshooting",
    "tutor",
    "learning-paths",
    "search",
    "languages",
    "access",
    "authoring",
)
AUDIENCES = ("everyone", "learner", "author", "admin")


@dataclass(frozen=True)
class HelpArticle:
    """A help-desk article about the programme or the service itself: always public, never a course."""

    id: str
    title: str
    body: str
    language: str
    topic: str
    audience: str = "everyone"
    updated: str | None = None
    tags: tuple[str, ...] = ()
    translation_of: str | None = None

    kind: DocumentKind = field(default="help", init=False)
    visibility: str = field(default=PUBLIC, init=False)
    department: str | None = field(default=None, init=False)


Document: TypeAlias = Course | CaseStudy | HelpArticle


@dataclass(frozen=True)
class Role:
    id: str
    title: str
    department: str
    description: str
    cadre: str | None = None
    activities: tuple[str, ...] = ()
    competencies: tuple[CompetencyRef, ...] = ()
    headcount: int | None = None


@dataclass(frozen=True)
class Chunk:
    """A passage of a document. ``start``/``end`` are character offsets into the document's body text."""

    doc_id: str
    ordinal: int
    section: str
    text: str
    start: int
    end: int
    context: str
    page: int | None = None

    @property
    def embed_text(self) -> str:
        """What the embedder and the lexical index see: the title and section travel with the text."""
        return f"{self.context}\n{self.text}"


@dataclass(frozen=True)
class Hit:
    chunk_id: int
    doc_id: str
    kind: DocumentKind
    title: str
    section: str
    text: str
    start: int
    end: int
    page: int | None
    language: str
    department: str | None
    score: float
    lexical_rank: int | None = None
    dense_rank: int | None = None
    also_in: tuple[str, ...] = ()
    """Languages of this document's translations that search folded into this hit."""


@dataclass(frozen=True)
class Filters:
    """Restrictions applied before top-k. ``None`` means "any"."""

    kinds: frozenset[str] | None = None
    languages: frozenset[str] | None = None
    departments: frozenset[str] | None = None
    competencies: frozenset[str] | None = None
    doc_ids: frozenset[str] | None = None


@dataclass(frozen=True)
class Viewer:
    """Who is asking. Private case studies are visible only to viewers of their department (fails closed)."""

    departments: frozenset[str] = frozenset()

    @classmethod
    def anonymous(cls) -> Viewer:
        return cls()

    def may_see(self, visibility: str) -> bool:
        return visibility == PUBLIC or visibility in self.departments
