"""The national-scale peer benchmark at a small size: the vectorised generator's documented shape, and a run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bench.recommender_data import bundled_catalog
from bench.scale_peers import Shape, extrapolate, measure, role_shares, vectorised_log
from recommender.catalog import Catalog

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return bundled_catalog()


def test_the_generator_makes_exactly_the_records_asked_for_in_the_documented_shape(catalog: Catalog) -> None:
    shape = Shape()
    log = vectorised_log(catalog, 200_000, shape, seed=3)
    assert len(log) == 200_000 and log.department is not None
    per_learner = np.bincount(log.learner)
    assert per_learner.min() >= 1 and abs(per_learner[:-1].mean() - shape.per_learner) < 0.1
    roles = np.bincount(log.role[np.unique(log.learner, return_index=True)[1]], minlength=len(log.roles))
    assert np.allclose(roles / roles.sum(), role_shares(catalog), atol=0.01)  # roles by headcount
    end = shape.start + shape.days * 86_400
    assert log.at.min() >= shape.start and log.at.max() < end
    popularity = np.sort(np.bincount(log.course, minlength=len(log.courses)))[::-1]
    assert popularity[:10].sum() > 5 * popularity[-10:].sum()  # skewed, as the log-normal appeal makes it
    again = vectorised_log(catalog, 200_000, shape, seed=3)
    assert np.array_equal(again.course, log.course) and np.array_equal(again.at, log.at)  # seeded


def test_a_small_measurement_and_the_extrapolation() -> None:
    result = measure(50_000, 0, Shape(), seed=0)
    assert result["records"] == 50_000 and result["similarities"] > 0
    assert result["fit_s"] > 0 and result["rss_peak_fit"] >= result["rss_before_fit"] > 0
    rows = [{"records": 1e6, "fit_s": 1.0}, {"records": 1e7, "fit_s": 10.0}]
    assert extrapolate(rows, "fit_s", 1e8) == pytest.approx(100.0)


@pytest.mark.slow
def test_the_command_prints_its_table() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.scale_peers", "--sizes", "20000", "40000"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "Peer model fit at national scale" in done.stdout
    assert "~100,000,000" in done.stdout and "~: extrapolated" in done.stdout
