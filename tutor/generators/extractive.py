"""The default answerer: stitches the best evidence sentences together, each with its citation marker.

It works offline on any machine and can only ever say what a cited source says.
"""

from __future__ import annotations

from collections.abc import Iterator

from corpus.lexical import tokenize
from tutor.prompt import Prompt, PromptPassage

MAX_SENTENCES = 3
SCORE_MARGIN = 0.12
DUPLICATE_OVERLAP = 0.6


class ExtractiveGenerator:
    model_id = "extractive"

    def generate(self, prompt: Prompt, *, max_tokens: int = 512) -> Iterator[str]:
        chosen = self.choose(prompt.passages)
        for n, passage in enumerate(chosen):
            yield ("" if n == 0 else " ") + f"{passage.text} [{passage.marker}]"

    @staticmethod
    def choose(passages: tuple[PromptPassage, ...]) -> list[PromptPassage]:
        """The top passage and up to two more that score nearly as well and say something new."""
        if not passages:
            return []
        best = passages[0].score
        chosen: list[PromptPassage] = []
        seen: list[set[str]] = []
        for passage in passages:
            if len(chosen) == MAX_SENTENCES or passage.score < best - SCORE_MARGIN:
                break
            words = set(tokenize(passage.text))
            if any(len(words & other) / max(1, len(words | other)) > DUPLICATE_OVERLAP for other in seen):
                continue
            chosen.append(passage)
            seen.append(words)
        return chosen
