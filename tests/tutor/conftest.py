from __future__ import annotations

from collections.abc import Iterator

import pytest

from gyanpath.services import Services
from tests.tutor.openai_server import openai_server
from tutor.conversations import InMemoryConversationStore
from tutor.generators import create_generator
from tutor.tutor import Tutor


@pytest.fixture
def tutor(services: Services) -> Tutor:
    return Tutor(services.retriever, create_generator("extractive"), InMemoryConversationStore())


@pytest.fixture(scope="session")
def openai_url() -> Iterator[str]:
    with openai_server() as url:
        yield url
