"""Kill index builds at random points: the last good snapshot must always load, matching the store."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpus.ingest import IngestSources, ingest
from gyanpath.services import Services
from gyanpath.settings import Settings
from tests.conftest import MINI

KILLS = 20
WORDS = [
    "district",
    "block",
    "panchayat",
    "vaccine",
    "budget",
    "audit",
    "tender",
    "grievance",
    "portal",
    "flood",
    "cyclone",
    "school",
    "teacher",
    "pension",
    "scheme",
    "survey",
    "mutation",
    "ration",
    "ledger",
    "training",
    "officer",
]


def synthetic_cases(path: Path, count: int) -> Path:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            body = "\n\n".join(
                f"## Part {p}\n"
                + " ".join(". ".join(" ".join(rng.choices(WORDS, k=12)) for _ in range(4)) for _ in range(2))
                for p in range(3)
            )
            record = {
                "id": f"cs-synthetic-{n}",
                "title": f"Synthetic case {n}",
                "body": body,
                "department": "health",
                "sector": "health",
                "year": 2020,
                "language": "en",
                "source": "crash test",
            }
            handle.write(json.dumps(record) + "\n")
    return path


def run_build(home: Path, *, kill_after: float | None) -> int:
    env = {**os.environ, "GYANPATH_HOME": str(home), "GYANPATH_EMBEDDER": "hashing", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gyanpath", "index", "rebuild", "--json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if kill_after is None:
        return process.wait(timeout=300)
    time.sleep(kill_after)
    process.send_signal(signal.SIGKILL)
    return process.wait(timeout=60)


@pytest.mark.slow
def test_killed_builds_leave_the_last_good_snapshot(tmp_path: Path) -> None:
    home = tmp_path / "home"
    settings = Settings(home=home, embedder="hashing")
    services = Services.create(settings)
    ingest(services.store, IngestSources.bundle(MINI))
    ingest(services.store, IngestSources(case_studies=[synthetic_cases(tmp_path / "cases.jsonl", 400)]))
    started = time.monotonic()
    assert run_build(home, kill_after=None) == 0
    duration = time.monotonic() - started  # only to spread the kill moments over a build, never asserted
    chunks = len(services.store.chunk_ids())
    rng = random.Random(2026)
    killed_mid_build = rounds = 0
    # KILLS rounds, and more while fewer than half of the kills landed before the build finished, whatever this
    # machine's speed: a build that finished first is checked like the others and not counted (the ceiling only
    # stops a machine where kills never land mid-build).
    while rounds < KILLS or killed_mid_build < KILLS // 2:
        assert rounds < 4 * KILLS, f"only {killed_mid_build} of {rounds} kills landed before the build finished"
        rounds += 1
        services.store.clear_embeddings(services.embedder.model_id)  # every build redoes all the work
        kill_after = rng.uniform(0.05, 0.9 * duration)
        code = run_build(home, kill_after=kill_after)
        if code == -signal.SIGKILL:
            killed_mid_build += 1
        else:  # it finished within kill_after: later kills come sooner
            assert code == 0, code
            duration = kill_after
        assert services.load_index(), services.health.detail
        manifest = services.retriever.model.manifest
        assert manifest is not None
        assert manifest.vector_count == chunks == len(services.store.chunk_ids())
        assert len(services.retriever.retrieve("vaccine budget audit", k=5, mode="dense")) == 5
    services.close()
