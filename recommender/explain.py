"""Explanations: what each step closes and on what evidence, why it comes where it does, and which gaps stay
open and why (no course at all, or no time left in the budget)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from corpus.languages import describe
from recommender.catalog import Catalog
from recommender.coverage import CourseCoverage
from recommender.plan_state import Selection
from recommender.types import Closure, Gap, OpenGap, PathStep, PeerSignal, level_of


def final_order(selection: Selection) -> list[str]:
    if selection.schedule is None:
        return list(selection.order)
    return list(dict.fromkeys(s.course_id for day in selection.schedule.days for s in day.sessions))


def build_steps(
    catalog: Catalog,
    selection: Selection,
    gaps: Sequence[Gap],
    peers: Mapping[str, PeerSignal],
    language: str | None,
) -> tuple[PathStep, ...]:
    order = final_order(selection)
    position = {c: n for n, c in enumerate(order, start=1)}
    required = {g.competency_id: g.required for g in gaps}
    steps = []
    for course_id in order:
        course = catalog.courses[course_id]
        closes = tuple(
            Closure(
                cid,
                catalog.competency_name(cid),
                level_of(before),
                level_of(after) or course.level,
                required[cid],
                entry.source,
                entry.confidence,
            )
            for cid, before, after, entry in selection.gains.get(course_id, [])
        )
        reasons = _reasons(catalog, selection, course_id, closes, position, peers.get(course_id), language)
        steps.append(
            PathStep(
                position=position[course_id],
                course_id=course_id,
                title=course.title,
                level=course.level,
                language=course.language,
                minutes=course.duration_minutes,
                closes=closes,
                reasons=tuple(reasons),
                mandatory=selection.mandatory_of.get(course_id),
                after=tuple(sorted(selection.after.get(course_id, set()), key=position.__getitem__)),
                peer=peers.get(course_id),
                score=round(selection.scores.get(course_id, 0.0), 4),
            )
        )
    return tuple(steps)


def _reasons(
    catalog: Catalog,
    selection: Selection,
    course_id: str,
    closes: tuple[Closure, ...],
    position: Mapping[str, int],
    peer: PeerSignal | None,
    language: str | None,
) -> list[str]:
    course = catalog.courses[course_id]
    reasons = []
    if course_id in selection.mandatory_of:
        reasons.append(f"Mandatory {selection.mandatory_of[course_id]!r} module of the programme.")
    if course_id in selection.needed_by:
        needed = selection.needed_by[course_id]
        reasons.append(f"Prerequisite of {catalog.courses[needed].title} (step {position[needed]}).")
    prerequisite_groups = {catalog.group(p) for p in course.prerequisites}
    for before in sorted(selection.after.get(course_id, set()), key=position.__getitem__):
        title = f"{catalog.courses[before].title} (step {position[before]})"
        if catalog.group(before) in prerequisite_groups:
            reasons.append(f"Comes after {title}, its prerequisite.")
        else:
            shared = [c.name for c in closes if any(g[0] == c.competency_id for g in selection.gains.get(before, []))]
            reasons.append(f"Comes after {title}, which builds {', '.join(shared) or 'the same competency'} first.")
    if not selection.after.get(course_id):
        reasons.append(
            f"Nothing in the path must come before it; placed with the {course.level.value} courses"
            " (lower levels first)."
        )
    if closes:
        levels = sum(c.after.rank - (c.before.rank if c.before else 0) for c in closes)
        hours = course.duration_minutes / 60
        reasons.append(f"Closes {levels} missing competency level(s) in {hours:.1f} h.")
        if course_id not in selection.mandatory_of and course_id not in selection.needed_by:
            score = selection.scores.get(course_id, 0.0)
            reasons.append(f"Best remaining value when chosen: {score:.2f} importance-weighted gap levels per hour.")
    elif course_id not in selection.mandatory_of:
        reasons.append("Closes no gap itself; it is here because a later course needs it.")
    suggested = [c for c in closes if c.source == "suggested"]
    if suggested:
        shown = ", ".join(f"{c.name} ({c.confidence:.2f})" for c in suggested)
        reasons.append(f"Untagged course: competencies suggested from its text, counted at a discount: {shown}.")
    if language and course.language != language:
        reasons.append(f"Not available in {describe(language)}; offered only in {_languages_of(catalog, course_id)}.")
    if peer is not None and peer.role_share:
        reasons.append(f"{peer.role_share:.0%} of people in this role (in the completion records) completed it.")
    elif peer is not None and peer.score > 0:
        reasons.append(f"Peer signal ({peer.basis}): {peer.score:.2f}.")
    return reasons


def open_gaps(
    catalog: Catalog, coverage: CourseCoverage, selection: Selection, gaps: Sequence[Gap], done: frozenset[str]
) -> tuple[OpenGap, ...]:
    taken = {catalog.group(c) for c in [*done, *selection.picked]}
    result = []
    for gap in gaps:
        reached = selection.levels.get(gap.competency_id, 0)
        if reached >= gap.required.rank:
            continue
        options = []
        for course_id in coverage.by_competency.get(gap.competency_id, []):
            if catalog.group(course_id) in taken:
                continue
            for entry in coverage.entries[course_id]:
                if entry.competency_id == gap.competency_id and entry.level.rank > reached:
                    blocked = entry.level.rank == 3 and reached == 0
                    options.append((blocked, course_id not in selection.did_not_fit, entry.level.rank, course_id))
        options.sort()
        ready = [o for o in options if not o[0]]
        reached_level = level_of(reached)
        if ready:
            best = catalog.courses[ready[0][3]]
            needs = _missing_prerequisites(catalog, best.id, taken)
            cost = f"{best.duration_minutes / 60:.1f} h"
            if needs:
                total = sum(catalog.courses[c].duration_minutes for c in [*needs, best.id]) / 60
                cost += f", after its prerequisite(s) {', '.join(needs)}: {total:.1f} h in all"
            detail = (
                f"no time left in the budget: {best.title} ({cost}) would raise it"
                f" to {level_of(min(ready[0][2], gap.required.rank))}"
            )
            result.append(OpenGap(gap, reached_level, "no_time", detail, tuple(o[3] for o in ready[:3])))
        elif options:
            detail = "only Advanced courses build it, and none at Beginner or Intermediate to start from"
            result.append(OpenGap(gap, reached_level, "no_course", detail, tuple(o[3] for o in options[:3])))
        else:
            above = reached_level.value if reached_level else "no level"
            detail = f"no course in the catalogue builds it above {above}"
            result.append(OpenGap(gap, reached_level, "no_course", detail))
    return tuple(result)


def _missing_prerequisites(catalog: Catalog, course_id: str, taken: set[str], trail: tuple[str, ...] = ()) -> list[str]:
    """Prerequisites of ``course_id`` (recursively, first things first) that are neither done nor planned."""
    found: list[str] = []
    for prerequisite in catalog.courses[course_id].prerequisites:
        if prerequisite not in catalog.courses or catalog.group(prerequisite) in taken or prerequisite in trail:
            continue
        for item in [*_missing_prerequisites(catalog, prerequisite, taken, (*trail, course_id)), prerequisite]:
            if item not in found:
                found.append(item)
    return found


def gap_coverage(selection: Selection, gaps: Sequence[Gap]) -> float:
    """Share of the missing competency-levels the path closes."""
    missing = sum(g.levels_missing for g in gaps)
    if missing == 0:
        return 1.0
    held = {g.competency_id: g.held.rank if g.held else 0 for g in gaps}
    closed = sum(min(selection.levels.get(g.competency_id, 0), g.required.rank) - held[g.competency_id] for g in gaps)
    return closed / missing


def _languages_of(catalog: Catalog, course_id: str) -> str:
    """The languages a course (with its translations) exists in, named for a reader: "English, Hindi (हिन्दी)"."""
    group = catalog.group(course_id)
    codes = sorted({catalog.courses[c].language for c in catalog.members.get(group, (course_id,))})
    return ", ".join(describe(code) for code in codes)
