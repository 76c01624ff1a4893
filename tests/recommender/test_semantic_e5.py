"""With the real default embedder: a free-text job description (English or Hindi) maps to the right role, and a
draft gets the right competency tag."""

from __future__ import annotations

import pytest

from corpus.types import Role
from embeddings import Embedder
from recommender.catalog import Catalog
from recommender.coverage import CourseCoverage
from recommender.paths import PathFinder
from recommender.planner import Planner
from recommender.semantic import Semantic
from recommender.tagging import TagSuggester
from recommender.types import Budget, PathRequest
from tests.recommender import toy

pytestmark = pytest.mark.slow

ROLES = [
    toy.role(),
    Role(
        "role-asha",
        "ASHA Worker",
        "health",
        "Village health volunteer who registers pregnant women, escorts them"
        " for institutional delivery and brings children to immunisation sessions.",
        activities=("Registers pregnancies", "Mobilises children for vaccination"),
        competencies=(toy.ref("grievance", toy.B),),
        headcount=150000,
    ),
    Role(
        "role-constable",
        "Police Constable",
        "home-police",
        "Patrols the beat, registers complaints at the police station and keeps public order at fairs and processions.",
        competencies=(toy.ref("grievance", toy.B),),
        headcount=185000,
    ),
]


@pytest.fixture(scope="module")
def semantic(e5: Embedder) -> Semantic:
    return Semantic(e5, Catalog.build(toy.courses(), ROLES, toy.competencies()))


@pytest.mark.parametrize(
    ("description", "role"),
    [
        ("I maintain the village land register and record the transfer of plots after a sale", "role-patwari"),
        ("मैं गाँव में गर्भवती महिलाओं का पंजीकरण करती हूँ और बच्चों का टीकाकरण करवाती हूँ", "role-asha"),
        ("I do night patrolling and file FIRs at the thana", "role-constable"),
    ],
)
def test_description_maps_to_the_nearest_role(semantic: Semantic, description: str, role: str) -> None:
    assert semantic.match_roles(description)[0][0] == role


def test_description_path_uses_the_matched_role(semantic: Semantic) -> None:
    catalog = semantic.catalog
    coverage = CourseCoverage(catalog)
    finder = PathFinder(catalog, coverage, Planner(catalog, coverage), semantic, TagSuggester(semantic))
    path = finder.find(
        PathRequest(role_description="Land records and mutation work in a tehsil", budget=Budget.of_hours(10))
    )
    assert path.role_id == "role-patwari" and path.matched_roles[0].role_id == "role-patwari"
    assert path.steps


def test_draft_tag_with_the_real_embedder(semantic: Semantic) -> None:
    tagger = TagSuggester(semantic)
    draft = semantic.draft_vector(
        "Phishing and ransomware",
        "Spotting fake emails, strong passwords and reporting a malware incident in the office.",
    )
    assert tagger.suggest(draft, k=1)[0].competency_id == toy.cid("cyber")
