"""Kill -9 during a burst of progress writes loses no acknowledged write (SQLite, WAL, synchronous=FULL).

A child process records completions as fast as it can and prints each id once ``complete`` has returned (the
acknowledgement a client would get); the parent kills it after a random number of acknowledged writes (the burst
goes on meanwhile, so the kill lands mid-write), 25 times, and then every acknowledged id must be in the database,
which must pass SQLite's integrity check.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from gyanpath.progress import ProgressStore
from tests.waiting import wait_until

ROUNDS = 25
PROJECT = Path(__file__).resolve().parents[2]
WRITER = """
import sys
from datetime import UTC, datetime, timedelta
from gyanpath.progress import LearnerRef, ProgressStore

store = ProgressStore.open(sys.argv[1])
learner = LearnerRef("health/burst", "burst", "health")
start = datetime(2026, 1, 1, tzinfo=UTC)
print("ready", flush=True)
for n in range(10**9):
    row, _ = store.complete(learner, f"crs-{sys.argv[2]}-{n}", start + timedelta(seconds=n), 1.0, None)
    print(row.id, flush=True)
"""


def _one_round(url: str, number: int, rng: random.Random) -> set[int]:
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, str(number)], cwd=PROJECT, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip() == "ready":
                ready.set()
            else:
                lines.append(line.strip())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert ready.wait(60), "the writer did not start"
    acknowledged = rng.randint(1, 40)  # kill it mid-burst, after a random number of acknowledged writes
    wait_until(lambda: len(lines) >= acknowledged or child.poll() is not None, what=f"{acknowledged} writes")
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    reader.join(30)
    assert child.returncode == -signal.SIGKILL
    return {int(line) for line in lines if line}


@pytest.mark.slow  # about 30 s: 25 writer processes
def test_kill_9_during_a_burst_loses_no_acknowledged_write(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    url = f"sqlite:///{path}"
    ProgressStore.open(url).close()  # schema first, so every round starts writing at once
    rng = random.Random(6)
    acknowledged: set[int] = set()
    for number in range(ROUNDS):
        acknowledged |= _one_round(url, number, rng)
    store = ProgressStore.open(url)
    try:
        stored = store.completion_ids()
    finally:
        store.close()
    assert len(acknowledged) > ROUNDS  # the writer got going every time, not just once
    assert acknowledged <= stored, f"lost acknowledged writes: {sorted(acknowledged - stored)[:10]}"
    assert len(stored - acknowledged) <= ROUNDS  # at most the one write in flight at each kill
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
