"""YAML as records need it: the safe loader without aliases.

An alias (``*name``) repeats an anchored node, and nested aliases multiply: a few hundred bytes of front matter can
expand into gigabytes before any validation runs (a "billion laughs"). No record format of gyanpath needs them, so
an alias is refused as it is read, before anything is built."""

from __future__ import annotations

from typing import Any

import yaml


class _NoAliasLoader(yaml.SafeLoader):
    def fetch_alias(self) -> None:
        mark = self.get_mark()
        raise yaml.scanner.ScannerError(
            None, None, "aliases (*name) are not allowed in gyanpath records; write the value out", mark
        )


def load_yaml(text: str) -> Any:
    """Parse one YAML document with the safe loader, refusing aliases (``yaml.YAMLError`` names the line)."""
    return yaml.load(text, Loader=_NoAliasLoader)
