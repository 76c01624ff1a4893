"""The locust users of ``bench.load`` (a locustfile: run by ``locust -f``, never imported by the service).

Each simulated learner has its own API key and, between pauses, searches (English and Hindi questions from
bench/queries/retrieval.jsonl), asks the tutor (bench/queries/tutor.jsonl), asks for a learning path for a role
listed by GET /roles, records a completed course (one the paths recommend, completed in the last 60 days), and a
health probe runs alongside as a monitor would. A few department admins (a fixed number of the users) read the
department report as JSON or CSV. ``bench.load`` writes what the users need (keys, queries, roles, courses, think
time) to the JSON file named by ``GYANPATH_LOAD_CONFIG``.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

CONFIG: dict[str, Any] = json.loads(Path(os.environ["GYANPATH_LOAD_CONFIG"]).read_text(encoding="utf-8"))
TOKENS = itertools.cycle(CONFIG["tokens"])
ADMIN_TOKENS = itertools.cycle(CONFIG.get("admin_tokens") or [""])
SEEDS = itertools.count()


class _User(FastHttpUser):
    abstract = True
    wait_time = between(*CONFIG["think_seconds"])
    headers: dict[str, str]

    def _expect(
        self, method: str, path: str, name: str, field: str | None, ok: tuple[int, ...] = (200,), **kwargs: Any
    ) -> None:
        """A request that fails unless it answers a status in ``ok`` with ``field`` in its JSON body (None: any
        body)."""
        with self.client.request(
            method, path, name=name, headers=self.headers, catch_response=True, **kwargs
        ) as response:
            if response.status_code not in ok:
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")
            elif field is not None and field not in (response.json() or {}):
                response.failure(f"no '{field}' in the answer")


class Learner(_User):
    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {next(TOKENS)}"}
        self.random = random.Random(next(SEEDS))  # each user its own, reproducible sequence of requests

    @task(5)
    def search(self) -> None:
        query = self.random.choice(CONFIG["queries"])
        self._expect("GET", "/search", f"GET /search ({query['lang']})", "results", params={"q": query["query"]})

    @task(3)
    def ask_tutor(self) -> None:
        question = self.random.choice(CONFIG["questions"])
        self._expect("POST", "/tutor/ask", "POST /tutor/ask", "answered", json={"question": question})

    @task(1)
    def learning_path(self) -> None:
        body: dict[str, Any] = {"role": self.random.choice(CONFIG["roles"])}
        if self.random.random() < 0.5:
            body["hours"] = self.random.choice([8, 12, 20])
        self._expect("POST", "/paths", "POST /paths", "steps", json=body)

    @task(1)
    def complete_course(self) -> None:
        """201 the first time; 200 when the same course and time come round again (stored once)."""
        days = self.random.randint(0, 59)
        body = {
            "course_id": self.random.choice(CONFIG["courses"]),
            "completed_at": (datetime.now(UTC) - timedelta(days=days)).replace(microsecond=0).isoformat(),
            "score": self.random.choice([None, 60.0, 75.0, 90.0]),
        }
        self._expect("POST", "/me/completions", "POST /me/completions", "course_id", ok=(200, 201), json=body)

    @task(2)
    def health(self) -> None:
        self._expect("GET", "/health", "GET /health", "status")


class DepartmentAdmin(_User):
    """A department's training officer looking at the report now and then (a fixed number of users)."""

    fixed_count = len(CONFIG.get("admin_tokens") or [])

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {next(ADMIN_TOKENS)}"}

    @task(3)
    def report(self) -> None:
        self._expect("GET", "/reports/department", "GET /reports/department", "department")

    @task(1)
    def report_csv(self) -> None:
        self._expect("GET", "/reports/department.csv", "GET /reports/department.csv", None)
