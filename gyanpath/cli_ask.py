"""``gyanpath ask``: put a question to the tutor from the command line, one at a time or a JSONL file in one go.

The CLI is an operator's tool: like ``eval tutor`` it sees the private case studies of every department unless
``--department`` narrows the viewer. Services (store, embedder, index) load once, also for a whole ``--file``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from corpus.errors import Problem, ValidationError
from corpus.types import DEPARTMENTS, LANGUAGES, Viewer
from gyanpath.cli_common import HomeOption, JsonOption, clean_errors, console, json_text, settings_for
from tutor.errors import ConversationNotFoundError, TutorError
from tutor.limits import MAX_K, MAX_QUESTION_CHARS

if TYPE_CHECKING:  # loaded by the command itself, so that other commands start without them
    from gyanpath.services import Services
    from tutor.types import Answer

BATCH_FIELDS = ("question", "language", "conversation", "id")
IGNORED_FIELDS = ("answers", "relevant", "lang", "split", "kind", "pair")
"""Fields of ``eval tutor`` question files, accepted and ignored so that such a file can be asked directly."""


@dataclass(frozen=True)
class AskRequest:
    """One line of an ``ask --file`` JSONL file."""

    id: str
    question: str
    language: str | None = None
    conversation: str | None = None
    source: str | None = None
    line: str | None = None


def load_ask_requests(path: Path) -> list[AskRequest]:
    """Read ``{"question", "language"?, "conversation"?, "id"?}`` lines; ids default to ``line-N``. Every bad line
    is reported with file, line and field in one :class:`ValidationError`, before anything is asked."""
    from corpus.loaders.base import iter_jsonl
    from corpus.validation import RecordReader

    requests: list[AskRequest] = []
    problems: list[Problem] = []
    for line, raw in iter_jsonl(path):
        if isinstance(raw, Problem):
            problems.append(raw)
            continue
        r = RecordReader(raw, str(path), line)
        r.reject_unknown(BATCH_FIELDS + IGNORED_FIELDS)
        question = r.text("question", max_len=MAX_QUESTION_CHARS)
        language = r.choice("language", LANGUAGES, required=False)
        conversation = r.text("conversation", required=False, max_len=64)
        request_id = r.text("id", required=False, max_len=120)
        problems.extend(r.problems)
        if not r.problems and question:
            requests.append(AskRequest(request_id or f"line-{line}", question, language, conversation, str(path), line))
    if problems:
        raise ValidationError(problems)
    if not requests:
        raise ValidationError([Problem(str(path), None, None, "no questions in the file")])
    return requests


def answer_dict(answer: Answer) -> dict[str, Any]:
    """The answer as plain data (``dataclasses.asdict``); dump it with ``json_text`` for strict JSON."""
    return asdict(answer)


def _viewer(department: str | None) -> Viewer:
    if department is None:
        return Viewer(frozenset(DEPARTMENTS))
    chosen = frozenset(d.strip() for d in department.split(",") if d.strip())
    unknown = sorted(chosen - set(DEPARTMENTS))
    if unknown or not chosen:
        raise ValueError(
            f"--department: unknown {', '.join(unknown) or 'nothing given'}; known: {', '.join(DEPARTMENTS)}"
        )
    return Viewer(chosen)


def _check_conversations(services: Services, requests: list[AskRequest]) -> None:
    """Every conversation named must exist, so that a batch fails before its first question, not halfway."""
    problems = []
    for request in requests:
        if request.conversation is None:
            continue
        try:
            services.users.get(request.conversation)
        except ConversationNotFoundError as exc:
            problems.append(Problem(request.source or "--conversation", request.line, "conversation", str(exc)))
    if problems:
        raise ValidationError(problems)


def _render(answer: Answer) -> str:
    """The answer text, its numbered citations (title, section and page, the quote) and the related items."""
    lines = [answer.text]
    if not answer.answered and answer.reason:
        lines.append(f"(not answered: {answer.reason})")
    if answer.citations:
        lines += ["", "Sources:"]
        for c in answer.citations:
            where = ", ".join(part for part in (c.section, f"page {c.page}" if c.page is not None else "") if part)
            lines.append(f"  [{c.marker}] {c.title} ({c.doc_id})" + (f" - {where}" if where else ""))
            lines.append(f'      "{c.quote}"')
    if answer.related:
        lines += ["", "Related:"]
        lines += [f"  - {r.title} ({r.doc_id}, {r.kind}, {r.language})" for r in answer.related]
    if answer.conversation_id:
        lines += ["", f"conversation: {answer.conversation_id} (continue with --conversation {answer.conversation_id})"]
    return "\n".join(lines)


def ask_command(
    question: Annotated[str | None, typer.Argument(help="The question, in any supported language.")] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help='JSONL of {"question", "language"?, "conversation"?, "id"?}: one answer per line, in order.',
        ),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option("--language", help="Preferred language of sources (ISO 639-1; default: any)."),
    ] = None,
    conversation: Annotated[
        str | None, typer.Option("--conversation", help="Continue this conversation (its id comes with each answer).")
    ] = None,
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=MAX_K, help="Passages to retrieve.")] = 8,
    department: Annotated[
        str | None,
        typer.Option(
            "--department",
            help="See private case studies of only these departments (comma-separated); default: all of them.",
        ),
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ask the tutor. Example: gyanpath ask "What should I do after clicking a fake PFMS email?"

    Prints the answer, its numbered sources with the quoted sentences, and related material; --json prints the
    answer as JSON. Batch: gyanpath ask --file questions.jsonl --json prints one JSON answer per line, with the
    line's id, loading the model once; a line's language and conversation override the options. The CLI sees
    every department's private case studies unless --department narrows it.
    """
    with clean_errors():
        from gyanpath.services import Services
        from tutor.tutor import AskOptions

        if (question is None) == (file is None):
            raise ValueError("give either a QUESTION or --file FILE.jsonl")
        if language is not None and language not in LANGUAGES:
            raise ValueError(f"--language: expected one of {', '.join(LANGUAGES)}, got {language!r}")
        viewer = _viewer(department)
        requests = (
            load_ask_requests(file) if file is not None else [AskRequest("", question or "", language, conversation)]
        )
        if conversation is not None:
            requests = [replace(r, conversation=r.conversation or conversation) for r in requests]
        services = Services.create(settings_for(home))
        _check_conversations(services, requests)
        if not services.load_index():
            console.print(f"[yellow]warning:[/yellow] {escape(services.health.detail)}", highlight=False)

        def ask(request: AskRequest) -> Answer:
            options = AskOptions(
                k=k,
                language=request.language or language,
                viewer=viewer,
                conversation_id=request.conversation,
            )
            return services.tutor.ask(request.question, options)

        if file is None:
            answer = ask(requests[0])
            typer.echo(json_text(answer_dict(answer), indent=2) if as_json else _render(answer))
            return
        failed = 0
        for n, request in enumerate(requests):
            try:
                answer = ask(request)
            except (TutorError, ValueError) as exc:  # e.g. the generator backend failed: say so, go on
                failed += 1
                typer.echo(f"error: {request.source}:{request.line} ({request.id}): {exc}", err=True)
                if as_json:
                    typer.echo(json_text({"id": request.id, "error": str(exc)}))
                continue
            if as_json:
                typer.echo(json_text({"id": request.id, **answer_dict(answer)}))
            else:
                typer.echo(("\n" if n else "") + f"== {request.id}: {request.question}\n{_render(answer)}")
        if failed:
            typer.echo(f"error: {failed} of {len(requests)} question(s) failed", err=True)
            raise typer.Exit(1)
