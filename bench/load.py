"""Load test of the real service: ``python -m gyanpath serve`` on loopback, driven by locust (headless).

Usage: python -m bench.load [--users 10] [--duration 2m] [--embedder e5-multilingual] [--think 1 3]
       python -m bench.load --duration 20s --embedder hashing      # a quick smoke run
       python -m bench.load --users 100 --duration 5m --workers 4 \
           --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres --redis redis://127.0.0.1:6379/0
                                                                   # national shape (docs/benchmarks.md)

A scratch home gets the bundled corpus and its index (``gyanpath bootstrap``; the e5 model converted once into
--models-cache and reused), admin keys (``gyanpath keys create --json``), one learner key per learner (made by an
admin through POST /admin/keys) and a rate limit set high enough never to bite. The service then runs as users
run it, in its own process(es); locust runs in another, with ``--users`` users: learners who search (English and
Hindi), ask the tutor, ask for learning paths and record completed courses, department admins (``--admins``) who
read the department report, and a health probe among them (bench/load_users.py). ``--workers`` runs uvicorn with
that many worker processes; ``--postgres`` (a server URL) gets a scratch database of its own for the progress
store, created, migrated and dropped again; ``--redis`` shares the rate limits between the workers (under a
prefix of this run's own).
Goals: GET /health p99 under 50 ms while loaded; GET /search and POST /paths p95 under 100 ms; zero failed
requests. Baseline in the same run: GET /health p99 on the idle service, measured before the load starts.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, make_url, text

from bench.common import percentile, print_table, scratch_home, time_calls
from gyanpath.devserver import running_service

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "bench" / "queries"
LOCUSTFILE = ROOT / "bench" / "load_users.py"
HEALTH_P99_GOAL_MS = 50.0
P95_GOAL_MS = {"GET /search": 100.0, "POST /paths": 100.0}
RATE_LIMIT = "1000000/minute"  # the limiter still counts every request; it never refuses one here
DEPARTMENT = "health"


@dataclass(frozen=True)
class Row:
    name: str
    requests: int
    failures: int
    p50: float
    p95: float
    p99: float
    rps: float


def main() -> None:
    args = _arguments()
    home = args.home or scratch_home("load")
    with _scratch_database(args.postgres) as database:
        env = _environment(home, args, database)
        _link_models(home, args.models_cache)
        print(f"home {home}: bootstrapping the bundled corpus with {args.embedder}", flush=True)
        _gyanpath(env, "bootstrap")
        if database:
            _gyanpath(env, "db", "upgrade")  # once, before the workers start (each would migrate at start)
        admins = [_key(env, "admin", n) for n in range(max(1, args.admins))]
        with running_service(env, home / "server.log", workers=args.workers, timeout=300) as url:
            tokens = _learner_keys(url, admins[0], args.users - args.admins)
            config = _locust_config(url, tokens, admins[: args.admins], args.think)
            baseline = _idle_health_p99(url, config, args.baseline_requests)
            rows = _run_locust(url, home, config, args)
    _report(rows, baseline, args)
    _report_failures(home / "locust_failures.csv")
    sys.exit(0 if _goals_met(rows) else 1)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10, help="concurrent simulated learners")
    parser.add_argument("--duration", default="2m", help="how long the load lasts (locust syntax: 20s, 2m)")
    parser.add_argument("--embedder", default="e5-multilingual", help="the service's embedder (hashing: smoke run)")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"), help="seconds")
    parser.add_argument("--baseline-requests", type=int, default=300, help="idle GET /health calls (baseline)")
    parser.add_argument("--home", type=Path, default=None, help="data directory (default: a fresh scratch one)")
    parser.add_argument("--models-cache", type=Path, default=Path("/tmp/gyanpath-bench-models"))
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (more than 1: use --redis)")
    parser.add_argument("--admins", type=int, default=None, help="of --users, department admins (default users/50)")
    parser.add_argument("--postgres", default=None, help="PostgreSQL server URL: a scratch database on it")
    parser.add_argument("--redis", default=None, help="Redis URL for the rate limits shared by the workers")
    args = parser.parse_args()
    if args.users < 1 or not 0 <= args.think[0] <= args.think[1] or args.workers < 1:
        parser.error("--users and --workers must be at least 1 and --think MIN MAX with 0 <= MIN <= MAX")
    args.admins = max(1, args.users // 50) if args.admins is None else args.admins
    if not 0 <= args.admins < args.users:
        parser.error("--admins must be at least 0 and fewer than --users")
    return args


def _environment(home: Path, args: argparse.Namespace, database: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "GYANPATH_HOME": str(home),
        "GYANPATH_EMBEDDER": args.embedder,
        "GYANPATH_RATE_LIMIT": RATE_LIMIT,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    if database:
        env["GYANPATH_DATABASE_URL"] = database
    if args.redis:
        env["GYANPATH_REDIS_URL"] = args.redis
        env["GYANPATH_REDIS_PREFIX"] = f"gyanpath-load-{secrets.token_hex(4)}"
    return env


@contextmanager
def _scratch_database(server: str | None) -> Iterator[str | None]:
    """A new, empty PostgreSQL database on ``server`` for the run's progress store, dropped after it."""
    if server is None:
        yield None
        return
    name = f"gyanpath_load_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _link_models(home: Path, cache: Path) -> None:
    """``<home>/models`` points at a cache kept between runs, so the e5 model is converted once."""
    cache.mkdir(parents=True, exist_ok=True)
    models = home / "models"
    if not models.exists():
        home.mkdir(parents=True, exist_ok=True)
        models.symlink_to(cache, target_is_directory=True)


def _gyanpath(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "gyanpath", *arguments], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"gyanpath {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _key(env: dict[str, str], role: str, number: int) -> str:
    created = json.loads(
        _gyanpath(env, "keys", "create", "--role", role, "--department", DEPARTMENT, "--name",
                  f"load test {role} {number}", "--learner-id", f"load-{role}-{number}", "--json")
    )  # fmt: skip
    token: str = created["token"]
    return token


def _learner_keys(url: str, admin: str, count: int) -> list[str]:
    """Learner keys made by the department's admin through the API (one process start per key would take
    minutes at a hundred users)."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {admin}"}, timeout=60) as client:
        made = [
            client.post("/admin/keys", json={"role": "learner", "name": f"load test learner {n}",
                                             "learner_id": f"load-learner-{n}"})
            for n in range(count)
        ]  # fmt: skip
    for answer in made:
        answer.raise_for_status()
    return [str(answer.json()["token"]) for answer in made]


def _jsonl(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (QUERIES / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _locust_config(url: str, tokens: list[str], admins: list[str], think: tuple[float, float]) -> dict[str, Any]:
    """What the users need; the courses they complete are those the roles' learning paths recommend."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {tokens[0]}"}, timeout=120) as client:
        roles = client.get("/roles")
        roles.raise_for_status()
        role_ids = [role["id"] for role in roles.json()]
        courses: set[str] = set()
        for role in role_ids:
            path = client.post("/paths", json={"role": role})
            path.raise_for_status()
            courses.update(step["course_id"] for step in path.json()["steps"])
    return {
        "tokens": tokens,
        "admin_tokens": admins,
        "queries": [{"query": q["query"], "lang": q["lang"]} for q in _jsonl("retrieval.jsonl")],
        "questions": [q["question"] for q in _jsonl("tutor.jsonl")],
        "roles": role_ids,
        "courses": sorted(courses),
        "think_seconds": list(think),
    }


def _idle_health_p99(url: str, config: dict[str, Any], requests: int) -> float:
    """GET /health p99 on the idle service, after one warm-up call of every endpoint the load uses."""
    headers = {"Authorization": f"Bearer {config['tokens'][0]}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        client.get("/search", params={"q": config["queries"][0]["query"]}).raise_for_status()
        client.post("/tutor/ask", json={"question": config["questions"][0]}).raise_for_status()
        client.post("/paths", json={"role": config["roles"][0]}).raise_for_status()
        if config["admin_tokens"]:
            admin = {"Authorization": f"Bearer {config['admin_tokens'][0]}"}
            client.get("/reports/department", headers=admin).raise_for_status()
        timings = time_calls(lambda: client.get("/health").raise_for_status(), requests, warmup=10)
    return percentile(timings, 99)


def _run_locust(url: str, home: Path, config: dict[str, Any], args: argparse.Namespace) -> list[Row]:
    config_path = home / "load-config.json"
    config_path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    stats = home / "locust-stats"  # locust adds ".json"
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", url,
        "--users", str(args.users), "--spawn-rate", str(args.users), "--run-time", args.duration,
        "--json-file", str(stats), "--csv", str(home / "locust"), "--loglevel", "WARNING",
        "--exit-code-on-error", "0",
    ]  # fmt: skip
    print(f"locust: {args.users} users for {args.duration} against {url} (log: {home / 'locust.log'})", flush=True)
    with (home / "locust.log").open("w") as log:
        done = subprocess.run(
            command, cwd=ROOT, env={**os.environ, "GYANPATH_LOAD_CONFIG": str(config_path)}, stdout=log, stderr=log
        )
    report = stats.with_suffix(".json")
    if done.returncode != 0 or not report.exists():
        raise SystemExit(f"locust failed (exit code {done.returncode}); see {home / 'locust.log'}")
    return _rows(json.loads(report.read_text(encoding="utf-8")))


def _rows(entries: list[dict[str, Any]]) -> list[Row]:
    """One row per endpoint and one for all requests, from locust's final statistics (response times in buckets
    of 1 ms below 100 ms, 10 ms below 1 s, as locust keeps them)."""
    if not entries:
        return []
    started = min(e["start_time"] for e in entries)
    seconds = max(e["last_request_timestamp"] or e["start_time"] for e in entries) - started
    rows = [_row(e["name"], [e], seconds) for e in sorted(entries, key=lambda e: str(e["name"]))]
    searches = [e for e in entries if str(e["name"]).startswith("GET /search (")]
    combined = [_row("GET /search", searches, seconds)] if len(searches) > 1 else []
    return [*rows, *combined, _row("all requests", entries, seconds)]


def _row(name: str, entries: list[dict[str, Any]], seconds: float) -> Row:
    timings: dict[int, int] = {}
    for entry in entries:
        for bucket, count in entry["response_times"].items():
            timings[int(bucket)] = timings.get(int(bucket), 0) + count
    requests = sum(e["num_requests"] for e in entries)
    return Row(
        name=name,
        requests=requests,
        failures=sum(e["num_failures"] for e in entries),
        p50=_bucket_percentile(timings, 50),
        p95=_bucket_percentile(timings, 95),
        p99=_bucket_percentile(timings, 99),
        rps=requests / seconds if seconds > 0 else 0.0,
    )


def _bucket_percentile(timings: dict[int, int], q: float) -> float:
    """Nearest-rank percentile of response times given as {milliseconds: count}."""
    total = sum(timings.values())
    rank, seen = max(1, math.ceil(q / 100 * total)), 0
    for milliseconds in sorted(timings):
        seen += timings[milliseconds]
        if seen >= rank:
            return float(milliseconds)
    return float("nan")


def _health(rows: list[Row]) -> Row | None:
    return next((row for row in rows if row.name == "GET /health"), None)


def _p95(rows: list[Row], endpoint: str) -> float:
    """p95 of one endpoint (all its rows together: the search rows are per language, and summed in one)."""
    found = [row for row in rows if row.name == endpoint or row.name.startswith(f"{endpoint} (")]
    return found[0].p95 if len(found) == 1 else next((r.p95 for r in found if r.name == endpoint), float("nan"))


def _goals_met(rows: list[Row]) -> bool:
    health = _health(rows)
    fast = all(_p95(rows, endpoint) < goal for endpoint, goal in P95_GOAL_MS.items())
    healthy = health is not None and health.requests > 0 and health.p99 < HEALTH_P99_GOAL_MS
    return healthy and fast and _failures(rows) == 0


def _failures(rows: list[Row]) -> int:
    return sum(row.failures for row in rows if row.name not in ("all requests", "GET /search"))


def _report_failures(path: Path) -> None:
    """What each failed request answered (locust's failures CSV: method, name, error, occurrences)."""
    if not path.exists():
        return
    with path.open(encoding="utf-8", newline="") as table:
        failed = [[r["Method"], r["Name"], r["Error"][:120], r["Occurrences"]] for r in csv.DictReader(table)]
    if failed:
        print_table("Failed requests", ["method", "endpoint", "error", "occurrences"], failed)


def _report(rows: list[Row], baseline_p99: float, args: argparse.Namespace) -> None:
    stores = f"{'PostgreSQL' if args.postgres else 'SQLite'} + {'Redis' if args.redis else 'in-process limits'}"
    print_table(
        f"Load: {args.users} users ({args.admins} admins), {args.duration}, think {args.think[0]:g}-{args.think[1]:g}"
        f" s, {args.workers} worker(s), {stores}, {args.embedder} (milliseconds)",
        ["endpoint", "requests", "failures", "p50 ms", "p95 ms", "p99 ms", "req/s"],
        [[r.name, r.requests, r.failures, *(f"{p:.0f}" for p in (r.p50, r.p95, r.p99)), f"{r.rps:.2f}"] for r in rows],
    )
    health = _health(rows)
    loaded = health.p99 if health else float("nan")
    print_table(
        "Goals",
        ["check", "measured", "goal", "met"],
        [
            ["GET /health p99 while loaded", f"{loaded:.1f} ms", f"< {HEALTH_P99_GOAL_MS:.0f} ms",
             "yes" if loaded < HEALTH_P99_GOAL_MS else "NO"],
            ["GET /health p99 idle (baseline)", f"{baseline_p99:.1f} ms",
             f"loaded / idle = {loaded / baseline_p99:.1f}x" if baseline_p99 > 0 else "-", "-"],
            *([f"{endpoint} p95 while loaded", f"{_p95(rows, endpoint):.0f} ms", f"< {goal:.0f} ms",
               "yes" if _p95(rows, endpoint) < goal else "NO"] for endpoint, goal in P95_GOAL_MS.items()),
            ["failed requests", str(_failures(rows)), "0", "yes" if _failures(rows) == 0 else "NO"],
        ],
    )  # fmt: skip


if __name__ == "__main__":
    main()
