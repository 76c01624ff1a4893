"""The Generator protocol and the registry of backends, chosen by name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from tutor.errors import UnknownGeneratorError
from tutor.prompt import Prompt


class Generator(Protocol):
    model_id: str

    def generate(self, prompt: Prompt, *, max_tokens: int = 512) -> Iterator[str]: ...


KNOWN_GENERATORS = ("extractive", "openai", "local")


def create_generator(name: str, **options: Any) -> Generator:
    """Build the named backend. ``options`` are that backend's settings (base URL, model, key, timeout...)."""
    if name == "extractive":
        from tutor.generators.extractive import ExtractiveGenerator

        return ExtractiveGenerator()
    if name == "openai":
        from tutor.generators.openai import OpenAIGenerator

        return OpenAIGenerator(**options)
    if name == "local":
        from tutor.generators.local import LocalGGUFGenerator

        return LocalGGUFGenerator.load(**options)
    raise UnknownGeneratorError(name, list(KNOWN_GENERATORS))
