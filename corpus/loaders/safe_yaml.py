"""YAML as records need it: the safe loader without aliases.

An alias (``*name``) repeats an anchored node, and nested aliases multiply: a few hundred bytes of front matter can
expand into gigabytes before any validation runs (a "billion laughs"). No record format of gyanpath needs them, so
an alias is refused as it is read, before anything is built.

Nesting is bounded too: PyYAML builds nested nodes recursively, so a few thousand ``[`` (or indented levels)
exhaust Python's stack, a ``RecursionError`` that no caller expects (a 500 through the API). Deeper than
``MAX_DEPTH`` is refused as it is scanned, like an alias."""

from __future__ import annotations

from typing import Any

import yaml

MAX_DEPTH = 32
"""Deepest nesting of mappings and lists, flow (``[``, ``{``) and block (indentation) together; as for JSON bodies."""


class _NoAliasLoader(yaml.SafeLoader):
    def fetch_alias(self) -> None:
        mark = self.get_mark()
        raise yaml.scanner.ScannerError(
            None, None, "aliases (*name) are not allowed in gyanpath records; write the value out", mark
        )

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        self._check_depth()
        super().fetch_flow_collection_start(TokenClass)

    def add_indent(self, column: int) -> bool:
        if self.indent < column:  # a new level
            self._check_depth()
        return bool(super().add_indent(column))

    def _check_depth(self) -> None:
        if self.flow_level + len(self.indents) >= MAX_DEPTH:
            mark = self.get_mark()
            raise yaml.scanner.ScannerError(None, None, f"nested deeper than {MAX_DEPTH} levels", mark)


def load_yaml(text: str) -> Any:
    """Parse one YAML document with the safe loader, refusing aliases and nesting deeper than ``MAX_DEPTH``
    (``yaml.YAMLError`` names the line)."""
    return yaml.load(text, Loader=_NoAliasLoader)
