"""Roles and the competency dictionary from YAML or JSON lists (a file, or a folder of them)."""

from __future__ import annotations

from pathlib import Path

from corpus.loaders.base import Loaded, convert, files_in, iter_structured_list
from corpus.types import Competency, Role
from corpus.validation import competency_from_dict, role_from_dict

SUFFIXES = (".yaml", ".yml", ".json")


def load_competencies(path: Path) -> Loaded[Competency]:
    loaded: Loaded[Competency] = Loaded()
    for file in files_in(path, SUFFIXES):
        loaded.extend(convert(iter_structured_list(file), str(file), competency_from_dict))
    return loaded


def load_roles(path: Path) -> Loaded[Role]:
    loaded: Loaded[Role] = Loaded()
    for file in files_in(path, SUFFIXES):
        loaded.extend(convert(iter_structured_list(file), str(file), role_from_dict))
    return loaded
