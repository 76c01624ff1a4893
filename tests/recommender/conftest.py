from __future__ import annotations

import pytest

from recommender.catalog import Catalog
from recommender.coverage import CourseCoverage
from recommender.planner import Planner
from tests.recommender import toy


@pytest.fixture
def catalog() -> Catalog:
    return Catalog.build(toy.courses(), [toy.role()], toy.competencies())


@pytest.fixture
def coverage(catalog: Catalog) -> CourseCoverage:
    return CourseCoverage(catalog)


@pytest.fixture
def planner(catalog: Catalog, coverage: CourseCoverage) -> Planner:
    return Planner(catalog, coverage)
