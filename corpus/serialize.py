"""Typed objects back to the documented record format (what the store keeps as JSON and the API returns)."""

from __future__ import annotations

from typing import Any

from corpus.types import CaseStudy, Competency, CompetencyRef, Course, Document, HelpArticle, Role
from corpus.validation import case_study_from_dict, course_from_dict, help_article_from_dict


def competency_ref_to_dict(ref: CompetencyRef) -> dict[str, str]:
    return {"type": ref.type.value, "theme": ref.theme, "sub_theme": ref.sub_theme, "level": ref.level.value}


def course_to_dict(course: Course) -> dict[str, Any]:
    return {
        "id": course.id,
        "title": course.title,
        "description": course.description,
        "language": course.language,
        "duration_minutes": course.duration_minutes,
        "level": course.level.value,
        "provider": course.provider,
        "department": course.department,
        "competencies": [competency_ref_to_dict(c) for c in course.competencies],
        "prerequisites": list(course.prerequisites),
        "tags": list(course.tags),
        "modules": [{"title": m.title, "summary": m.summary} for m in course.modules],
        "translation_of": course.translation_of,
    }


def case_study_to_dict(case: CaseStudy) -> dict[str, Any]:
    return {
        "id": case.id,
        "title": case.title,
        "body": case.body,
        "department": case.department,
        "state": case.state,
        "district": case.district,
        "sector": case.sector,
        "year": case.year,
        "language": case.language,
        "source": case.source,
        "visibility": case.visibility,
        "tags": list(case.tags),
        "pages": [{"page": p.page, "start": p.start, "end": p.end} for p in case.pages],
        "translation_of": case.translation_of,
    }


def help_article_to_dict(article: HelpArticle) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "language": article.language,
        "topic": article.topic,
        "audience": article.audience,
        "updated": article.updated,
        "tags": list(article.tags),
        "translation_of": article.translation_of,
    }


def document_to_dict(document: Document) -> dict[str, Any]:
    if isinstance(document, Course):
        return course_to_dict(document)
    if isinstance(document, HelpArticle):
        return help_article_to_dict(document)
    return case_study_to_dict(document)


def document_from_dict(kind: str, data: dict[str, Any], source: str = "store") -> Document:
    if kind == "course":
        return course_from_dict(data, source, data.get("id"))
    if kind == "help":
        return help_article_from_dict(data, source, data.get("id"))
    return case_study_from_dict(data, source, data.get("id"))


def role_to_dict(role: Role) -> dict[str, Any]:
    return {
        "id": role.id,
        "title": role.title,
        "department": role.department,
        "cadre": role.cadre,
        "headcount": role.headcount,
        "description": role.description,
        "activities": list(role.activities),
        "competencies": [competency_ref_to_dict(c) for c in role.competencies],
    }


def competency_to_dict(competency: Competency) -> dict[str, Any]:
    return {
        "id": competency.id,
        "type": competency.type.value,
        "theme": competency.theme,
        "sub_theme": competency.sub_theme,
        "source": competency.source,
        "description": competency.description,
        "levels": {level.value: list(items) for level, items in competency.levels.items()},
    }
