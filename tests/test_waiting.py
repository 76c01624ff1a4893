"""The polling helper the tests wait with: no timing in assertions, a ceiling that names what never came."""

from __future__ import annotations

import pytest

from tests.waiting import wait_until


def test_it_returns_what_came_true() -> None:
    answers = iter([None, 0, "ready"])
    assert wait_until(lambda: next(answers), interval=0) == "ready"


def test_it_fails_naming_what_it_waited_for() -> None:
    state = {"jobs": 3}
    with pytest.raises(AssertionError, match=r"after 0 s for: 3 jobs left"):
        wait_until(lambda: False, timeout=0, what=lambda: f"{state['jobs']} jobs left")
    with pytest.raises(AssertionError, match="the index"):
        wait_until(lambda: None, timeout=0, what="the index")
