"""Strict mode (tests/conftest.py): with GYANPATH_TEST_STRICT=1 a skip fails, naming its reason; without it a skip
is a skip; a test deselected by ``-m "not slow"`` is neither. Checked on a throwaway suite run by pytester, in this
process, with the real hooks loaded from tests/conftest.py."""

from __future__ import annotations

import pytest

from tests.conftest import STRICT_ENV

pytest_plugins = ["pytester"]

SUITE = """
import pytest

@pytest.fixture
def database():
    pytest.skip("PostgreSQL is unreachable")

def test_needs_the_database(database):
    pass

@pytest.mark.skipif(True, reason="Chromium is missing")
def test_needs_a_browser():
    pass

def test_needs_an_optional_module():
    pytest.importorskip("gyanpath_no_such_module")

def test_needs_nothing():
    pass

@pytest.mark.slow
def test_deselected_when_fast():
    pytest.skip("a slow test that never runs under -m 'not slow'")
"""
REASONS = ("PostgreSQL is unreachable", "Chromium is missing", "could not import 'gyanpath_no_such_module'")


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini("[pytest]\nmarkers =\n    slow: slow")
    pytester.makepyfile(test_suite=SUITE)
    return pytester


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "tests.conftest", "-ra", "-m", "not slow", *args)


def test_without_strict_mode_a_skip_is_reported_with_its_reason(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(STRICT_ENV, raising=False)
    result = run(suite)
    result.assert_outcomes(passed=1, skipped=3, deselected=1)
    assert result.ret == pytest.ExitCode.OK
    for reason in REASONS:
        result.stdout.fnmatch_lines([f"SKIPPED *{reason}*"])


def test_in_strict_mode_the_same_skips_fail_naming_their_reasons(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(STRICT_ENV, "1")
    result = run(suite)
    # a skip in setup (fixture, marker) fails the setup, so pytest counts it as an error; one in the test, a failure
    result.assert_outcomes(passed=1, errors=2, failed=1, deselected=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    strict = f"{STRICT_ENV}=1 turns this skip into a failure:"
    result.stdout.fnmatch_lines(
        [
            f"{strict} {REASONS[0]} (*test_suite.py:*)",
            f"{strict} {REASONS[1]} (*test_suite.py:*)",
            f"{strict} {REASONS[2]}: No module named *(*test_suite.py:*)",
            f"ERROR test_suite.py::test_needs_the_database - {STRICT_ENV}=1 *",
            f"ERROR test_suite.py::test_needs_a_browser - {STRICT_ENV}=1 *",
            f"FAILED test_suite.py::test_needs_an_optional_module - {STRICT_ENV}=1 *",
        ]
    )
    assert "SKIPPED" not in result.stdout.str()


def test_in_strict_mode_a_module_skipped_at_import_is_a_collection_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_optional='import pytest\npytest.importorskip("gyanpath_no_such_module")\n')
    monkeypatch.delenv(STRICT_ENV, raising=False)
    run(pytester).assert_outcomes(skipped=1)
    monkeypatch.setenv(STRICT_ENV, "1")
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"{STRICT_ENV}=1 turns this skip into a failure: {REASONS[2]}*(*test_optional.py:2)"])
    result.stdout.fnmatch_lines(["*Interrupted: 1 error during collection*"])
