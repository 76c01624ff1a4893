"""Choosing courses: the mandatory modules first, then greedily the bundle that closes the most gap levels per
hour, until nothing that helps still fits the budget.

Marginal value keeps the plan diverse (a course whose competencies are already planned is worth nothing more);
translations and near-duplicates of chosen courses are never chosen. Only the candidates a pick can change are
re-scored, so a path over thousands of courses takes milliseconds.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass

from corpus.types import Level
from recommender.catalog import Catalog
from recommender.coverage import CourseCoverage
from recommender.errors import ImpossibleBudgetError
from recommender.plan_state import PlanInput, PlannerConfig, PlanState, Selection
from recommender.types import MandatoryModule, level_of


@dataclass
class _Candidate:
    bundle: list[str]
    value: float
    minutes: int
    score: float
    advanced: set[str]
    """Competencies this bundle builds at Advanced (worth more once a lower level is planned)."""
    groups: set[str]
    """Translation groups of the bundle's courses."""


class Planner:
    def __init__(
        self,
        catalog: Catalog,
        coverage: CourseCoverage,
        config: PlannerConfig | None = None,
        redundant: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        self.catalog = catalog
        self.coverage = coverage
        self.config = config or PlannerConfig()
        self.redundant = redundant or {}

    def plan(self, problem: PlanInput) -> Selection:
        state = PlanState(self.catalog, self.coverage, self.config, self.redundant, problem)
        self._mandatory(state)
        self._greedy(state)
        return state.selection

    # -- mandatory modules -------------------------------------------------------------------------------------
    def _mandatory(self, state: PlanState) -> None:
        short: list[str] = []
        for tag in self.config.mandatory_tags:
            module, cheapest = self._mandatory_module(state, tag)
            if module is None:
                short.append(f"the {tag!r} module needs at least {cheapest / 60:.1f} h")
            else:
                state.selection.mandatory.append(module)
        if short:
            budget = state.problem.budget
            days = f" ({budget.days} days x {budget.minutes_per_day / 60:.1f} h)" if budget.minutes_per_day else ""
            raise ImpossibleBudgetError(
                f"a budget of {budget.minutes / 60:.1f} h{days} cannot hold the mandatory modules: {'; '.join(short)}"
                + (
                    f", after {state.selection.minutes / 60:.1f} h of other mandatory modules"
                    if state.selection.minutes
                    else ""
                ),
                budget.field,
            )

    def learner_level(self, state: PlanState, tag: str) -> Level:
        """The level asked for, or the next level above what the learner holds in the tag's main competency."""
        if state.problem.level is not None:
            return state.problem.level
        primary = self.catalog.primary_competency(tag)
        held = state.selection.levels.get(primary, 0) if primary else 0
        return level_of(min(held + 1, 3)) or Level.BEGINNER

    def _mandatory_module(self, state: PlanState, tag: str) -> tuple[MandatoryModule | None, int]:
        level = self.learner_level(state, tag)
        for course_id in state.selection.picked:
            if tag in self.catalog.courses[course_id].tags:
                return MandatoryModule(tag, level, "planned", course_id, f"{course_id} is already in the path"), 0
        listed = state.problem.completed
        done = [c for c in sorted(state.problem.done, key=lambda c: (c not in listed, c)) if c in self.catalog.courses]
        done = [
            c for c in done if tag in self.catalog.courses[c].tags and self.catalog.courses[c].level.rank >= level.rank
        ]
        if done:
            return MandatoryModule(tag, level, "completed", done[0], f"{done[0]} is already completed"), 0
        options = []
        for course_id in sorted({state.preferred(c.id) for c in self.catalog.tagged(tag)}):
            bundle = state.bundle(course_id)
            if bundle is None:
                continue
            course = self.catalog.courses[course_id]
            value, minutes = state.value(bundle)[0], state.minutes(bundle)
            distance = abs(course.level.rank - level.rank) * 2 + (course.level.rank > level.rank)
            other_language = state.problem.language is not None and course.language != state.problem.language
            avoided = state.is_avoided(course_id)
            options.append((avoided, distance, other_language, -value / minutes, minutes, course_id, bundle))
        if not options:
            return MandatoryModule(tag, level, "unavailable", None, f"no available course is tagged {tag!r}"), 0
        for _, _, _, _, minutes, course_id, bundle in sorted(options):
            if state.fits(bundle):
                state.commit(bundle, state.score(course_id, state.value(bundle)[0], minutes), mandatory=tag)
                found = self.catalog.courses[course_id].level
                detail = f"mandatory {tag!r} module at the learner's level ({level.value})"
                if found != level:
                    detail += f"; the nearest available is {found.value}"
                return MandatoryModule(tag, level, "planned", course_id, detail), 0
        return None, min(option[4] for option in options)

    # -- greedy fill -------------------------------------------------------------------------------------------
    def _evaluate(self, state: PlanState, course_id: str) -> _Candidate | None:
        bundle = state.bundle(course_id)
        if bundle is None:
            return None
        value, _ = state.value(bundle)
        minutes = state.minutes(bundle)
        advanced = {e.competency_id for c in bundle for e in self.coverage.entries[c] if e.level.rank == 3}
        groups = {self.catalog.group(c) for c in bundle}
        return _Candidate(bundle, value, minutes, state.score(course_id, value, minutes), advanced, groups)

    def _rescore(self, state: PlanState, course_id: str, stale: _Candidate) -> _Candidate | None:
        """Re-score a candidate whose bundle no pick has touched (those are re-evaluated in full at once): the
        bundle still holds unless one of its courses became unavailable (a translation or twin was planned)."""
        if not all(state.available(c) for c in stale.bundle):
            return self._evaluate(state, course_id)
        value, _ = state.value(stale.bundle)
        score = state.score(course_id, value, stale.minutes)
        return _Candidate(stale.bundle, value, stale.minutes, score, stale.advanced, stale.groups)

    def _greedy(self, state: PlanState) -> None:
        """Lazy greedy: a candidate's stored score is an upper bound until it is re-evaluated, because planning a
        course only lowers what others are worth, with two exceptions that are re-evaluated at once: a candidate
        whose bundle holds a course just planned or its translation (the bundle shrinks) and one with an Advanced
        entry on a competency just raised (Advanced counts once a lower level is held). Picks are the same as
        re-scoring every touched candidate after each pick, for a fraction of the evaluations."""
        gaps = [cid for cid, level in state.problem.required.items() if state.selection.levels.get(cid, 0) < level.rank]
        pool = sorted({state.preferred(c) for cid in gaps for c in self.coverage.by_competency.get(cid, [])})
        order = {cid: n for n, cid in enumerate(pool)}
        candidates: dict[str, _Candidate] = {}
        current: dict[str, tuple[float, int, int, str]] = {}
        heap: list[tuple[float, int, int, str]] = []
        fresh: set[str] = set()

        def push(cid: str, found: _Candidate | None) -> None:
            current.pop(cid, None)
            if found is None:
                candidates.pop(cid, None)
                return
            candidates[cid] = found
            if found.value > 0:  # the best first: highest score, then shortest, then the last id (as max() would)
                key = (-found.score, found.minutes, -order[cid], cid)
                current[cid] = key
                heapq.heappush(heap, key)
                fresh.add(cid)

        for cid in pool:
            push(cid, self._evaluate(state, cid))
        while heap:
            key = heapq.heappop(heap)
            cid = key[3]
            if current.get(cid) != key:
                continue  # superseded by a newer evaluation
            if cid not in fresh:
                push(cid, self._rescore(state, cid, candidates[cid]))
                continue
            chosen = candidates[cid]
            del current[cid]
            if chosen.minutes > state.remaining:
                continue  # kept in candidates: a later pick may shorten its bundle
            if not state.fits(chosen.bundle):
                state.selection.did_not_fit.add(cid)
                del candidates[cid]
                continue
            del candidates[cid]
            state.commit(chosen.bundle, chosen.score)
            changed = {c for course in chosen.bundle for c, *_ in state.selection.gains[course]}
            picked = {self.catalog.group(c) for c in chosen.bundle}  # a translation planned counts as planned
            fresh.clear()
            for other in list(candidates):
                candidate = candidates[other]
                if candidate.advanced & changed or candidate.groups & picked:
                    push(other, self._evaluate(state, other))
        state.selection.did_not_fit |= {cid for cid, c in candidates.items() if c.value > 0 and state.available(cid)}
