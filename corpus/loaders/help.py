"""Help articles from Markdown files with YAML front matter (a file or a folder of them) or JSONL."""

from __future__ import annotations

from pathlib import Path

from corpus.loaders.base import Loaded, convert, files_in, iter_jsonl, read_text, unsupported
from corpus.loaders.case_studies import iter_markdown
from corpus.types import HelpArticle
from corpus.validation import help_article_from_dict

SUFFIXES = (".jsonl", ".md", ".markdown")


def load_help_articles(path: Path) -> Loaded[HelpArticle]:
    """Load every help article under ``path``; front matter as docs/data-formats.md describes."""
    loaded: Loaded[HelpArticle] = Loaded()
    for file in files_in(path, SUFFIXES):
        suffix = file.suffix.lower()
        if suffix == ".jsonl":
            loaded.extend(convert(iter_jsonl(file), str(file), help_article_from_dict))
        elif suffix in (".md", ".markdown"):
            loaded.extend(convert(iter_markdown(read_text(file), str(file)), str(file), help_article_from_dict))
        else:
            loaded.extend(unsupported(file, "a folder, .jsonl or .md"))
    return loaded
