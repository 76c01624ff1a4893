"""The locust users of ``bench.load`` (a locustfile: run by ``locust -f``, never imported by the service).

Each simulated learner has its own API key and, between pauses, searches (English and Hindi questions from
bench/queries/retrieval.jsonl), asks the tutor (bench/queries/tutor.jsonl), asks for a learning path for a role
listed by GET /roles, and a health probe runs alongside as a monitor would. ``bench.load`` writes what the users
need (keys, queries, roles, think time) to the JSON file named by ``GYANPATH_LOAD_CONFIG``.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import Any

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

CONFIG: dict[str, Any] = json.loads(Path(os.environ["GYANPATH_LOAD_CONFIG"]).read_text(encoding="utf-8"))
TOKENS = itertools.cycle(CONFIG["tokens"])
SEEDS = itertools.count()


class Learner(FastHttpUser):
    wait_time = between(*CONFIG["think_seconds"])

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {next(TOKENS)}"}
        self.random = random.Random(next(SEEDS))  # each user its own, reproducible sequence of requests

    def _expect(self, method: str, path: str, name: str, field: str, **kwargs: Any) -> None:
        """A request that fails unless it answers 200 with ``field`` in its JSON body."""
        with self.client.request(
            method, path, name=name, headers=self.headers, catch_response=True, **kwargs
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")
            elif field not in (response.json() or {}):
                response.failure(f"no '{field}' in the answer")

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

    @task(2)
    def health(self) -> None:
        self._expect("GET", "/health", "GET /health", "status")
