"""Peer signals: a planted co-completion pattern that popularity cannot see, cold starts, and the log format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from corpus.errors import ValidationError
from recommender.completions import CompletionLog, CompletionRecord, load_completions, write_completions
from recommender.peers import PeerModel

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def planted_log() -> CompletionLog:
    """60 clerks: everyone takes the popular course P; half take A and then B; the others take C and D.
    20 teachers take T. A learner who did A should be offered B, which plain popularity ranks below P, C, D."""
    records = []
    for n in range(60):
        learner = f"clerk-{n}"
        pair = ("A", "B") if n % 2 == 0 else ("C", "D")
        for day, course in enumerate(("P", *pair)):
            records.append(CompletionRecord(learner, course, T0 + timedelta(days=n + day), "role-clerk", "revenue"))
    for n in range(35):  # C and D are more popular overall than B
        records.append(CompletionRecord(f"other-{n}", "C", T0, "role-clerk", "revenue"))
        records.append(CompletionRecord(f"other-{n}", "D", T0, "role-clerk", "revenue"))
    for n in range(20):
        records.append(CompletionRecord(f"teacher-{n}", "T", T0, "role-teacher", "school-education"))
    return CompletionLog.from_records(records)


def popularity_ranking(log: CompletionLog, history: list[str]) -> list[str]:
    counts: dict[str, int] = {}
    for record in log.records():
        counts[record.course] = counts.get(record.course, 0) + 1
    return [c for c, _ in sorted(counts.items(), key=lambda kv: -kv[1]) if c not in history]


def test_peer_model_beats_popularity_on_a_planted_pattern() -> None:
    log = planted_log()
    model = PeerModel.fit(log)
    assert [c for c, _ in model.recommend("role-clerk", ["P", "A"], k=1)] == ["B"]
    assert popularity_ranking(log, ["P", "A"])[0] != "B"
    assert [c for c, _ in model.recommend("role-clerk", ["P", "C"], k=1)] == ["D"]


def test_cold_start_new_recruit_gets_role_popularity() -> None:
    model = PeerModel.fit(planted_log())
    assert model.recommend("role-teacher", [], k=1)[0][0] == "T"  # overall popularity would say C or D
    assert model.recommend("role-clerk", [], k=1)[0][0] in {"C", "D"}
    signals, basis = model.signals("role-teacher", [])
    assert basis == "role popularity" and signals["T"].role_share == 1.0
    _, unknown_basis = model.signals("role-nobody", [])
    assert unknown_basis == "overall popularity"


def test_cold_start_new_course_borrows_from_similar_courses() -> None:
    model = PeerModel.fit(planted_log(), courses=["T2", "X"]).with_cold_start({"T2": [("T", 0.9)]})
    scores = dict(model.recommend("role-teacher", ["T"], k=10))
    assert scores["T2"] > 0
    assert scores.get("X", 0.0) == 0.0  # new and with no content neighbours: no peer signal
    signals, _ = model.signals("role-teacher", ["T"])
    assert signals["T2"].basis == "similar content (new course)"


def test_completion_log_round_trips_and_reports_bad_lines(tmp_path: Path) -> None:
    log = planted_log()
    path = tmp_path / "completions.jsonl"
    write_completions(path, log)
    again = load_completions(path)
    assert len(again) == len(log) and set(again.courses) == set(log.courses) and set(again.roles) == set(log.roles)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"learner": "a", "course": "x", "completed_at": "2024-01-01"}\n'
        '{"learner": "b", "course": "x", "completed_at": "yesterday"}\n'
        '{"learner": "", "course": "x", "completed_at": "2024-01-01"}\n',
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        load_completions(bad)
    assert [(p.location, p.field) for p in caught.value.problems] == [("2", "completed_at"), ("3", "learner")]
    csv_file = tmp_path / "c.csv"
    csv_file.write_text("learner,course,completed_at,role,department\na,x,2024-01-01,,\n", encoding="utf-8")
    loaded = load_completions(csv_file)
    assert loaded.roles == () and int(loaded.role[0]) == -1
