"""Learning paths: role (by id or by description) -> competency gaps -> a planned, ordered, explained path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from corpus.types import LANGUAGES, Level, Role
from recommender.catalog import Catalog
from recommender.coverage import CourseCoverage
from recommender.errors import InvalidRequestError
from recommender.explain import build_steps, gap_coverage, open_gaps
from recommender.gaps import compute_gaps, done_courses, holdings, requirements
from recommender.peers import PeerModel
from recommender.plan_state import PlanInput
from recommender.planner import Planner
from recommender.semantic import Semantic
from recommender.tagging import TagSuggester
from recommender.types import LearningPath, PathRequest, PeerSignal, RoleMatch, SuggestedTag

DESCRIPTION_TAG_CONFIDENCE = 0.5
"""A competency named by a free-text description joins the requirements at this tag confidence or above."""


@dataclass(frozen=True)
class ResolvedRole:
    role: Role
    required: dict[str, Level]
    matches: tuple[RoleMatch, ...] = ()
    extra: tuple[SuggestedTag, ...] = ()


class PathFinder:
    def __init__(
        self,
        catalog: Catalog,
        coverage: CourseCoverage,
        planner: Planner,
        semantic: Semantic | None = None,
        tagger: TagSuggester | None = None,
        peers: PeerModel | None = None,
    ) -> None:
        self.catalog = catalog
        self.coverage = coverage
        self.planner = planner
        self.semantic = semantic
        self.tagger = tagger
        self.peers = peers

    def find(self, request: PathRequest) -> LearningPath:
        self._validate(request)
        resolved = self.resolve_role(request)
        held = holdings(self.coverage, request.completed, request.declared)
        gaps = compute_gaps(self.catalog, resolved.required, held)
        done = frozenset(done_courses(self.catalog, request.completed))
        signals: Mapping[str, PeerSignal] = {}
        scores: Mapping[str, float] = {}
        basis = "no completion records"
        if self.peers is not None:
            peer_signals, basis = self.peers.signals(resolved.role.id, request.completed)
            signals, scores = peer_signals, peer_signals.scores
        problem = PlanInput(
            resolved.required,
            held,
            done,
            request.budget,
            request.language,
            request.level,
            scores,
            frozenset(request.completed),
            frozenset(request.avoid),
        )
        selection = self.planner.plan(problem)
        steps = build_steps(self.catalog, selection, gaps, signals, request.language)
        return LearningPath(
            role_id=resolved.role.id,
            role_title=resolved.role.title,
            matched_roles=resolved.matches,
            matched_competencies=resolved.extra,
            gaps=tuple(gaps),
            steps=steps,
            open_gaps=open_gaps(self.catalog, self.coverage, selection, gaps, done),
            mandatory=tuple(selection.mandatory),
            total_minutes=selection.minutes,
            budget_minutes=request.budget.minutes,
            schedule=selection.schedule,
            gap_coverage=round(gap_coverage(selection, gaps), 4),
            peer_basis=basis,
        )

    def _validate(self, request: PathRequest) -> None:
        if (request.role is None) == (request.role_description is None):
            raise InvalidRequestError(
                "give exactly one of a role id ('role') or a description ('role_description')", "role"
            )
        if request.language is not None and request.language not in LANGUAGES:
            raise InvalidRequestError(f"expected one of {', '.join(LANGUAGES)}, got {request.language!r}", "language")
        self.catalog.check_courses(request.completed, "completed")
        self.catalog.check_competencies([d.competency_id for d in request.declared], "declared")

    def resolve_role(self, request: PathRequest) -> ResolvedRole:
        if request.role is not None:
            role = self.catalog.role(request.role)
            return ResolvedRole(role, requirements(role.competencies))
        text = (request.role_description or "").strip()
        if not text:
            raise InvalidRequestError("the description is empty", "role_description")
        if self.semantic is None or not self.catalog.roles:
            raise InvalidRequestError("no roles to match a description against", "role_description")
        found = self.semantic.match_roles(text)
        matches = tuple(RoleMatch(r, self.catalog.roles[r].title, round(s, 4)) for r, s in found)
        role = self.catalog.roles[found[0][0]]
        required = requirements(role.competencies)
        extra: list[SuggestedTag] = []
        if self.tagger is not None:
            typical = sorted(level.rank for level in required.values())
            level = [Level.BEGINNER, Level.INTERMEDIATE, Level.ADVANCED][
                typical[len(typical) // 2] - 1 if typical else 0
            ]
            for tag in self.tagger.suggest(
                self.semantic.draft_vector(text[:120], text), k=5, min_confidence=DESCRIPTION_TAG_CONFIDENCE
            ):
                if tag.competency_id not in required:
                    required[tag.competency_id] = level
                    extra.append(tag)
        return ResolvedRole(role, required, matches, tuple(extra))
