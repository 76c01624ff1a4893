"""The tutor ("AI Saarthi"): ask with citations or an honest abstention, conversations, feedback."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from corpus.types import DEPARTMENTS, LANGUAGES, Filters
from gyanpath.accounts import ApiKey, Role
from gyanpath.api.auth import KeyDep, requires
from gyanpath.api.deps import ServicesDep
from gyanpath.api.errors import RequestError, generator_failure
from gyanpath.api.openapi import error_responses
from gyanpath.api.visibility import visible_document
from tutor.errors import ConversationNotFoundError, GeneratorError
from tutor.practice import check_answer, make_questions, parse_question_id
from tutor.tutor import AskOptions
from tutor.types import Answer, Conversation

router = APIRouter(prefix="/tutor", tags=["tutor"], dependencies=[Depends(requires(Role.LEARNER))])

log = logging.getLogger("gyanpath.api")
Language = Literal[LANGUAGES]  # type: ignore[valid-type]
Department = Literal[DEPARTMENTS]  # type: ignore[valid-type]


class FiltersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: list[Literal["course", "case_study", "help"]] | None = Field(default=None, max_length=3)
    lang: list[Language] | None = Field(default=None, max_length=len(LANGUAGES))
    department: list[Department] | None = Field(default=None, max_length=20)
    competency: list[Annotated[str, Field(max_length=200)]] | None = Field(default=None, max_length=20)

    def to_filters(self) -> Filters:
        def as_set(values: Sequence[str] | None) -> frozenset[str] | None:
            return frozenset(values) if values else None

        return Filters(
            kinds=as_set(self.kind),
            languages=as_set(self.lang),  # type: ignore[arg-type]
            departments=as_set(self.department),
            competencies=as_set(self.competency),
        )


class AskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=1000, description="In any supported language (GET /languages).")
    conversation_id: str | None = Field(default=None, max_length=64, description="Continue a conversation.")
    language: Language | None = Field(default=None, description="Preferred language of sources.")
    k: int = Field(default=8, ge=1, le=20, description="Passages to retrieve.")
    filters: FiltersIn | None = None
    stream: bool = Field(default=False, description="Server-sent events: token events, then the answer.")

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question is empty (only whitespace)")
        return value


class CitationOut(BaseModel):
    marker: int
    doc_id: str
    title: str
    kind: str
    language: str
    section: str
    quote: str
    start: int
    end: int
    page: int | None
    chunk_id: int


class RelatedOut(BaseModel):
    doc_id: str
    title: str
    kind: str
    language: str
    score: float


class AnswerOut(BaseModel):
    question: str
    answered: bool
    text: str
    citations: list[CitationOut]
    reason: str | None
    related: list[RelatedOut]
    language: str
    generator: str
    support: float = Field(
        description="How well the material supports an answer: with the e5 embedder the answerability model's "
        "probability (0..1), compared with the threshold of the (question language, evidence language) pair; with "
        "other embedders the best evidence score; -1 when nothing was retrieved"
    )
    conversation_id: str | None
    retrieval_query: str
    dropped_citations: int

    @classmethod
    def of(cls, answer: Answer) -> AnswerOut:
        data = asdict(answer)
        if data["support"] == float("-inf"):
            data["support"] = -1.0
        return cls(**data)


class TurnOut(BaseModel):
    question: str
    resolved_question: str
    answer: str
    answered: bool
    cited_doc_ids: list[str]
    created_at: str


class ConversationOut(BaseModel):
    id: str
    turns: list[TurnOut]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: str = Field(max_length=64)
    turn: int | None = Field(default=None, ge=0, le=10_000, description="Which answer (0-based); default the last.")
    helpful: bool
    comment: str = Field(default="", max_length=2000)


class FeedbackOut(BaseModel):
    id: str


def _options(body: AskIn, key: ApiKey) -> AskOptions:
    """The viewer (private case studies) and the owner of the conversation come from the key, never the body."""
    filters = body.filters.to_filters() if body.filters else None
    return AskOptions(
        k=body.k,
        language=body.language,
        filters=filters,
        viewer=key.viewer,
        conversation_id=body.conversation_id,
        owner=key.owner,
    )


def _own_conversation(services: ServicesDep, key: ApiKey, conversation_id: str) -> Conversation:
    """Someone else's conversation is a 404, exactly like one that does not exist."""
    found = services.users.get(conversation_id)
    if found.owner != key.owner:
        raise ConversationNotFoundError(conversation_id)
    return found


def _event(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """One server-sent event: its name and its JSON ``data`` (OpenAPI 3.1 ``contentSchema``)."""
    return {
        "type": "object",
        "required": ["event", "data"],
        "properties": {
            "event": {"const": name},
            "data": {"type": "string", "contentMediaType": "application/json", "contentSchema": data},
        },
    }


ANSWER_STREAM = {
    "description": "The answer; with `stream: true`, server-sent events: `token` events, then `answer` (or `error`).",
    "content": {
        "text/event-stream": {
            "schema": {
                "oneOf": [
                    _event(
                        "token", {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
                    ),
                    _event("answer", {"$ref": "#/components/schemas/AnswerOut"}),
                    _event(
                        "error",
                        {
                            "allOf": [{"$ref": "#/components/schemas/ErrorOut"}],
                            "required": ["status", "results"],
                            "properties": {"status": {"type": "integer"}, "results": {"type": "array"}},
                        },
                    ),
                ]
            }
        }
    },
}


@router.post("/ask", response_model=AnswerOut, responses={200: ANSWER_STREAM, **error_responses(404, 502, 503, 504)})
def ask(body: AskIn, key: KeyDep, services: ServicesDep) -> AnswerOut | StreamingResponse:
    """Answer from the material with citations, or say it is not in the material (``answered: false``)."""
    if body.conversation_id:
        _own_conversation(services, key, body.conversation_id)  # 404 before any work
    if body.stream:
        return StreamingResponse(_events(services, body, key), media_type="text/event-stream")
    return AnswerOut.of(services.tutor.ask(body.question, _options(body, key)))


def _events(services: ServicesDep, body: AskIn, key: ApiKey) -> Iterator[str]:
    """Token events, then the answer; a generator failure after the stream began ends it with an ``error`` event
    carrying the error body (with the search results) and its HTTP status."""
    try:
        for event in services.tutor.stream(body.question, _options(body, key)):
            if isinstance(event, Answer):
                yield f"event: answer\ndata: {AnswerOut.of(event).model_dump_json()}\n\n"
            else:
                yield f"event: token\ndata: {json.dumps({'text': event.text}, ensure_ascii=False)}\n\n"
    except GeneratorError as exc:
        log.error("generator error while streaming: %s", exc)
        code, error = generator_failure(exc)
        yield f"event: error\ndata: {json.dumps({**error, 'status': code}, ensure_ascii=False)}\n\n"


@router.get("/conversations/{conversation_id}", response_model=ConversationOut, responses=error_responses(404))
def conversation(
    conversation_id: Annotated[str, Path(max_length=64)], key: KeyDep, services: ServicesDep
) -> ConversationOut:
    """The turns of one of the key's own conversations."""
    found = _own_conversation(services, key, conversation_id)
    return ConversationOut(id=found.id, turns=[TurnOut(**asdict(t)) for t in found.turns])


@router.post(
    "/feedback", response_model=FeedbackOut, status_code=status.HTTP_201_CREATED, responses=error_responses(404)
)
def feedback(body: FeedbackIn, key: KeyDep, services: ServicesDep) -> FeedbackOut:
    """Record whether an answer in one of the key's own conversations helped; kept for evaluation."""
    conversation = _own_conversation(services, key, body.conversation_id)
    if not conversation.turns:
        raise RequestError("the conversation has no answer yet to rate", "conversation_id")
    answers = len(conversation.turns)
    if body.turn is not None and body.turn >= answers:
        raise RequestError(f"the conversation has {answers} answer(s): turn must be 0 to {answers - 1}", "turn")
    turn = body.turn if body.turn is not None else len(conversation.turns) - 1
    feedback_id = services.users.add_feedback(
        target="answer",
        helpful=body.helpful,
        comment=body.comment,
        conversation_id=body.conversation_id,
        turn=turn,
        owner=key.owner,
    )
    return FeedbackOut(id=feedback_id)


class PracticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc_id: str = Field(min_length=1, max_length=120, description="A course or case-study id.")
    count: int = Field(default=5, ge=1, le=20)
    kinds: list[Literal["cloze", "mcq"]] = Field(default=["cloze", "mcq"], min_length=1, max_length=2)


class PracticeQuestionOut(BaseModel):
    id: str
    kind: str
    prompt: str
    options: list[str]
    answer: str
    doc_id: str
    quote: str
    start: int
    end: int


class PracticeOut(BaseModel):
    doc_id: str
    questions: list[PracticeQuestionOut]


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question_id: str = Field(min_length=1, max_length=200)
    answer: str = Field(min_length=1, max_length=200)


class CheckOut(BaseModel):
    correct: bool
    expected: str
    quote: str
    doc_id: str


@router.post("/practice", response_model=PracticeOut, responses=error_responses(404))
def practice(body: PracticeIn, key: KeyDep, services: ServicesDep) -> PracticeOut:
    """Practice questions (cloze and multiple choice) built from a document's key facts, with answers and sources."""
    document = visible_document(services, key, body.doc_id)
    questions = make_questions(document, count=body.count, kinds=tuple(body.kinds))
    return PracticeOut(doc_id=document.id, questions=[PracticeQuestionOut(**asdict(q)) for q in questions])


@router.post("/practice/check", response_model=CheckOut, responses=error_responses(404))
def practice_check(body: CheckIn, key: KeyDep, services: ServicesDep) -> CheckOut:
    """Check a learner's answer against the source passage."""
    try:
        doc_id = parse_question_id(body.question_id)[0]
    except ValueError as exc:
        raise RequestError(str(exc), "question_id") from exc
    document = visible_document(services, key, doc_id)
    try:
        result = check_answer(document, body.question_id, body.answer)
    except ValueError as exc:
        raise RequestError(str(exc), "question_id") from exc
    return CheckOut(**asdict(result))
