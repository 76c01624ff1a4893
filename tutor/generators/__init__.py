"""Generator backends behind one protocol: extractive (default), openai-compatible HTTP, local GGUF."""

from __future__ import annotations

from tutor.generators.base import Generator, create_generator

__all__ = ["Generator", "create_generator"]
