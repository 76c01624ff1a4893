"""Translation groups: a document and its translations (``translation_of`` links) are one document in several
languages. Search shows one member of a group (the reader's language where it exists) and names the others."""

from __future__ import annotations

from collections.abc import Mapping


def translation_groups(links: Mapping[str, str | None]) -> dict[str, str]:
    """Document id -> its group's root id, following ``translation_of`` links (``links``: id -> the id it
    translates, or None). Dangling links end the walk; a cycle's group is its smallest id."""
    groups: dict[str, str] = {}
    for doc_id in links:
        seen = [doc_id]
        target = links[doc_id]
        while target and target in links and target not in seen:
            seen.append(target)
            target = links[target]
        groups[doc_id] = min(seen) if target in seen else seen[-1]
    return groups
