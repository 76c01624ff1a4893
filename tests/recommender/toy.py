"""A small hand-made catalogue with known right answers, built from the domain types directly."""

from __future__ import annotations

from corpus.types import Competency, CompetencyRef, CompetencyType, Course, Level, Role, competency_id

B, I, A = Level.BEGINNER, Level.INTERMEDIATE, Level.ADVANCED  # noqa: E741 - the three levels, tersely
DOMAIN = CompetencyType.DOMAIN

THEMES = {
    "land": ("Land Records", "Mutation", "Updating land records after sale or inheritance of land."),
    "survey": ("Land Records", "Survey", "Measuring plots and preparing maps of village land."),
    "grievance": ("Citizen Services", "Grievance Redressal", "Resolving complaints of citizens on time."),
    "ai": ("Artificial Intelligence Application", "Artificial Intelligence Application", "Using AI tools."),
    "cyber": ("Cyber Security", "Cyber Security", "Protecting office systems and data from attack."),
}


def cid(key: str) -> str:
    theme, sub, _ = THEMES[key]
    return competency_id(DOMAIN, theme, sub)


def ref(key: str, level: Level) -> CompetencyRef:
    theme, sub, _ = THEMES[key]
    return CompetencyRef(DOMAIN, theme, sub, level)


def competencies() -> list[Competency]:
    return [
        Competency(cid(k), DOMAIN, theme, sub, text, {B: ("basics",), I: ("applies",), A: ("leads",)})
        for k, (theme, sub, text) in THEMES.items()
    ]


def course(
    course_id: str,
    minutes: int,
    level: Level,
    covers: list[tuple[str, Level]],
    *,
    tags: tuple[str, ...] = (),
    prerequisites: tuple[str, ...] = (),
    language: str = "en",
    translation_of: str | None = None,
    title: str | None = None,
    description: str | None = None,
) -> Course:
    return Course(
        id=course_id,
        title=title or course_id.replace("-", " "),
        description=description or f"A course on {', '.join(k for k, _ in covers) or 'nothing in particular'}.",
        language=language,
        duration_minutes=minutes,
        level=level,
        provider="test",
        competencies=tuple(ref(k, lv) for k, lv in covers),
        prerequisites=prerequisites,
        tags=tags,
        translation_of=translation_of,
    )


def courses() -> list[Course]:
    return [
        course("ai-basics", 60, B, [("ai", B)], tags=("ai",)),
        course("ai-advanced", 120, A, [("ai", A)], tags=("ai",)),
        course("cyber-basics", 60, B, [("cyber", B)], tags=("cyber-security",)),
        course(
            "cyber-basics-hi",
            60,
            B,
            [("cyber", B)],
            tags=("cyber-security",),
            language="hi",
            translation_of="cyber-basics",
        ),
        course("mutation-101", 120, B, [("land", B)]),
        course("mutation-201", 120, I, [("land", I)], prerequisites=("mutation-101",)),
        course("mutation-301", 180, A, [("land", A)], prerequisites=("mutation-201",)),
        course("survey-basics", 240, B, [("survey", B)]),
        course("grievance-quick", 60, B, [("grievance", B)]),
        course("grievance-deep", 180, I, [("grievance", I), ("survey", B)]),
    ]


def role() -> Role:
    return Role(
        id="role-patwari",
        title="Patwari",
        department="revenue",
        description="Keeps the village land records, does mutations and surveys, and hears complaints.",
        competencies=(ref("land", A), ref("survey", B), ref("grievance", I), ref("ai", B), ref("cyber", B)),
        headcount=27000,
    )
