"""Completion records (who completed which course, when, in which role and department), held column-wise.

File format, JSONL (one object a line) or CSV with the same columns:
``{"learner": "l-000123", "course": "crs-cyber-hygiene-en", "completed_at": "2024-03-05T10:00:00+00:00",
"role": "role-asha-worker", "department": "health"}``. ``role`` and ``department`` may be null/empty;
``completed_at`` is ISO 8601 (a date alone means midnight UTC). Errors name the file, line and field.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

import numpy as np
import numpy.typing as npt

from corpus.errors import Problem, ValidationError

Ints = npt.NDArray[np.int64]
FIELDS = ("learner", "course", "completed_at", "role", "department")


@dataclass(frozen=True)
class CompletionRecord:
    learner: str
    course: str
    completed_at: datetime
    role: str | None = None
    department: str | None = None


def _codes(values: Sequence[str]) -> tuple[tuple[str, ...], Ints]:
    if not values:
        return (), np.zeros(0, dtype=np.int64)
    vocabulary, codes = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)
    return tuple(vocabulary.tolist()), codes.astype(np.int64)


@dataclass(frozen=True, eq=False)
class CompletionLog:
    """Records as parallel integer arrays over vocabularies; role index -1 means unknown."""

    learners: tuple[str, ...]
    courses: tuple[str, ...]
    roles: tuple[str, ...]
    learner: Ints
    course: Ints
    at: Ints
    """Seconds since the epoch (UTC)."""
    role: Ints
    departments: tuple[str, ...] = ()
    department: Ints | None = None

    def __len__(self) -> int:
        return len(self.learner)

    @classmethod
    def from_records(cls, records: Iterable[CompletionRecord]) -> CompletionLog:
        rows = list(records)
        learners, learner = _codes([r.learner for r in rows])
        courses, course = _codes([r.course for r in rows])
        roles, role = _optional_codes([r.role or "" for r in rows])
        departments, department = _optional_codes([r.department or "" for r in rows])
        at = np.array([int(r.completed_at.timestamp()) for r in rows], dtype=np.int64)
        return cls(learners, courses, roles, learner, course, at, role, departments, department)

    def records(self) -> Iterator[CompletionRecord]:
        for n in range(len(self)):
            role = self.roles[self.role[n]] if self.role[n] >= 0 else None
            department = None
            if self.department is not None and self.department[n] >= 0:
                department = self.departments[self.department[n]]
            yield CompletionRecord(
                self.learners[self.learner[n]],
                self.courses[self.course[n]],
                datetime.fromtimestamp(int(self.at[n]), UTC),
                role,
                department,
            )

    def subset(self, mask: npt.NDArray[np.bool_]) -> CompletionLog:
        """The same vocabularies, only the records where ``mask`` holds."""
        department = self.department[mask] if self.department is not None else None
        return CompletionLog(
            self.learners,
            self.courses,
            self.roles,
            self.learner[mask],
            self.course[mask],
            self.at[mask],
            self.role[mask],
            self.departments,
            department,
        )

    def learner_roles(self) -> Ints:
        """Each learner's role in their latest record (-1 when unknown)."""
        result = np.full(len(self.learners), -1, dtype=np.int64)
        order = np.argsort(self.at, kind="stable")
        result[self.learner[order]] = self.role[order]
        return result


class CompletionLogBuilder:
    """Builds a ``CompletionLog`` chunk by chunk from columns, without an object per record: the result equals
    ``CompletionLog.from_records`` over the same records in the same order (sorted vocabularies, empty or missing
    role and department unknown). Each chunk's strings are coded as they come and can then be freed."""

    def __init__(self) -> None:
        self._learners, self._courses = _Vocabulary(optional=False), _Vocabulary(optional=False)
        self._roles, self._departments = _Vocabulary(optional=True), _Vocabulary(optional=True)
        self._parts: list[tuple[Ints, Ints, Ints, Ints, Ints]] = []

    def __len__(self) -> int:
        return sum(len(part[0]) for part in self._parts)

    def add(
        self,
        learners: Sequence[str],
        courses: Sequence[str],
        at: Sequence[int] | Ints,
        roles: Sequence[str | None],
        departments: Sequence[str | None],
    ) -> None:
        """One chunk of records as parallel columns; ``at`` in whole seconds since the epoch (UTC)."""
        n = len(learners)
        if not len(courses) == len(at) == len(roles) == len(departments) == n:
            raise ValueError("completion columns differ in length")
        self._parts.append(
            (
                self._learners.encode(learners),
                self._courses.encode(courses),
                np.asarray(at, dtype=np.int64).reshape(n),
                self._roles.encode(roles),
                self._departments.encode(departments),
            )
        )

    def add_log(self, log: CompletionLog) -> None:
        """Every record of ``log``, after those added so far."""
        department = log.department if log.department is not None else np.full(len(log), -1, dtype=np.int64)
        self._parts.append(
            (
                self._learners.recode(log.learners, log.learner),
                self._courses.recode(log.courses, log.course),
                np.asarray(log.at, dtype=np.int64),
                self._roles.recode(log.roles, log.role),
                self._departments.recode(log.departments, department),
            )
        )

    def build(self) -> CompletionLog:
        if self._parts:
            columns = [np.concatenate(column) for column in zip(*self._parts, strict=True)]
        else:
            columns = [np.zeros(0, dtype=np.int64)] * 5
        learners, learner = self._learners.sorted(columns[0])
        courses, course = self._courses.sorted(columns[1])
        roles, role = self._roles.sorted(columns[3])
        departments, department = self._departments.sorted(columns[4])
        return CompletionLog(learners, courses, roles, learner, course, columns[2], role, departments, department)


class _Vocabulary:
    """Strings coded in order of first sight; ``optional``: None and "" are unknown (-1) and stay out."""

    def __init__(self, *, optional: bool) -> None:
        self.index: defaultdict[str | None, int] = defaultdict(count().__next__)  # a new string takes the next code
        if optional:
            self.index.update({None: -1, "": -1})

    def encode(self, values: Sequence[str | None]) -> Ints:
        return np.fromiter(map(self.index.__getitem__, values), dtype=np.int64, count=len(values))

    def recode(self, vocabulary: Sequence[str], codes: Ints) -> Ints:
        """``codes`` over ``vocabulary`` (-1 unknown) as codes over this vocabulary."""
        mapping = np.append(self.encode(vocabulary), np.int64(-1))  # code -1 picks the last entry: unknown
        return mapping[codes]

    def sorted(self, codes: Ints) -> tuple[tuple[str, ...], Ints]:
        """The vocabulary sorted (as ``np.unique`` sorts) and ``codes`` over it."""
        values = [str(value) for value, code in self.index.items() if code >= 0]  # in the order of their codes
        order = sorted(range(len(values)), key=values.__getitem__)
        mapping = np.empty(len(values) + 1, dtype=np.int64)
        mapping[order] = np.arange(len(values), dtype=np.int64)
        mapping[-1] = -1
        return tuple(values[i] for i in order), mapping[codes]


def _optional_codes(values: Sequence[str]) -> tuple[tuple[str, ...], Ints]:
    """Like ``_codes``, but the empty string (unknown) becomes -1 and leaves the vocabulary."""
    vocabulary, codes = _codes(values)
    if vocabulary[:1] == ("",):  # np.unique sorts, so "" comes first
        return vocabulary[1:], codes - 1
    return vocabulary, codes


def _parse(raw: object, source: str, line: str) -> CompletionRecord | Problem:
    if not isinstance(raw, dict):
        return Problem(source, line, None, "expected an object with fields")
    for name in ("learner", "course", "completed_at"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            return Problem(source, line, name, "expected a non-empty string")
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        return Problem(source, line, unknown[0], f"unexpected field (known fields: {', '.join(FIELDS)})")
    try:
        at = datetime.fromisoformat(raw["completed_at"])
    except ValueError:
        return Problem(source, line, "completed_at", f"expected an ISO 8601 date-time, got {raw['completed_at']!r}")
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    role, department = raw.get("role") or None, raw.get("department") or None
    return CompletionRecord(raw["learner"].strip(), raw["course"].strip(), at, role, department)


def load_completions(path: Path) -> CompletionLog:
    """Read a JSONL or CSV file of completion records; every bad line is reported, nothing is half-loaded."""
    records: list[CompletionRecord] = []
    problems: list[Problem] = []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            if path.suffix.lower() == ".csv":
                rows: Iterable[tuple[int, object]] = enumerate(csv.DictReader(handle), start=2)
            else:
                rows = ((n, _json(line)) for n, line in enumerate(handle, start=1) if line.strip())
            for number, raw in rows:
                parsed = raw if isinstance(raw, Problem) else _parse(raw, str(path), str(number))
                if isinstance(parsed, Problem):
                    problems.append(Problem(str(path), str(number), parsed.field, parsed.message))
                else:
                    records.append(parsed)
    except OSError as exc:
        raise ValidationError([Problem(str(path), None, None, f"cannot read: {exc.strerror}")]) from exc
    if problems:
        raise ValidationError(problems)
    return CompletionLog.from_records(records)


def _json(line: str) -> object:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        return Problem("", None, None, f"invalid JSON: {exc.msg} (column {exc.colno})")


def write_completions(path: Path, log: CompletionLog) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record in log.records():
            row = {
                "learner": record.learner,
                "course": record.course,
                "completed_at": record.completed_at.isoformat(),
                "role": record.role,
                "department": record.department,
            }
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
