"""Uploads, re-uploads and deletes of case studies and courses while learners search, ask the tutor, open documents,
practise and post completions, against the real service (issue 13): no answer is a 5xx, every answer is a status
its operation documents (and one this operation may give), and afterwards the store and the index agree.

Two backends: SQLite for everything with one worker; and the progress store on PostgreSQL with rate limits in Redis
and two workers sharing the data directory, where each worker follows the snapshots the other publishes. The
second is skipped, saying why, when PostgreSQL (``GYANPATH_TEST_POSTGRES_URL``, default 127.0.0.1:5432/test) or
Redis (``GYANPATH_TEST_REDIS_URL``, default 127.0.0.1:6379) cannot be reached.

The run is bounded by request counts (each thread a fixed, seeded list of operations), not by time. Each author
thread owns its ids, so the last acknowledged operation on an id says whether it must be found afterwards; a learner
of another department checks, meanwhile, that the private ones never reach it.
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from corpus.ingest import IngestSources, ingest
from corpus.store import Store
from gyanpath.accounts import Role
from gyanpath.devserver import running_service
from gyanpath.services import Services
from gyanpath.settings import Settings
from tests.conftest import MINI
from tests.waiting import wait_until
from tests.workers import Workers

pytestmark = pytest.mark.slow

REDIS_URL = os.environ.get("GYANPATH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DEPARTMENT = "general-administration"
OUTSIDER = "health"  # a learner of another department: the private uploads must never reach it
AUTHORS, IDS_PER_AUTHOR, AUTHOR_OPS = 2, 4, 70
LEARNERS, LEARNER_REQUESTS = 3, 180
COMPLETIONS = 100
MINI_COURSES = ("crs-ai-basics-en", "crs-cyber-basics-en", "crs-rti-hi")

# What each operation may answer while the content changes under it (a subset of what it documents).
EXPECTED: dict[str, set[int]] = {
    "upload case study": {200, 201},
    "delete case study": {200, 404},
    "upload course": {200, 201},
    "delete course": {200, 404},
    "search": {200},
    "ask": {200},
    "document": {200, 404},
    "practice": {200, 404},
    "completion": {200, 201, 404},
}
OPERATIONS = {  # operation -> (method, path template in the OpenAPI document)
    "upload case study": ("post", "/content/case-studies"),
    "delete case study": ("delete", "/content/case-studies/{doc_id}"),
    "upload course": ("post", "/content/courses"),
    "delete course": ("delete", "/content/courses/{doc_id}"),
    "search": ("get", "/search"),
    "ask": ("post", "/tutor/ask"),
    "document": ("get", "/documents/{doc_id}"),
    "practice": ("post", "/tutor/practice"),
    "completion": ("post", "/me/completions"),
}


@dataclass(frozen=True)
class Backend:
    name: str
    workers: int
    env: dict[str, str]


@pytest.fixture(params=["sqlite", "postgresql+redis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "sqlite":
        return Backend("sqlite", 1, {"GYANPATH_DATABASE_URL": f"sqlite:///{tmp_path / 'progress.db'}"})
    postgres: str = request.getfixturevalue("postgres_url")  # skips, saying why, when unreachable
    _redis_or_skip()
    env = {
        "GYANPATH_DATABASE_URL": postgres,
        "GYANPATH_REDIS_URL": REDIS_URL,
        "GYANPATH_REDIS_PREFIX": f"gyanpath-test-{uuid.uuid4().hex}",
        "GYANPATH_RATE_LIMIT": "100000/minute",  # counted in Redis, never reached
    }
    return Backend("postgresql+redis", 2, env)


def _redis_or_skip() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at {REDIS_URL} is unreachable ({exc}); the two-worker run is not tested")
    finally:
        client.close()


@dataclass(frozen=True)
class Keys:
    authors: list[str]
    learner: str
    outsider: str


@pytest.fixture
def service(backend: Backend, tmp_path: Path) -> Iterator[tuple[str, Keys, Path, Backend]]:
    """The mini corpus indexed with the hashing embedder, keys, and the real service running over that home."""
    home = tmp_path / "home"
    env = {
        **os.environ,
        "GYANPATH_HOME": str(home),
        "GYANPATH_EMBEDDER": "hashing",
        "GYANPATH_RATE_LIMIT": "off",
        "GYANPATH_SNAPSHOT_POLL_SECONDS": "0.2",
        **backend.env,
    }
    services = Services.create(
        Settings(home=home, embedder="hashing", database_url=backend.env["GYANPATH_DATABASE_URL"])
    )
    try:
        ingest(services.store, IngestSources.bundle(MINI))
        services.rebuild_index()
        users = services.users
        keys = Keys(
            authors=[users.create_key(role=Role.AUTHOR, department=DEPARTMENT).token for _ in range(AUTHORS)],
            learner=users.create_key(role=Role.LEARNER, department=DEPARTMENT, learner_id="asha").token,
            outsider=users.create_key(role=Role.LEARNER, department=OUTSIDER).token,
        )
    finally:
        services.close()
    with running_service(env, tmp_path / "server.log", workers=backend.workers, timeout=90) as base:
        yield base, keys, home, backend


# -- the documents the authors change ------------------------------------------------------------------------------
def marker(owner: int, n: int) -> str:
    return f"qzx{'bcdfghjklm'[owner]}{'npqrstvwxz'[n]}"


def case_study(owner: int, n: int, version: int) -> dict[str, Any]:
    """Version ``version`` of an author's case study; even ones private to the department, odd ones public."""
    mark = marker(owner, n)
    return {
        "id": f"cs-{mark}",
        "title": f"File clearance in the {mark} office",
        "body": f"## What was done\nThe {mark} office cleared {100 + version} files in {version + 2} weeks. "
        f"Each file in the {mark} office was given a deadline and an officer.\n",
        "department": DEPARTMENT,
        "sector": "e-governance",
        "year": 2023,
        "language": "en",
        "source": "concurrency test",
        "visibility": DEPARTMENT if n % 2 == 0 else "public",
    }


def course(owner: int, version: int) -> dict[str, Any]:
    mark = marker(owner, 9)
    return {
        "id": f"crs-{mark}",
        "title": f"Clearing files in the {mark} office",
        "description": f"How the {mark} office clears files on time; revision {version}.",
        "language": "en",
        "duration_minutes": 30 + version,
        "level": "Beginner",
        "provider": "concurrency test",
    }


# -- recording every answer ----------------------------------------------------------------------------------------
@dataclass
class Log:
    """Every answer (operation, status, the start of its body), problems seen on the way, degraded searches."""

    answers: list[tuple[str, int, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    degraded: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, operation: str, response: httpx.Response) -> httpx.Response:
        with self.lock:
            self.answers.append((operation, response.status_code, response.text[:300]))
        return response

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)


def _client(base: str, token: str, workers: int) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"}
    if workers > 1:  # a new connection each time, so the kernel spreads the requests over the workers
        headers["Connection"] = "close"
    return httpx.Client(base_url=base, headers=headers, timeout=60)


def author(base: str, token: str, owner: int, log: Log, workers: int) -> dict[str, bool]:
    """A seeded list of uploads, re-uploads and deletes of this author's own ids; returns, per id, whether its last
    acknowledged operation leaves it stored. With one worker, every acknowledged change is checked at once in
    search (searchable when the author hears back, gone when a delete answers)."""
    rng = random.Random(owner)
    stored: dict[str, bool] = {}
    versions: dict[str, int] = {}
    with _client(base, token, workers) as client:
        for step in range(AUTHOR_OPS):
            is_course = owner == 0 and step % 5 == 4
            n = rng.randrange(IDS_PER_AUTHOR)
            doc_id = f"crs-{marker(owner, 9)}" if is_course else f"cs-{marker(owner, n)}"
            kind = "course" if is_course else "case study"
            if rng.random() < 0.6 or not stored.get(doc_id):
                versions[doc_id] = versions.get(doc_id, 0) + 1
                record = course(owner, versions[doc_id]) if is_course else case_study(owner, n, versions[doc_id])
                path = "/content/courses" if is_course else "/content/case-studies"
                response = log.add(f"upload {kind}", client.post(path, json=record))
                if response.status_code in (200, 201):
                    stored[doc_id] = True
            else:
                path = f"/content/courses/{doc_id}" if is_course else f"/content/case-studies/{doc_id}"
                response = log.add(f"delete {kind}", client.delete(path))
                if response.status_code in (200, 404):
                    stored[doc_id] = False
            if workers == 1 and not is_course and response.status_code in (200, 201):
                mark = doc_id.removeprefix("cs-")
                found = doc_id in _search(client, mark, log)
                if found != stored[doc_id]:
                    log.problem(f"{doc_id}: {'not ' if stored[doc_id] else ''}searchable right after its {kind} answer")
    return stored


def _search(client: httpx.Client, query: str, log: Log) -> list[str]:
    """The ids found; degraded (lexical only) answers are counted."""
    response = log.add("search", client.get("/search", params={"q": query, "k": 50, "kind": "case_study"}))
    if response.status_code != 200:
        return []
    if response.json()["degraded"]:
        with log.lock:
            log.degraded += 1
    return [hit["doc_id"] for hit in response.json()["results"]]


def learner(base: str, token: str, seed: int, log: Log, workers: int, outsider: bool) -> None:
    """Searches, questions, document and practice requests about the ids the authors are changing."""
    rng = random.Random(1000 + seed)
    private = {f"cs-{marker(o, n)}" for o in range(AUTHORS) for n in range(0, IDS_PER_AUTHOR, 2)}
    with _client(base, token, workers) as client:
        for _ in range(LEARNER_REQUESTS):
            mark = marker(rng.randrange(AUTHORS), rng.randrange(IDS_PER_AUTHOR))
            choice = rng.random()
            if choice < 0.35:
                named = _search(client, f"{mark} office files", log)
            elif choice < 0.65:
                question = f"How many files did the {mark} office clear?"
                response = log.add("ask", client.post("/tutor/ask", json={"question": question}))
                body = response.json() if response.status_code == 200 else {}
                named = [c["doc_id"] for c in body.get("citations", [])] + [
                    r["doc_id"] for r in body.get("related", [])
                ]
            elif choice < 0.85:
                response = log.add("document", client.get(f"/documents/cs-{mark}"))
                named = [response.json()["doc_id"]] if response.status_code == 200 else []
            else:
                response = log.add("practice", client.post("/tutor/practice", json={"doc_id": f"cs-{mark}"}))
                named = [response.json()["doc_id"]] if response.status_code == 200 else []
            if outsider and private & set(named):
                log.problem(f"a learner of {OUTSIDER} was shown {sorted(private & set(named))}")


def completions(base: str, token: str, log: Log, workers: int) -> None:
    """Completions of the mini corpus's courses and of the course an author keeps uploading and deleting."""
    rng = random.Random(7)
    with _client(base, token, workers) as client:
        for n in range(COMPLETIONS):
            course_id = rng.choice([*MINI_COURSES, f"crs-{marker(0, 9)}"])
            at = f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:00:00+05:30"
            log.add("completion", client.post("/me/completions", json={"course_id": course_id, "completed_at": at}))


def run_threads(jobs: list[Callable[[], Any]]) -> list[Any]:
    results: list[Any] = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(n: int, job: Callable[[], Any]) -> None:
        try:
            results[n] = job()
        except BaseException as exc:  # a transport error is a finding too; re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n, job)) for n, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, f"a client thread failed: {errors[0]!r}"
    assert not any(thread.is_alive() for thread in threads), "a client thread did not finish in 5 minutes"
    return results


def documented(base: str) -> dict[str, set[int]]:
    spec = httpx.get(f"{base}/openapi.json", timeout=30).json()
    return {
        operation: {int(code) for code in spec["paths"][path][method]["responses"] if code.isdigit()}
        for operation, (method, path) in OPERATIONS.items()
    }


# -- the test ------------------------------------------------------------------------------------------------------
def test_uploads_deletes_and_questions_at_once_never_fail(service: tuple[str, Keys, Path, Backend]) -> None:
    base, keys, home, backend = service
    log = Log()
    started = time.monotonic()
    jobs: list[Callable[[], Any]] = [
        *(lambda o=o: author(base, keys.authors[o], o, log, backend.workers) for o in range(AUTHORS)),
        *(lambda s=s: learner(base, keys.learner, s, log, backend.workers, False) for s in range(LEARNERS - 1)),
        lambda: learner(base, keys.outsider, LEARNERS, log, backend.workers, True),
        lambda: completions(base, keys.learner, log, backend.workers),
    ]
    results = run_threads(jobs)
    elapsed = time.monotonic() - started
    final: dict[str, bool] = {doc_id: kept for stored in results[:AUTHORS] for doc_id, kept in stored.items()}

    by_operation = {op: sum(1 for a in log.answers if a[0] == op) for op in EXPECTED}
    print(f"{backend.name}: {len(log.answers)} requests in {elapsed:.1f} s, {log.degraded} searches degraded")
    print(f"  by operation: {by_operation}")
    codes = documented(base)
    failures = [a for a in log.answers if a[1] >= 500]
    assert not failures, f"{len(failures)} answers were 5xx, the first: {failures[:3]}"
    undocumented = [a for a in log.answers if a[1] not in codes[a[0]]]
    assert not undocumented, f"undocumented statuses: {undocumented[:3]}"
    unexpected = [a for a in log.answers if a[1] not in EXPECTED[a[0]]]
    assert not unexpected, f"statuses these operations should not give: {unexpected[:3]}"
    assert not log.problems, f"{len(log.problems)} problems, the first: {log.problems[:3]}"
    # Publishing never degrades search, also when the other worker commits while a snapshot is built or followed
    # (it did: about half the searches of the two-worker run went lexical, and asks answered 503 meanwhile).
    assert log.degraded == 0, f"{log.degraded} searches answered degraded (lexical only)"
    assert by_operation["upload case study"] >= AUTHORS * AUTHOR_OPS // 3 and by_operation["ask"] > 10

    wait_until_settled(base, backend)
    check_store_and_index_agree(base, keys, home, backend, final)


def wait_until_settled(base: str, backend: Backend, timeout: float = 60.0) -> None:
    """Until every worker serves a sound snapshot again: each follows the last one published on its next request, at
    most a poll interval later. Settled: each worker (by name) answered ``ok`` twice in a row, the others too."""
    workers = Workers(base)
    streak: dict[str, int] = {}

    def settled() -> bool:
        response, worker = workers.request("GET", "/health", timeout=30)
        streak[worker] = streak.get(worker, 0) + 1 if response.json()["status"] == "ok" else 0
        return len(streak) == backend.workers and min(streak.values()) >= 2

    wait_until(settled, timeout=timeout, interval=0.1, what=lambda: f"every worker to serve a sound snapshot: {streak}")


def check_store_and_index_agree(base: str, keys: Keys, home: Path, backend: Backend, final: dict[str, bool]) -> None:
    """Each id that its author's last acknowledged change left stored is in the store, opens, and is found by
    search, on every worker (each asked until it answered, by name); each deleted one is in none of them."""
    store = Store.open(home / "gyanpath.db")
    try:
        in_store = store.document_ids()
    finally:
        store.close()
    wrong_store = sorted(doc_id for doc_id, kept in final.items() if (doc_id in in_store) != kept)
    assert not wrong_store, f"the store disagrees with the acknowledged changes: {wrong_store}"
    workers = Workers(base)

    def session() -> httpx.Client:
        return httpx.Client(headers={"Authorization": f"Bearer {keys.learner}"})

    for worker, health in workers.from_each(backend.workers, "GET", "/health", timeout=30).items():
        assert health.json()["status"] == "ok", (worker, health.json())
    for doc_id, kept in final.items():
        if doc_id.startswith("crs-"):
            continue
        params = {"q": doc_id.removeprefix("cs-"), "k": 50, "kind": "case_study"}
        searched = workers.from_each(backend.workers, "GET", "/search", client=session, params=params, timeout=60)
        opened = workers.from_each(backend.workers, "GET", f"/documents/{doc_id}", client=session, timeout=60)
        for worker, response in searched.items():  # every worker answers the same
            assert response.status_code == 200 and response.json()["degraded"] is False, (worker, response.text[:300])
            found = doc_id in [hit["doc_id"] for hit in response.json()["results"]]
            answer = (found, opened[worker].status_code)
            assert answer == ((True, 200) if kept else (False, 404)), (doc_id, kept, worker, answer)
