"""Learning paths in a regional language over the bundled catalogue: the learner's language where a translation
exists, and a plain statement where a course exists only in other languages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus.ingest import IngestSources, ingest
from gyanpath.services import Services
from gyanpath.settings import BUNDLED_CORPUS, Settings
from recommender.types import PathRequest


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    services = Services.create(Settings(home=Path(tmp_path_factory.mktemp("paths")), embedder="hashing"))
    ingest(services.store, IngestSources.bundle(BUNDLED_CORPUS))
    yield services
    services.close()


@pytest.mark.parametrize("language", ["ur", "bn", "mr", "or", "ta", "te"])
def test_the_mandatory_modules_come_in_the_learners_language(bundled: Services, language: str) -> None:
    path = bundled.recommender.paths.find(PathRequest(role="role-asha-worker", language=language))
    steps = {s.course_id: s for s in path.steps}
    assert f"crs-ai-foundations-{language}" in steps and f"crs-cyber-hygiene-{language}" in steps
    assert steps[f"crs-ai-foundations-{language}"].language == language
    for step in path.steps:
        others = [r for r in step.reasons if r.startswith("Not available in")]
        assert (step.language == language) == (not others), (step.course_id, step.reasons)


def test_a_course_only_in_english_and_hindi_says_so(bundled: Services) -> None:
    path = bundled.recommender.paths.find(PathRequest(role="role-police-constable", language="ta"))
    untranslated = [s for s in path.steps if s.language != "ta"]
    assert untranslated
    for step in untranslated:
        assert any(r.startswith("Not available in Tamil (தமிழ்); offered only in ") for r in step.reasons)
