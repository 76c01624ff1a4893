"""Limits of one question to the tutor, shared by the API, the CLI and the tutor (a module of its own so the CLI
can declare its options without loading the tutor)."""

from __future__ import annotations

MAX_QUESTION_CHARS = 1000
MAX_K = 20
