"""Errors of the progress store."""

from __future__ import annotations


class ProgressError(Exception):
    """Base of the progress errors."""


class LearnerNotFoundError(ProgressError, LookupError):
    def __init__(self, learner_id: str) -> None:
        super().__init__(f"no learner {learner_id!r} in this department")
        self.learner_id = learner_id
