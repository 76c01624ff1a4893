"""YAML records refuse aliases before anything is expanded (a few hundred bytes must not cost gigabytes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from corpus.errors import ValidationError
from corpus.ingest import IngestSources, ingest
from corpus.loaders.safe_yaml import _NoAliasLoader, load_yaml
from corpus.store import Store

# Nine levels of nine aliases each: 9**9 (387 million) list items once expanded.
BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{','.join([f'*{chr(97 + n)}'] * 9)}]\n" for n in range(8)
)


def test_plain_records_still_load() -> None:
    assert load_yaml("id: cs-x\ntags: [a, b]\nyear: 2022\n") == {"id": "cs-x", "tags": ["a", "b"], "year": 2022}


def test_an_alias_is_refused_as_it_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    constructed: list[object] = []
    real = _NoAliasLoader.construct_document

    def construct(self: _NoAliasLoader, node: yaml.Node) -> Any:
        constructed.append(node)
        return real(self, node)

    monkeypatch.setattr(_NoAliasLoader, "construct_document", construct)
    with pytest.raises(yaml.YAMLError, match="aliases") as caught:
        load_yaml(BOMB)
    mark = caught.value.problem_mark  # type: ignore[attr-defined]
    assert (mark.line, mark.column) == (1, BOMB.splitlines()[1].index("*"))  # at the first alias, as it is scanned
    assert constructed == []  # nothing was built, let alone expanded
    with pytest.raises(yaml.YAMLError, match="line 2"):
        load_yaml("a: &x 1\nb: *x\n")


def test_front_matter_with_an_alias_bomb_is_a_validation_error(tmp_path: Path, empty_store: Store) -> None:
    case = tmp_path / "bomb.md"
    case.write_text(f"---\nid: cs-bomb\n{BOMB}---\n## Context\nText.\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        ingest(empty_store, IngestSources(case_studies=[case]))
    assert "aliases" in str(caught.value) and str(case) in str(caught.value)
    assert empty_store.document_ids() == set()
