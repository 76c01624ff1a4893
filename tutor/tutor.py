"""AI Saarthi: retrieve -> select evidence -> answer -> cite, or say plainly that the material has no answer."""

from __future__ import annotations

from collections.abc import Generator as Coroutine
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np

from corpus.chunking import document_body
from corpus.errors import DocumentNotFoundError
from corpus.language_id import detect_language
from corpus.languages import LANGUAGES
from corpus.lexical import Lexicon
from corpus.search import HybridRetriever
from corpus.translations import translation_groups
from corpus.types import CaseStudy, Filters, Hit, Viewer
from embeddings import Vectors
from tutor.answerability import AnswerabilityModel, Context, features, load_model, pair_of
from tutor.calibration import family_of, threshold_for
from tutor.citations import attach_citations
from tutor.conversations import ConversationStore
from tutor.errors import GeneratorError
from tutor.evidence import EvidenceSelector, EvidenceWeights, support_score
from tutor.followup import retrieval_query
from tutor.generators.base import Generator
from tutor.limits import MAX_K as MAX_K
from tutor.limits import MAX_QUESTION_CHARS as MAX_QUESTION_CHARS
from tutor.messages import SOURCE_LEAD, no_answer
from tutor.prompt import NOT_IN_MATERIAL, Prompt, PromptPassage
from tutor.types import Answer, Evidence, RelatedItem, Turn

PROMPT_PASSAGES = 6
CROSS_LINGUAL_K = 3
PREFERRED_LANGUAGE_BONUS = 0.03
RELATED_ITEMS = 5


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
class Assessment:
    """What the tutor found for a question before answering: hits, ranked evidence, and whether it suffices."""

    hits: list[Hit]
    evidence: list[Evidence]
    support: float
    threshold: float
    pair: str
    features: dict[str, float]


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
        answerability: AnswerabilityModel | bool | None = True,
    ) -> None:
        """``threshold`` overrides the calibrated one(s); ``answerability`` is a fitted model, ``True`` for the
        one shipped for the embedder's family (if any), or ``False``/``None`` for the plain support score."""
        self.retriever = retriever
        self.generator = generator
        self.conversations = conversations
        model_id = retriever.embedder.model_id
        weights = EvidenceWeights.load(family_of(model_id))
        self.selector = selector or EvidenceSelector(retriever.store, retriever.embedder, weights)
        self.answerability = load_model(family_of(model_id)) if answerability is True else answerability or None
        self.regional_answerability = load_model(family_of(model_id), "regional") if answerability is True else None
        """Fitted on questions in the other Indian languages (bench/regional_quality.py --fit); used for them."""
        default = None if self.answerability else threshold_for(model_id)
        self.threshold: float | None = threshold if threshold is not None else default
        self._translations: tuple[object, dict[str, str], dict[str, list[tuple[str, str]]]] | None = None

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
        assessment = self.assess(resolved, options)
        hits, evidence, support = assessment.hits, assessment.evidence, assessment.support
        related = self._related(hits)
        base = Answer(question=question, answered=False, text=no_answer(language), citations=(), reason=None,
                      related=related, language=language, generator=self.generator.model_id, support=support,
                      conversation_id=conversation_id, retrieval_query=resolved)  # fmt: skip
        if support < assessment.threshold:
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

    def _evidence(
        self, query: str, hits: list[Hit], preferred: str | None, lexicon: Lexicon | None = None
    ) -> list[Evidence]:
        """``lexicon``: the viewer's statistics (:meth:`_lexicon`; default: an anonymous viewer's, public only)."""
        if not hits:
            return []
        vector = self.retriever.embedder.embed_query(query)
        lexicon = lexicon if lexicon is not None else self._lexicon(None)
        evidence = self.selector.select(query, hits, vector, lexicon, self._language_pull(query, vector))
        if preferred:
            evidence = [
                replace(e, score=e.score + PREFERRED_LANGUAGE_BONUS) if e.hit.language == preferred else e
                for e in evidence
            ]
            evidence.sort(key=lambda e: -e.score)
        return evidence

    def _language_pull(self, query: str, vector: Vectors) -> dict[str, float] | None:
        """For a question in a language other than English and Hindi: per language, how much closer the embedder
        puts it to that language's average passage than to its own language's (the sentence ranker was fitted on
        English and Hindi, where this pull is part of what it learnt; for the other languages it is removed)."""
        language = detect_language(query)
        means = self.retriever.model.language_means
        if language in ("en", "hi") or not means or language not in means:
            return None
        q = np.asarray(vector, dtype=np.float32).reshape(-1)
        own = float(means[language] @ q)
        return {lang: float(mean @ q) - own for lang, mean in means.items()}

    def _lexicon(self, viewer: Viewer | None) -> Lexicon:
        """The lexical statistics of what ``viewer`` may see (search counts the same): idf weights, known words and
        the vocabulary of the features, so that nothing of another department's private case study moves whether
        or what the tutor answers them."""
        return self.retriever.model.lexicon(viewer or Viewer.anonymous())

    def assess(self, query: str, options: AskOptions) -> Assessment:
        """Retrieve, rank evidence and decide answerability for an already resolved question."""
        lexicon = self._lexicon(options.viewer)
        hits = self._retrieve(query, options)
        evidence = self._evidence(query, hits, options.language, lexicon)
        evidence = self._prefer_translation(query, evidence, options, lexicon) or evidence
        document = None
        while evidence and document is None:
            try:
                document = self.retriever.store.get_document(evidence[0].hit.doc_id)
            except DocumentNotFoundError:  # deleted since it was retrieved: answer from the others (not a 404)
                gone = evidence[0].hit.doc_id
                evidence = [e for e in evidence if e.hit.doc_id != gone]
        pair = pair_of(query, evidence)
        values: dict[str, float] = {}
        if document is not None:
            text = f"{document.title}\n{document_body(document)}"
            named = (document.district, document.state) if isinstance(document, CaseStudy) else ()
            places = tuple(p for p in named if p)
            values = features(Context(query, evidence, text, lexicon, places))
        model = self.answerability
        if self.regional_answerability is not None and pair[:2] not in ("en", "hi"):
            model = self.regional_answerability
        if model is None or not evidence:
            fallback = threshold_for(self.retriever.embedder.model_id)
            threshold = self.threshold if self.threshold is not None else fallback
            return Assessment(hits, evidence, support_score(evidence), threshold, pair, values)
        threshold = self.threshold if self.threshold is not None else model.threshold(pair)
        return Assessment(hits, evidence, model.probability(values), threshold, pair, values)

    def _retrieve(self, query: str, options: AskOptions) -> list[Hit]:
        """The hybrid hits (one member of each translation group, in the question's language where it exists), plus
        the best passages of other languages by meaning alone: lexical matching cannot cross scripts, so a question
        would otherwise rarely reach an answer that exists only in another language. English and Hindi questions
        reach into each other's material; a question in any other language into all the rest."""
        language = detect_language(query)
        hits = self.retriever.retrieve(
            query, k=options.k, filters=options.filters, viewer=options.viewer, prefer_language=language
        )
        if options.filters is not None and options.filters.languages is not None:
            return hits
        others = {"en": {"hi"}, "hi": {"en"}}.get(language, set(LANGUAGES) - {language})
        filters = replace(options.filters or Filters(), languages=frozenset(others))
        extra = self.retriever.retrieve(query, k=CROSS_LINGUAL_K, filters=filters, viewer=options.viewer, mode="dense")
        group = self._groups()[0]
        seen_chunks = {h.chunk_id for h in hits}
        seen_groups = {group.get(h.doc_id, h.doc_id) for h in hits}
        return hits + [
            h for h in extra if h.chunk_id not in seen_chunks and group.get(h.doc_id, h.doc_id) not in seen_groups
        ]

    def _prefer_translation(
        self, query: str, evidence: list[Evidence], options: AskOptions, lexicon: Lexicon | None = None
    ) -> list[Evidence] | None:
        """When the best evidence is in another language than the question and the same document exists in the
        question's language, that translation's best sentences come first."""
        language = detect_language(query)
        if not evidence or evidence[0].hit.language == language:
            return None
        group, members = self._groups()
        root = group.get(evidence[0].hit.doc_id)
        translated_ids = [d for d, lang in members.get(root or "", ()) if lang == language]
        if not translated_ids:
            return None
        filters = replace(options.filters or Filters(), doc_ids=frozenset(translated_ids))
        hits = self.retriever.retrieve(query, k=3, filters=filters, viewer=options.viewer)
        translated = self._evidence(query, hits, None, lexicon or self._lexicon(options.viewer))
        if not translated:
            return None
        best = translated[0]
        lifted = replace(best, score=max(best.score, evidence[0].score))
        return [lifted, *translated[1:], *[e for e in evidence if e.hit.doc_id not in translated_ids]]

    def _groups(self) -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
        """Document id -> translation group root, and root -> (id, language) of its members; rebuilt when the read
        model changes."""
        model = self.retriever.model
        if self._translations is None or self._translations[0] is not model:
            roots = translation_groups({d.id: d.translation_of for d in model.docs})
            members: dict[str, list[tuple[str, str]]] = {}
            for d in model.docs:
                members.setdefault(roots[d.id], []).append((d.id, d.language))
            self._translations = (model, roots, members)
        return self._translations[1], self._translations[2]

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
        text = cited.text
        sources = {c.language for c in cited.citations}
        lead = SOURCE_LEAD.get((base.language, next(iter(sources)))) if len(sources) == 1 else None
        if lead and not text.startswith(lead):
            text = f"{lead} {text}"
        return replace(base, answered=True, text=text, citations=cited.citations, dropped_citations=cited.dropped)

    @staticmethod
    def _related(hits: list[Hit]) -> tuple[RelatedItem, ...]:
        seen: dict[str, RelatedItem] = {}
        for hit in hits:
            if hit.doc_id not in seen and len(seen) < RELATED_ITEMS:
                seen[hit.doc_id] = RelatedItem(hit.doc_id, hit.title, hit.kind, hit.language, hit.score)
        return tuple(seen.values())
