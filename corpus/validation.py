"""Turns raw records (dicts from JSONL, CSV, YAML, front matter) into typed objects, or precise problems.

Every loader and the store's read path go through these functions, so one set of rules holds everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from corpus.errors import Problem, ValidationError
from corpus.types import (
    AUDIENCES,
    DEPARTMENTS,
    HELP_TOPICS,
    LANGUAGES,
    PUBLIC,
    SECTORS,
    CaseStudy,
    Competency,
    CompetencyRef,
    CompetencyType,
    Course,
    HelpArticle,
    Level,
    Module,
    PageSpan,
    Role,
    competency_id,
)

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
MAX_LIST_ITEMS = 100
"""The most items any list field of a record may hold (tags, prerequisites, competencies, modules...)."""
MAX_PAGES = 5000
T = TypeVar("T")


class RecordReader:
    """Reads typed fields from one record, collecting every problem instead of stopping at the first."""

    def __init__(self, data: Any, source: str, location: str | None) -> None:
        self.source = source
        self.location = location
        self.problems: list[Problem] = []
        if not isinstance(data, Mapping):
            self.fail(None, f"expected an object with fields, got {type(data).__name__}")
            data = {}
        self.data: Mapping[str, Any] = data

    def fail(self, field: str | None, message: str) -> None:
        self.problems.append(Problem(self.source, self.location, field, message))

    def reject_unknown(self, allowed: Sequence[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.fail(str(key), f"unexpected field (known fields: {', '.join(allowed)})")

    def text(self, field: str, *, required: bool = True, max_len: int = 100_000) -> str | None:
        value = self.data.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(field, "expected a non-empty string, got nothing")
            return None
        if not isinstance(value, str):
            self.fail(field, f"expected a string, got {type(value).__name__} {value!r}")
            return None
        if len(value) > max_len:
            self.fail(field, f"expected at most {max_len} characters, got {len(value)}")
            return None
        return unicodedata.normalize("NFC", value).strip()

    def identifier(self, field: str = "id", *, required: bool = True) -> str | None:
        value = self.text(field, required=required, max_len=120)
        if value is not None and not ID_PATTERN.match(value):
            self.fail(field, f"expected lowercase letters, digits, '.', '_' or '-', got {value!r}")
            return None
        return value

    def choice(self, field: str, choices: Sequence[str], *, required: bool = True) -> str | None:
        value = self.text(field, required=required, max_len=200)
        if value is not None and value not in choices:
            self.fail(field, f"expected one of {', '.join(choices)}, got {value!r}")
            return None
        return value

    def integer(self, field: str, low: int, high: int, *, required: bool = True) -> int | None:
        value = self.data.get(field)
        if value is None:
            if required:
                self.fail(field, f"expected an integer between {low} and {high}, got nothing")
            return None
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(field, f"expected an integer between {low} and {high}, got {value!r}")
            return None
        return value

    def bounded_list(self, field: str, value: list[Any], max_items: int = MAX_LIST_ITEMS) -> bool:
        """False (and a problem) when a list field holds more than ``max_items`` items."""
        if len(value) > max_items:
            self.fail(field, f"expected at most {max_items} items, got {len(value)}")
            return False
        return True

    def text_list(
        self, field: str, *, item_pattern: re.Pattern[str] | None = None, max_len: int = 300
    ) -> tuple[str, ...]:
        value = self.data.get(field)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(field, f"expected a list of strings, got {value!r}")
            return ()
        if not self.bounded_list(field, value):
            return ()
        too_long = next((v for v in value if len(v) > max_len), None)
        if too_long is not None:
            self.fail(field, f"expected items of at most {max_len} characters, got one of {len(too_long)}")
            return ()
        items = tuple(v.strip() for v in value if v.strip())
        if item_pattern is not None:
            for item in items:
                if not item_pattern.match(item):
                    self.fail(field, f"expected ids of lowercase letters, digits, '.', '_' or '-', got {item!r}")
        return items

    def level(self, field: str = "level", *, required: bool = True) -> Level | None:
        value = self.choice(field, [lv.value for lv in Level], required=required)
        return Level(value) if value else None

    def competency_refs(self, field: str = "competencies") -> tuple[CompetencyRef, ...]:
        value = self.data.get(field)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(field, f"expected a list of {{type, theme, sub_theme, level}} objects, got {value!r}")
            return ()
        if not self.bounded_list(field, value):
            return ()
        refs = []
        for position, item in enumerate(value, start=1):
            ref = self._competency_ref(item, f"{field}[{position}]")
            if ref is not None:
                refs.append(ref)
        return tuple(refs)

    def _competency_ref(self, item: Any, field: str) -> CompetencyRef | None:
        if not isinstance(item, Mapping):
            self.fail(field, f"expected an object with type, theme, sub_theme, level, got {item!r}")
            return None
        types = [t.value for t in CompetencyType]
        kind, theme, sub_theme = item.get("type"), item.get("theme"), item.get("sub_theme")
        level = item.get("level")
        if kind not in types:
            self.fail(f"{field}.type", f"expected one of {', '.join(types)}, got {kind!r}")
        if not isinstance(theme, str) or not theme.strip() or len(theme) > 300:
            self.fail(f"{field}.theme", f"expected a theme name, got {theme!r}")
        if not isinstance(sub_theme, str) or not sub_theme.strip() or len(sub_theme) > 300:
            self.fail(f"{field}.sub_theme", f"expected a sub-theme name, got {sub_theme!r}")
        if level not in [lv.value for lv in Level]:
            self.fail(f"{field}.level", f"expected Beginner, Intermediate or Advanced, got {level!r}")
        if kind not in types or not isinstance(theme, str) or not isinstance(sub_theme, str) or level is None:
            return None
        if len(theme) > 300 or len(sub_theme) > 300:
            return None
        if level not in [lv.value for lv in Level]:
            return None
        return CompetencyRef(CompetencyType(kind), theme.strip(), sub_theme.strip(), Level(level))

    def raise_if_problems(self) -> None:
        if self.problems:
            raise ValidationError(self.problems)


def _build(reader: RecordReader, factory: Callable[[], T]) -> T:
    reader.raise_if_problems()
    return factory()


COURSE_FIELDS = (
    "id",
    "title",
    "description",
    "language",
    "duration_minutes",
    "level",
    "provider",
    "department",
    "competencies",
    "prerequisites",
    "tags",
    "modules",
    "translation_of",
)


def course_from_dict(data: Any, source: str, location: str | None = None) -> Course:
    r = RecordReader(data, source, location)
    r.reject_unknown(COURSE_FIELDS)
    modules = _modules(r)
    values = dict(
        id=r.identifier(),
        title=r.text("title", max_len=300),
        description=r.text("description", max_len=20_000),
        language=r.choice("language", LANGUAGES),
        duration_minutes=r.integer("duration_minutes", 1, 1440),
        level=r.level(),
        provider=r.text("provider", max_len=300),
        department=r.choice("department", DEPARTMENTS, required=False),
        competencies=r.competency_refs(),
        prerequisites=r.text_list("prerequisites", item_pattern=ID_PATTERN),
        tags=r.text_list("tags"),
        modules=modules,
        translation_of=r.identifier("translation_of", required=False),
    )
    return _build(r, lambda: Course(**values))  # type: ignore[arg-type]


def _modules(r: RecordReader) -> tuple[Module, ...]:
    value = r.data.get("modules")
    if value is None:
        return ()
    if not isinstance(value, list):
        r.fail("modules", f"expected a list of {{title, summary}} objects, got {value!r}")
        return ()
    if not r.bounded_list("modules", value):
        return ()
    modules = []
    for position, item in enumerate(value, start=1):
        title = item.get("title") if isinstance(item, Mapping) else None
        summary = item.get("summary", "") if isinstance(item, Mapping) else None
        if not isinstance(title, str) or not title.strip() or not isinstance(summary, str) or len(title) > 300:
            r.fail(f"modules[{position}]", f"expected an object with a title and a summary, got {item!r}")
            continue
        if len(summary) > 5000:
            r.fail(f"modules[{position}].summary", f"expected at most 5000 characters, got {len(summary)}")
            continue
        modules.append(Module(title.strip(), summary.strip()))
    return tuple(modules)


CASE_STUDY_FIELDS = (
    "id",
    "title",
    "body",
    "department",
    "state",
    "district",
    "sector",
    "year",
    "language",
    "source",
    "visibility",
    "tags",
    "pages",
    "translation_of",
)


def case_study_from_dict(data: Any, source: str, location: str | None = None) -> CaseStudy:
    r = RecordReader(data, source, location)
    r.reject_unknown(CASE_STUDY_FIELDS)
    visibility = r.text("visibility", required=False) or PUBLIC
    if visibility != PUBLIC and visibility not in DEPARTMENTS:
        r.fail("visibility", f"expected 'public' or a department ({', '.join(DEPARTMENTS)}), got {visibility!r}")
    values = dict(
        id=r.identifier(),
        title=r.text("title", max_len=300),
        body=r.text("body", max_len=2_000_000),
        department=r.choice("department", DEPARTMENTS),
        sector=r.choice("sector", SECTORS),
        year=r.integer("year", 1947, 2100),
        language=r.choice("language", LANGUAGES),
        source=r.text("source", max_len=500),
        state=r.text("state", required=False, max_len=100),
        district=r.text("district", required=False, max_len=100),
        visibility=visibility,
        tags=r.text_list("tags"),
        pages=_pages(r),
        translation_of=r.identifier("translation_of", required=False),
    )
    return _build(r, lambda: CaseStudy(**values))  # type: ignore[arg-type]


def _pages(r: RecordReader) -> tuple[PageSpan, ...]:
    value = r.data.get("pages")
    if value is None:
        return ()
    if isinstance(value, list) and not r.bounded_list("pages", value, MAX_PAGES):
        return ()
    try:
        return tuple(PageSpan(int(p["page"]), int(p["start"]), int(p["end"])) for p in value)
    except (TypeError, KeyError, ValueError):
        r.fail("pages", f"expected a list of {{page, start, end}} objects, got {value!r}")
        return ()


HELP_FIELDS = ("id", "title", "body", "language", "topic", "audience", "updated", "tags", "translation_of")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def help_article_from_dict(data: Any, source: str, location: str | None = None) -> HelpArticle:
    r = RecordReader(data, source, location)
    r.reject_unknown(HELP_FIELDS)
    values = dict(
        id=r.identifier(),
        title=r.text("title", max_len=300),
        body=r.text("body", max_len=200_000),
        language=r.choice("language", LANGUAGES),
        topic=r.choice("topic", HELP_TOPICS),
        audience=r.choice("audience", AUDIENCES, required=False) or "everyone",
        updated=_date(r, "updated"),
        tags=r.text_list("tags"),
        translation_of=r.identifier("translation_of", required=False),
    )
    return _build(r, lambda: HelpArticle(**values))  # type: ignore[arg-type]


def _date(r: RecordReader, field: str) -> str | None:
    """An ISO date (YAML reads an unquoted 2026-12-01 as a date; JSON gives a string)."""
    value = r.data.get(field)
    if value is None:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else value
    if not isinstance(text, str) or not _DATE.match(text[:10]) or len(text) != 10:
        r.fail(field, f"expected a date as YYYY-MM-DD, got {value!r}")
        return None
    return text


ROLE_FIELDS = ("id", "title", "department", "cadre", "description", "activities", "competencies", "headcount")


def role_from_dict(data: Any, source: str, location: str | None = None) -> Role:
    r = RecordReader(data, source, location)
    r.reject_unknown(ROLE_FIELDS)
    values = dict(
        id=r.identifier(),
        title=r.text("title", max_len=300),
        department=r.choice("department", DEPARTMENTS),
        description=r.text("description", max_len=20_000),
        cadre=r.text("cadre", required=False, max_len=300),
        activities=r.text_list("activities"),
        competencies=r.competency_refs(),
        headcount=r.integer("headcount", 0, 100_000_000, required=False),
    )
    if not values["competencies"] and not r.problems:
        r.fail("competencies", "expected at least one required competency")
    return _build(r, lambda: Role(**values))  # type: ignore[arg-type]


COMPETENCY_FIELDS = ("id", "type", "theme", "sub_theme", "description", "levels", "source")


def competency_from_dict(data: Any, source: str, location: str | None = None) -> Competency:
    r = RecordReader(data, source, location)
    r.reject_unknown(COMPETENCY_FIELDS)
    kind = r.choice("type", [t.value for t in CompetencyType])
    theme = r.text("theme", max_len=300)
    sub_theme = r.text("sub_theme", max_len=300)
    given_id = r.identifier()
    if kind and theme and sub_theme and given_id:
        expected = competency_id(CompetencyType(kind), theme, sub_theme)
        if given_id != expected:
            r.fail("id", f"expected {expected!r} (derived from type, theme and sub-theme), got {given_id!r}")
    levels = _levels(r)
    values = dict(
        id=given_id,
        type=CompetencyType(kind) if kind else None,
        theme=theme,
        sub_theme=sub_theme,
        description=r.text("description", max_len=5_000),
        levels=levels,
        source=r.choice("source", ["kcm", "gyanpath"], required=False) or "kcm",
    )
    return _build(r, lambda: Competency(**values))  # type: ignore[arg-type]


def _levels(r: RecordReader) -> dict[Level, tuple[str, ...]]:
    value = r.data.get("levels")
    names = [lv.value for lv in Level]
    if not isinstance(value, Mapping) or set(value) != set(names):
        r.fail("levels", f"expected indicators for exactly {', '.join(names)}, got {value!r}")
        return {}
    levels: dict[Level, tuple[str, ...]] = {}
    for name in names:
        indicators = value[name]
        if not isinstance(indicators, list) or not indicators or not all(isinstance(i, str) for i in indicators):
            r.fail(f"levels.{name}", "expected a non-empty list of indicator sentences")
            continue
        levels[Level(name)] = tuple(i.strip() for i in indicators)
    return levels
