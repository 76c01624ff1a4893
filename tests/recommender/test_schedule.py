"""The day-by-day layout: no day over its hours, predecessors first, long courses split, and the 7-day path."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.catalog import Catalog
from recommender.coverage import CourseCoverage
from recommender.paths import PathFinder
from recommender.planner import Planner
from recommender.schedule import lay_out, topological_order
from recommender.types import Budget, PathRequest


def test_topological_order_puts_lower_levels_first_but_never_before_a_predecessor() -> None:
    order = topological_order(["adv", "beg", "int"], {"beg": {"adv"}}, {"adv": 3, "beg": 1, "int": 2})
    assert order == ["int", "adv", "beg"]


def test_a_course_longer_than_a_day_is_split_into_sessions() -> None:
    schedule = lay_out(["long", "short"], {}, {"long": 300, "short": 60}, {"long": "L", "short": "S"}, 3, 240)
    assert schedule is not None
    sessions = [(s.course_id, s.minutes, s.part, s.parts) for day in schedule.days for s in day.sessions]
    assert sessions == [("long", 240, 1, 2), ("long", 60, 2, 2), ("short", 60, 1, 1)]
    assert schedule.total_minutes == 360 and schedule.capacity_minutes == 720


def test_too_much_for_the_days_is_none() -> None:
    assert lay_out(["a", "b"], {}, {"a": 200, "b": 200}, {"a": "A", "b": "B"}, 1, 240) is None


@settings(max_examples=200, deadline=None)
@given(
    minutes=st.lists(st.integers(15, 600), min_size=1, max_size=12),
    days=st.integers(1, 10),
    per_day=st.integers(60, 480),
    edges=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=15),
)
def test_layout_never_overfills_a_day_and_keeps_predecessors_first(
    minutes: list[int], days: int, per_day: int, edges: list[tuple[int, int]]
) -> None:
    ids = [f"c{n}" for n in range(len(minutes))]
    after = {ids[b]: {ids[a]} for a, b in edges if a < b < len(ids)}
    order = topological_order(ids, after, dict.fromkeys(ids, 1))
    schedule = lay_out(order, after, dict(zip(ids, minutes, strict=True)), {c: c for c in ids}, days, per_day)
    if schedule is None:
        return
    assert all(day.minutes <= per_day for day in schedule.days)
    assert schedule.total_minutes == sum(minutes)
    placed = [(d.day, n, s) for d in schedule.days for n, s in enumerate(d.sessions)]
    first: dict[str, tuple[int, int]] = {}
    last: dict[str, tuple[int, int]] = {}
    for day, slot, session in placed:
        first.setdefault(session.course_id, (day, slot))
        last[session.course_id] = (day, slot)
    for course, predecessors in after.items():
        for predecessor in predecessors:
            assert last[predecessor] < first[course]


def test_seven_day_programme_path(catalog: Catalog, coverage: CourseCoverage, planner: Planner) -> None:
    finder = PathFinder(catalog, coverage, planner)
    path = finder.find(PathRequest(role="role-patwari", budget=Budget.programme(7, 4)))
    assert path.schedule is not None and len(path.schedule.days) == 7
    assert all(day.minutes <= 240 and day.capacity_minutes == 240 for day in path.schedule.days)
    assert path.schedule.total_minutes == path.total_minutes == sum(s.minutes for s in path.steps)
    assert path.gap_coverage == 1.0  # 28 h is enough for every gap of the toy role
    scheduled = list(dict.fromkeys(s.course_id for d in path.schedule.days for s in d.sessions))
    assert scheduled == [s.course_id for s in path.steps]  # steps are numbered in schedule order


def test_a_short_programme_drops_what_does_not_fit_a_day(
    catalog: Catalog, coverage: CourseCoverage, planner: Planner
) -> None:
    finder = PathFinder(catalog, coverage, planner)
    path = finder.find(PathRequest(role="role-patwari", budget=Budget.programme(2, 2)))
    assert path.schedule is not None
    # mandatory ai + cyber fill day 1; grievance-quick (1 h) is the only other course short enough
    assert [[s.course_id for s in d.sessions] for d in path.schedule.days] == [
        ["ai-basics", "cyber-basics"],
        ["grievance-quick"],
    ]
    assert path.open_gaps and all(o.reason == "no_time" for o in path.open_gaps)
