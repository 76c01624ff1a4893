"""``gyanpath db upgrade`` and ``db current`` against SQLite and PostgreSQL, and the passbook's level rule."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from corpus.types import CompetencyRef, CompetencyType, Course, Level
from gyanpath.cli import app
from gyanpath.progress.passbook import passbook
from gyanpath.progress.records import CompletionRow

runner = CliRunner()


def test_db_upgrade_then_current(progress_url: str) -> None:
    before = runner.invoke(app, ["db", "current", "--url", progress_url, "--json"])
    assert before.exit_code == 0, before.output
    assert json.loads(before.stdout) == {"current": None, "head": "0001"}
    upgraded = runner.invoke(app, ["db", "upgrade", "--url", progress_url, "--json"])
    assert upgraded.exit_code == 0, upgraded.output
    assert json.loads(upgraded.stdout) == {"before": None, "after": "0001", "head": "0001"}
    again = runner.invoke(app, ["db", "upgrade", "--url", progress_url, "--json"])
    assert json.loads(again.stdout)["before"] == "0001"


def test_db_upgrade_defaults_to_the_home_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade", "--home", str(tmp_path), "--json"], env={"GYANPATH_DATABASE_URL": ""})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "progress.db").exists()


def test_an_unknown_revision_is_a_clean_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade", "--home", str(tmp_path), "--revision", "9999"])
    assert result.exit_code == 1 and "error:" in result.output and "Traceback" not in result.output


def _course(course_id: str, level: Level) -> Course:
    ref = CompetencyRef(CompetencyType.DOMAIN, "Cyber Security", "Cyber Security", level)
    return Course(course_id, course_id, "", "en", 60, level, "x", competencies=(ref,))


def test_the_passbook_keeps_the_highest_level_and_the_first_course_to_prove_it() -> None:
    courses = {"basic": _course("basic", Level.BEGINNER), "adv": _course("adv", Level.ADVANCED)}
    done = [
        CompletionRow(3, "adv", datetime(2026, 5, 1, tzinfo=UTC), 1, None),
        CompletionRow(1, "basic", datetime(2026, 1, 1, tzinfo=UTC), 1, None),
        CompletionRow(4, "adv", datetime(2026, 6, 1, tzinfo=UTC), 1, None),
        CompletionRow(2, "gone", datetime(2026, 2, 1, tzinfo=UTC), 1, None),  # no longer in the catalogue
    ]
    [acquired] = passbook(done, courses, {})
    assert (acquired.level, acquired.course_id, acquired.completed_at.month) == (Level.ADVANCED, "adv", 5)
