"""Department reports at national scale in PostgreSQL: 10^7 learners and 10^8 completions (or what loads in time).

Set-up (timed and printed separately, not the thing measured): a scratch database (``--database``, dropped first
and, unless ``--keep``, at the end) gets the real schema from the project's migrations (``ProgressStore.open``).
Its indexes and constraints are then set aside (their definitions read from the catalogue), the tables filled
with PostgreSQL COPY, and every index and constraint re-created from those same definitions, foreign keys
validated, then VACUUM ANALYZE: the schema measured is the migrated one, loaded the way one loads a big table.

Tuning: the scratch database gets ``random_page_cost = 1.1`` (``--random-page-cost``), the usual setting for
data on SSD or in memory; with the default (4) the planner scans every completion for a mid-sized department
where an index lookup per learner is about three times faster (revenue, 10^7 completions: 0.5 s against 1.4 s).
The report's transaction sets its own ``work_mem`` and ``plan_cache_mode`` (gyanpath/progress/summary.py). The
server's other settings are its defaults.

Data: completions from the vectorised generator of bench/scale_peers.py (roles by headcount, so departments are
as skewed as the catalogue's headcounts: school education holds almost half the learners), spread over two years
(2023-2024); hours from the course's duration; the report year is 2024. Enrolments: one for 20% of the
completions (started a week before), and one open enrolment (a course the learner never completed) for 20% of the
learners, so the "in progress" count has work to do.

Measured, per department: the report through the store's SQL summary (``ProgressStore.department_summary`` and
``reports.summary_report``), ``--repeats`` times (p50, p95), and once the baseline in the same process: the
report computed in Python from ``department_activity`` rows (``reports.department_report``, the path the API
takes), checked equal to it (skipped for departments with more than ``--baseline-rows`` completions in the year:
it moves every row into Python). EXPLAIN (ANALYZE, BUFFERS) of the summary's statements for the largest and the
smallest department is printed (``--plans``: full text; otherwise one line a node of the largest).

Usage: python -m bench.scale_reports [--records 10000000] [--per-learner 10] [--repeats 5] [--keep] [--reuse]
                                     [--server postgresql+psycopg://postgres@127.0.0.1:5432/test]
       python -m bench.scale_reports --records 100000 --repeats 2       (the smoke test)
Goal: p95 under 2 s per department with 10^7 learners and 10^8 completions, on this 2-core machine.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import psycopg
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

from bench.common import percentile, print_table
from bench.recommender_data import bundled_catalog
from bench.scale_peers import Shape, vectorised_log
from gyanpath.progress import ProgressStore
from gyanpath.progress.reports import CourseFacts, department_report, report_dict, summary_report, tag_courses
from recommender.catalog import Catalog
from recommender.completions import CompletionLog

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
YEAR = 2024
MANDATED_HOURS = 28.0
MANDATORY_TAGS = ("ai", "cyber-security")
GOAL_SECONDS = 2.0
COPY_ROWS = 1_000_000
TABLES = ("learners", "enrolments", "completions", "path_feedback")


def psycopg_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_database(server: str, name: str) -> str:
    """Drop and create ``name`` on ``server``'s host; the SQLAlchemy URL of the new database."""
    with psycopg.connect(psycopg_url(server), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def tune_database(server: str, name: str, random_page_cost: float) -> None:
    """The planner's cost of a random page read, for new sessions of ``name`` (1.1: data on SSD or in memory)."""
    with psycopg.connect(psycopg_url(server), autocommit=True) as connection:
        connection.execute(f'ALTER DATABASE "{name}" SET random_page_cost = {float(random_page_cost)}')


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(psycopg_url(server), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


# -- data -------------------------------------------------------------------------------------------------------


def stamps(seconds: np.ndarray[Any, np.dtype[np.int64]]) -> list[str]:
    return [f"{s}+00" for s in np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")]


def learner_rows(log: CompletionLog, first_at: np.ndarray[Any, np.dtype[np.int64]]) -> Iterator[str]:
    assert log.department is not None
    department_of = np.zeros(len(log.learners), dtype=np.int64)
    role_of = np.zeros(len(log.learners), dtype=np.int64)
    department_of[log.learner] = log.department
    role_of[log.learner] = log.role
    for lo in range(0, len(log.learners), COPY_ROWS):
        hi = min(lo + COPY_ROWS, len(log.learners))
        created = stamps(first_at[lo:hi] - 86_400)
        yield "".join(
            f"{log.departments[d]}/{log.learners[n]}\t{log.learners[n]}\t{log.departments[d]}\t{log.roles[r]}\t{c}\n"
            for n, d, r, c in zip(
                range(lo, hi), department_of[lo:hi].tolist(), role_of[lo:hi].tolist(), created, strict=True
            )
        )


def completion_rows(log: CompletionLog, hours: list[str], keys: list[str]) -> Iterator[str]:
    for lo in range(0, len(log), COPY_ROWS):
        hi = min(lo + COPY_ROWS, len(log))
        at = stamps(log.at[lo:hi])
        yield "".join(
            f"{n}\t{keys[learner]}\t{log.courses[course]}\t{a}\t{hours[course]}\t\\N\t{a}\n"
            for n, learner, course, a in zip(
                range(lo + 1, hi + 1), log.learner[lo:hi].tolist(), log.course[lo:hi].tolist(), at, strict=True
            )
        )


def enrolment_rows(log: CompletionLog, keys: list[str], seed: int) -> Iterator[str]:
    """20% of the completions, started a week before; an open enrolment for 20% of the learners."""
    rng = np.random.default_rng(seed + 7)
    chosen = np.flatnonzero(rng.random(len(log)) < 0.2)
    learners = rng.choice(len(log.learners), size=len(log.learners) // 5, replace=False)
    done = set((log.learner * len(log.courses) + log.course).tolist()) if len(log) <= 2_000_000 else None
    open_course = rng.integers(0, len(log.courses), len(learners))
    if done is not None:  # small runs: make sure the open ones are open (at scale a clash is rare and harmless)
        width = len(log.courses)
        pairs_open = zip(learners.tolist(), open_course.tolist(), strict=True)
        open_course = np.array([(c + 1) % width if n * width + c in done else c for n, c in pairs_open])
    opened_at = int(datetime(YEAR, 6, 1, tzinfo=UTC).timestamp())
    pairs = np.concatenate(
        [log.learner[chosen] * len(log.courses) + log.course[chosen], learners * len(log.courses) + open_course]
    )
    started = np.concatenate([log.at[chosen] - 7 * 86_400, np.full(len(learners), opened_at)])
    unique, first = np.unique(pairs, return_index=True)
    started = started[first]
    for lo in range(0, len(unique), COPY_ROWS):
        part = unique[lo : lo + COPY_ROWS]
        at = stamps(started[lo : lo + COPY_ROWS])
        yield "".join(
            f"{keys[p // len(log.courses)]}\t{log.courses[p % len(log.courses)]}\t{a}\n"
            for p, a in zip(part.tolist(), at, strict=True)
        )


# -- loading ----------------------------------------------------------------------------------------------------


def set_aside(connection: psycopg.Connection[Any]) -> list[str]:
    """Drop every index and constraint of the tables; the statements that re-create them, in a safe order."""
    constraints = connection.execute(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype FROM pg_constraint c "
        "WHERE c.conrelid::regclass::text = ANY(%s) ORDER BY c.contype = 'f' DESC",
        (list(TABLES),),
    ).fetchall()
    indexes = connection.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        (list(TABLES),),
    ).fetchall()
    for table, name, _, _ in constraints:
        connection.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        connection.execute(f"DROP INDEX {name}")
    keys = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, kind in constraints if kind != "f"]
    foreign = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, kind in constraints if kind == "f"]
    return [*reversed(keys), *(d for _, d in indexes), *foreign]


def copy(connection: psycopg.Connection[Any], table: str, columns: str, chunks: Iterator[str]) -> int:
    rows = 0
    with connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as stream:
        for chunk in chunks:
            stream.write(chunk)
            rows += chunk.count("\n")
    return rows


def without_repeats(log: CompletionLog) -> CompletionLog:
    """The log less exact repeats (same learner, course and second), which the unique constraint refuses."""
    pair = log.learner * len(log.courses) + log.course
    key = (pair << 27) | (log.at - int(log.at.min(initial=0)))  # two years of seconds fit in 27 bits
    _, first = np.unique(key, return_index=True)
    if len(first) == len(log):
        return log
    keep = np.zeros(len(log), dtype=bool)
    keep[first] = True
    return log.subset(keep)


def load(url: str, log: CompletionLog, catalog: Catalog, seed: int) -> dict[str, float]:
    """Fill the migrated tables; seconds spent in each step."""
    timings: dict[str, float] = {}
    assert log.department is not None
    first_at = np.full(len(log.learners), np.iinfo(np.int64).max)
    np.minimum.at(first_at, log.learner, log.at)
    department_of = np.zeros(len(log.learners), dtype=np.int64)
    department_of[log.learner] = log.department
    keys = [f"{log.departments[d]}/{name}" for d, name in zip(department_of.tolist(), log.learners, strict=True)]
    hours = [f"{catalog.courses[c].duration_minutes / 60:.4f}" for c in log.courses]
    with psycopg.connect(psycopg_url(url), autocommit=True) as connection:
        connection.execute("SET maintenance_work_mem = '1GB'")
        rebuild = set_aside(connection)
        for table, columns, chunks in (
            ("learners", "key, learner_id, department, role_id, created_at", learner_rows(log, first_at)),
            ("completions", "id, learner_key, course_id, completed_at, hours, score, recorded_at",
             completion_rows(log, hours, keys)),
            ("enrolments", "learner_key, course_id, started_at", enrolment_rows(log, keys, seed)),
        ):  # fmt: skip
            started = time.perf_counter()
            rows = copy(connection, table, columns, chunks)
            timings[f"COPY {table} ({rows:,} rows)"] = time.perf_counter() - started
        connection.execute("SELECT setval(pg_get_serial_sequence('completions', 'id'), %s)", (max(len(log), 1),))
        started = time.perf_counter()
        for statement in rebuild:
            connection.execute(statement)
        timings["indexes and constraints re-created"] = time.perf_counter() - started
        started = time.perf_counter()
        connection.execute("VACUUM ANALYZE")
        timings["VACUUM ANALYZE"] = time.perf_counter() - started
        size = connection.execute("SELECT pg_database_size(current_database())").fetchone()
        timings["database GiB"] = float(size[0]) / 1024**3 if size else 0.0
    return timings


# -- measuring --------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The (statement, parameters) the engine sends while the block runs."""
    seen: list[tuple[str, Any]] = []

    def record(_c: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def explain(store: ProgressStore, department: str, tags: dict[str, frozenset[str]]) -> list[tuple[str, list[str]]]:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement the summary sends for ``department``."""
    with captured(store.engine) as statements:
        store.department_summary(department, YEAR, tags, mandated_hours=MANDATED_HOURS)
    plans: list[tuple[str, list[str]]] = []
    with store.engine.begin() as connection:  # one transaction, as the summary runs: its SET LOCAL holds
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                connection.exec_driver_sql(statement, parameters)
                plans.append((statement, []))
                continue
            rows = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters).all()
            plans.append((statement, [r[0] for r in rows]))
    return plans


def plan_outline(lines: Sequence[str]) -> list[str]:
    """The plan's nodes and its execution time, without the detail lines."""
    keep = [line for line in lines if "->" in line or not line.startswith(" ")]
    return [line for line in keep if not line.startswith(("Planning", "Buffers"))]


def measure(
    store: ProgressStore, courses: dict[str, CourseFacts], repeats: int, baseline_rows: int
) -> list[list[object]]:
    tags = tag_courses(courses, MANDATORY_TAGS)
    with store.engine.connect() as connection:
        sizes = connection.exec_driver_sql(
            "SELECT l.department, count(DISTINCT l.key), count(c.id), "
            "count(c.id) FILTER (WHERE c.completed_at >= %(start)s AND c.completed_at < %(end)s) "
            "FROM learners l LEFT JOIN completions c ON c.learner_key = l.key GROUP BY 1 ORDER BY 3 DESC",
            {"start": datetime(YEAR, 1, 1, tzinfo=UTC), "end": datetime(YEAR + 1, 1, 1, tzinfo=UTC)},
        ).all()
    rows: list[list[object]] = []
    for department, learners, completions, in_year in sizes:
        timings = []
        report = None
        for _ in range(repeats):
            started = time.perf_counter()
            summary = store.department_summary(department, YEAR, tags, mandated_hours=MANDATED_HOURS)
            report = summary_report(department, YEAR, summary, courses, mandated_hours=MANDATED_HOURS)
            timings.append(time.perf_counter() - started)
        assert report is not None
        p50, p95 = percentile(timings, 50), percentile(timings, 95)
        same = "not run"
        baseline_s = ratio = float("nan")
        if in_year <= baseline_rows:
            started = time.perf_counter()
            activity = store.department_activity(department, YEAR)
            baseline = department_report(
                department, YEAR, activity, courses, mandated_hours=MANDATED_HOURS, mandatory_tags=MANDATORY_TAGS
            )
            baseline_s = time.perf_counter() - started
            same = "yes" if report_dict(report) == report_dict(baseline) else "NO"
            ratio = baseline_s / max(p50, 1e-9)
        met = "yes" if p95 < GOAL_SECONDS else "NO"
        rows.append(
            [department, f"{learners:,}", f"{completions:,}", f"{in_year:,}", p50, p95, baseline_s, ratio,
             same, met]
        )  # fmt: skip
        print(f"{department}: p50 {p50:.3f} s, p95 {p95:.3f} s, baseline {baseline_s:.3f} s, same report: {same}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000_000, help="completions to load")
    parser.add_argument("--per-learner", type=float, default=10.0, help="mean completions a learner")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--server", default=SERVER, help="any database on the server; the scratch one is created")
    parser.add_argument("--database", default="gyanpath_scale")
    parser.add_argument("--keep", action="store_true", help="leave the scratch database (for --reuse)")
    parser.add_argument("--reuse", action="store_true", help="measure the database a --keep run left")
    parser.add_argument("--plans", action="store_true", help="print the full EXPLAIN (ANALYZE, BUFFERS) text")
    parser.add_argument(
        "--baseline-rows", type=int, default=5_000_000, help="skip the baseline above this many completions a year"
    )
    parser.add_argument(
        "--random-page-cost", type=float, default=1.1, help="set on the scratch database (PostgreSQL's default: 4)"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    catalog = bundled_catalog()
    courses = {cid: CourseFacts(c.title, c.tags) for cid, c in catalog.courses.items()}
    if args.reuse:
        url = make_url(args.server).set(database=args.database).render_as_string(hide_password=False)
        tune_database(args.server, args.database, args.random_page_cost)
        store = ProgressStore.open(url)
    else:
        started = time.perf_counter()
        shape = Shape(per_learner=args.per_learner, start=datetime(YEAR - 1, 1, 1, tzinfo=UTC).timestamp())
        log = vectorised_log(catalog, args.records, shape, args.seed)
        generated_records = len(log)
        log = without_repeats(log)
        print(f"generated {generated_records:,} completions, {generated_records - len(log):,} exact repeats dropped")
        generated = time.perf_counter() - started
        url = create_database(args.server, args.database)
        tune_database(args.server, args.database, args.random_page_cost)
        store = ProgressStore.open(url)  # the project's migrations make the schema
        timings = {"generate": generated, **load(url, log, catalog, args.seed)}
        del log
        print_table(
            f"Set-up of {args.records:,} completions (seconds; not measured)",
            list(timings), [list(timings.values())]
        )  # fmt: skip
    try:
        rows = measure(store, courses, args.repeats, args.baseline_rows)
        print_table(
            f"Department reports for {YEAR}, {args.repeats} runs each (seconds)",
            ["department", "learners", "completions", "in the year", "p50 s", "p95 s", "baseline s (rows in Python)",
             "baseline / p50", "same report", f"p95 < {GOAL_SECONDS:.0f} s"],
            rows,
        )  # fmt: skip
        tags = tag_courses(courses, MANDATORY_TAGS)
        largest, smallest = str(rows[0][0]), str(rows[-1][0])
        for department in (largest, smallest) if args.plans else (largest,):
            for statement, plan in explain(store, department, tags):
                print(f"\n-- EXPLAIN (ANALYZE, BUFFERS), {department}: {' '.join(statement.split())[:160]}...")
                print("\n".join(plan if args.plans else plan_outline(plan)))
    finally:
        store.close()
        if not args.keep:
            drop_database(args.server, args.database)


if __name__ == "__main__":
    main()
