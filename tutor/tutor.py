"""AI Saarthi: retrieve -> select evidence -> answer -> cite, or say plainly that the material has no answer."""

from __future__ import annotations

from collections.abc import Generator as Coroutine
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from corpus.search import HybridRetriever
from corpus.types import Filters, Hit, Viewer
from tutor.calibration import threshold_for
from tutor.citations import attach_citations
from tutor.conversations import ConversationStore
from tutor.errors import GeneratorError
from tutor.evidence import EvidenceSelector, support_score
from tutor.followup import retrieval_query
from tutor.generators.base import Generator
from tutor.language import detect_language
from tutor.prompt import NOT_IN_MATERIAL, Prompt, PromptPassage
from tutor.types import Answer, Evidence, RelatedItem, Turn

MAX_QUESTION_CHARS = 1000
MAX_K = 20
PROMPT_PASSAGES = 6
PREFERRED_LANGUAGE_BONUS = 0.03
RELATED_ITEMS = 5
NO_ANSWER = {
    "en": "The course material and case studies available to you do not answer this question.",
    "hi": "आपके लिए उपलब्ध पाठ्य सामग्री और केस स्टडी में इस प्रश्न का उत्तर नहीं है।",
}


@dataclass(frozen=True)
class AskOptions:
    k: int = 8
    language: str | None = None
    filters: Filters | None = None
    viewer: Viewer | None = None
    conversation_id: str | None = None
    owner: str | None = None
    max_tokens: int = 400


@dataclass(frozen=True)
class TokenEvent:
    text: str


class Tutor:
    def __init__(
        self,
        retriever: HybridRetriever,
        generator: Generator,
        conversations: ConversationStore,
        *,
        selector: EvidenceSelector | None = None,
        threshold: float | None = None,
    ) -> None:
        self.retriever = retriever
        self.generator = generator
        self.conversations = conversations
        self.selector = selector or EvidenceSelector(retriever.store, retriever.embedder)
        self.threshold = threshold if threshold is not None else threshold_for(retriever.embedder.model_id)

    def ask(self, question: str, options: AskOptions | None = None) -> Answer:
        for event in self.stream(question, options):
            if isinstance(event, Answer):
                return event
        raise AssertionError("stream ended without an answer")  # pragma: no cover

    def stream(self, question: str, options: AskOptions | None = None) -> Iterator[TokenEvent | Answer]:
        """Yield the answer's text as it is produced, then the complete :class:`Answer`."""
        options = options or AskOptions()
        question = question.strip()
        if not question or len(question) > MAX_QUESTION_CHARS:
            raise ValueError(f"question must be 1 to {MAX_QUESTION_CHARS} characters")
        if not 1 <= options.k <= MAX_K:
            raise ValueError(f"k must be between 1 and {MAX_K}")
        conversation_id = options.conversation_id or self.conversations.create(options.owner)
        history = self.conversations.get(conversation_id).turns
        resolved = retrieval_query(question, history)
        language = detect_language(question)
        hits = self.retriever.retrieve(resolved, k=options.k, filters=options.filters, viewer=options.viewer)
        evidence = self._evidence(resolved, hits, options.language)
        support = support_score(evidence)
        related = self._related(hits)
        base = Answer(question=question, answered=False, text=NO_ANSWER[language], citations=(), reason=None,
                      related=related, language=language, generator=self.generator.model_id, support=support,
                      conversation_id=conversation_id, retrieval_query=resolved)  # fmt: skip
        if support < self.threshold:
            answer = replace(base, reason="no passage in the material supports an answer")
        else:
            try:
                answer = yield from self._generate(base, question, evidence[:PROMPT_PASSAGES], history, options)
            except GeneratorError as exc:
                exc.hits = tuple(hits)  # the search results are still worth offering
                raise
        self.conversations.append(
            conversation_id,
            Turn(question, resolved, answer.text, answer.answered, tuple(c.doc_id for c in answer.citations),
                 datetime.now(UTC).isoformat(timespec="seconds")),
        )  # fmt: skip
        yield answer

    def _evidence(self, query: str, hits: list[Hit], preferred: str | None) -> list[Evidence]:
        if not hits:
            return []
        vector = self.retriever.embedder.embed_query(query)
        evidence = self.selector.select(query, hits, vector, self.retriever.model.lexical)
        if preferred:
            evidence = [
                replace(e, score=e.score + PREFERRED_LANGUAGE_BONUS) if e.hit.language == preferred else e
                for e in evidence
            ]
            evidence.sort(key=lambda e: -e.score)
        return evidence

    def _generate(
        self, base: Answer, question: str, evidence: list[Evidence], history: tuple[Turn, ...], options: AskOptions
    ) -> Coroutine[TokenEvent, None, Answer]:
        passages = tuple(
            PromptPassage(n, e.hit.title, e.hit.language, e.text, e.score) for n, e in enumerate(evidence, start=1)
        )
        prompt = Prompt(question, passages, tuple((t.question, t.answer) for t in history))
        pieces = []
        for piece in self.generator.generate(prompt, max_tokens=options.max_tokens):
            pieces.append(piece)
            yield TokenEvent(piece)
        raw = "".join(pieces).strip()
        if not raw or raw.startswith(NOT_IN_MATERIAL):
            return replace(base, reason="the generator found no answer in the retrieved passages")
        cited = attach_citations(raw, evidence)
        if not cited.citations:
            return replace(
                base, reason="the generated answer cited no retrieved passage", dropped_citations=cited.dropped
            )
        return replace(base, answered=True, text=cited.text, citations=cited.citations, dropped_citations=cited.dropped)

    @staticmethod
    def _related(hits: list[Hit]) -> tuple[RelatedItem, ...]:
        seen: dict[str, RelatedItem] = {}
        for hit in hits:
            if hit.doc_id not in seen and len(seen) < RELATED_ITEMS:
                seen[hit.doc_id] = RelatedItem(hit.doc_id, hit.title, hit.kind, hit.language, hit.score)
        return tuple(seen.values())
