"""Choosing courses: the mandatory modules first, then greedily the bundle that closes the most gap levels per
hour, until nothing that helps still fits the budget.

Marginal value keeps the plan diverse (a course whose competencies are already planned is worth nothing more);
translations and near-duplicates of chosen courses are never chosen. Only the candidates a pick can change are
re-scored, so a path over thousands of courses takes milliseconds.
"""

from __future__ import annotations

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
    touches: set[str]


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
            options.append((distance, other_language, -value / minutes, minutes, course_id, bundle))
        if not options:
            return MandatoryModule(tag, level, "unavailable", None, f"no available course is tagged {tag!r}"), 0
        for _, _, _, minutes, course_id, bundle in sorted(options):
            if state.fits(bundle):
                state.commit(bundle, state.score(course_id, state.value(bundle)[0], minutes), mandatory=tag)
                found = self.catalog.courses[course_id].level
                detail = f"mandatory {tag!r} module at the learner's level ({level.value})"
                if found != level:
                    detail += f"; the nearest available is {found.value}"
                return MandatoryModule(tag, level, "planned", course_id, detail), 0
        return None, min(option[3] for option in options)

    # -- greedy fill -------------------------------------------------------------------------------------------
    def _evaluate(self, state: PlanState, course_id: str) -> _Candidate | None:
        bundle = state.bundle(course_id)
        if bundle is None:
            return None
        value, _ = state.value(bundle)
        minutes = state.minutes(bundle)
        touches = {e.competency_id for c in bundle for e in self.coverage.entries[c]}
        return _Candidate(bundle, value, minutes, state.score(course_id, value, minutes), touches)

    def _greedy(self, state: PlanState) -> None:
        gaps = [cid for cid, level in state.problem.required.items() if state.selection.levels.get(cid, 0) < level.rank]
        pool = {state.preferred(c) for cid in gaps for c in self.coverage.by_competency.get(cid, [])}
        candidates = {c: found for c in sorted(pool) if (found := self._evaluate(state, c)) is not None}
        while True:
            fitting = [
                (c.score, -c.minutes, cid)
                for cid, c in candidates.items()
                if c.value > 0 and c.minutes <= state.remaining
            ]
            if not fitting:
                break
            *_, best = max(fitting)
            chosen = candidates.pop(best)
            if not state.fits(chosen.bundle):
                state.selection.did_not_fit.add(best)
                continue
            state.commit(chosen.bundle, chosen.score)
            changed = {cid for c in chosen.bundle for cid, *_ in state.selection.gains[c]}
            picked = set(chosen.bundle)
            for cid in list(candidates):
                candidate = candidates[cid]
                if not state.available(cid):
                    del candidates[cid]
                elif candidate.touches & changed or picked.intersection(candidate.bundle):
                    found = self._evaluate(state, cid)
                    if found is None:
                        del candidates[cid]
                    else:
                        candidates[cid] = found
        state.selection.did_not_fit |= {cid for cid, c in candidates.items() if c.value > 0}
