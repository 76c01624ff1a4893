"""Read courses, case studies, help articles, roles and the competency dictionary from files, with located problems."""

from __future__ import annotations

from corpus.loaders.base import Loaded, convert
from corpus.loaders.case_studies import case_study_from_markdown, case_study_from_pdf, load_case_studies
from corpus.loaders.courses import load_courses
from corpus.loaders.help import load_help_articles
from corpus.loaders.taxonomy import load_competencies, load_roles

__all__ = [
    "Loaded",
    "case_study_from_markdown",
    "case_study_from_pdf",
    "convert",
    "load_case_studies",
    "load_competencies",
    "load_courses",
    "load_help_articles",
    "load_roles",
]
