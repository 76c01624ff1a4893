"""The recommender's error hierarchy; gyanpath/api/errors.py maps each class to one HTTP status."""

from __future__ import annotations

from collections.abc import Sequence


class RecommenderError(Exception):
    """Base class for recommender errors. ``field`` names the request field at fault, when there is one."""

    field: str | None = None


class UnknownRoleError(RecommenderError, KeyError):
    """A role id that is not in the catalogue; carries the closest known ids so the caller can correct it."""

    def __init__(self, role_id: str, suggestions: Sequence[str], field: str = "role") -> None:
        super().__init__(role_id)
        self.role_id = role_id
        self.suggestions = tuple(suggestions)
        self.field = field

    def __str__(self) -> str:
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        return f"unknown role {self.role_id!r}{hint} (GET /roles lists them)"


class UnknownIdError(RecommenderError, ValueError):
    """Course or competency ids in a request that the catalogue does not hold."""

    def __init__(self, kind: str, ids: Sequence[str], field: str, suggestions: Sequence[str] = ()) -> None:
        self.kind = kind
        self.ids = tuple(ids)
        self.field = field
        self.suggestions = tuple(suggestions)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"{field}: unknown {kind} id(s) {', '.join(repr(i) for i in self.ids)}{hint}")


class ImpossibleBudgetError(RecommenderError, ValueError):
    """The time budget cannot hold what every path must contain (the mandatory modules)."""

    def __init__(self, detail: str, field: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field


class InvalidRequestError(RecommenderError, ValueError):
    """A request that is well-formed but contradictory (both a role id and a description, neither, ...)."""

    def __init__(self, detail: str, field: str | None) -> None:
        super().__init__(f"{field}: {detail}" if field else detail)
        self.field = field
