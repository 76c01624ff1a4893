"""Ordering a plan and laying it out day by day.

Order: a topological order of the "must come after" relation (prerequisites, lower levels of the same
competency), lower-level courses first among those free to go, then in the order they were chosen.
Schedule: each course, in that order, goes on the first day (not before its predecessors finish) with room for
it; a course longer than a day is split into day-sized sessions. No day ever holds more than its hours.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

from recommender.types import Day, Schedule, Session

MIN_SESSION_MINUTES = 30
K = TypeVar("K", bound=Hashable)


def topological_order(picked: Sequence[K], after: Mapping[K, set[K]], priority: Mapping[K, float]) -> list[K]:
    """Kahn's algorithm; among items free to go, the lowest priority (e.g. level) first, then the earliest in
    ``picked``. Raises on a cycle."""
    index = {c: i for i, c in enumerate(picked)}
    waiting = {c: {d for d in after.get(c, set()) if d in index} for c in picked}
    followers: dict[K, list[K]] = {c: [] for c in picked}
    for course, predecessors in waiting.items():
        for predecessor in predecessors:
            followers[predecessor].append(course)
    ready: list[tuple[float, int, K]] = [(priority[c], index[c], c) for c, pred in waiting.items() if not pred]
    heapq.heapify(ready)
    order: list[K] = []
    while ready:
        _, _, course = heapq.heappop(ready)
        order.append(course)
        for follower in followers[course]:
            waiting[follower].discard(course)
            if not waiting[follower]:
                heapq.heappush(ready, (priority[follower], index[follower], follower))
    if len(order) != len(picked):
        raise ValueError("the plan's ordering constraints form a cycle")
    return order


def lay_out(
    order: Sequence[str],
    after: Mapping[str, set[str]],
    minutes: Mapping[str, int],
    titles: Mapping[str, str],
    days: int,
    per_day: int,
    level_rank: Mapping[str, float] | None = None,
) -> Schedule | None:
    """The day-by-day schedule, or None when the courses cannot fit in ``days`` x ``per_day``."""
    load = [0] * days
    placed: list[list[Session]] = [[] for _ in range(days)]
    last_day: dict[str, int] = {}
    for course in order:
        earliest = max((last_day[d] for d in after.get(course, set()) if d in last_day), default=0)
        need = minutes[course]
        if need <= per_day:
            day = next((d for d in range(earliest, days) if load[d] + need <= per_day), None)
            if day is None:
                return None
            load[day] += need
            placed[day].append(Session(course, titles[course], need))
            last_day[course] = day
            continue
        parts = _split(need, load, earliest, per_day)
        if parts is None:
            return None
        for number, (day, take) in enumerate(parts, start=1):
            load[day] += take
            placed[day].append(Session(course, titles[course], take, number, len(parts)))
        last_day[course] = parts[-1][0]
    return _lower_levels_first(placed, load, after, level_rank or {}, per_day)


def _lower_levels_first(
    placed: list[list[Session]], load: list[int], after: Mapping[str, set[str]], rank: Mapping[str, float], per_day: int
) -> Schedule:
    """Permute whole days so that days of lower-level courses come first, never moving a day before one it
    depends on (a predecessor's session, or an earlier part of the same course)."""
    days = len(placed)
    days_of: dict[str, list[int]] = {}
    for day, sessions in enumerate(placed):
        for session in sessions:
            days_of.setdefault(session.course_id, []).append(day)
    needs: dict[int, set[int]] = {d: set() for d in range(days)}
    for day, sessions in enumerate(placed):
        for session in sessions:
            for predecessor in after.get(session.course_id, set()):
                needs[day].update(days_of.get(predecessor, []))
            needs[day].update(d for d in days_of[session.course_id] if d < day)
        needs[day].discard(day)

    def key(day: int) -> float:
        levels = [rank.get(s.course_id, 2) for s in placed[day]]
        return sum(levels) / len(levels) if levels else 9.0

    order = topological_order(list(range(days)), needs, {d: key(d) for d in range(days)})
    schedule_days = tuple(Day(n + 1, tuple(placed[d]), load[d], per_day) for n, d in enumerate(order))
    return Schedule(schedule_days, sum(load), days * per_day)


def _split(need: int, load: list[int], earliest: int, per_day: int) -> list[tuple[int, int]] | None:
    """Sessions (day, minutes) for a course longer than a day: the start day giving the fewest sessions wins, then
    the earliest; a session is at least MIN_SESSION_MINUTES unless it is the last bit."""
    best: list[tuple[int, int]] | None = None
    for start in range(earliest, len(load)):
        parts, remaining = [], need
        for day in range(start, len(load)):
            take = min(per_day - load[day], remaining)
            if take >= min(MIN_SESSION_MINUTES, remaining):
                parts.append((day, take))
                remaining -= take
            if remaining == 0:
                break
        if remaining == 0 and (best is None or len(parts) < len(best)):
            best = parts
    return best


def schedule_order(schedule: Schedule) -> list[str]:
    """Courses in the order the schedule first meets them."""
    return list(dict.fromkeys(s.course_id for day in schedule.days for s in day.sessions))
