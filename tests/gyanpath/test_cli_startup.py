"""Commands start fast (issue 16): the CLI loads the model, FAISS, the database layers and the ML libraries only in
the commands that use them, and ``index status`` reads the model id without loading the model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus.store import Store
from embeddings import registry
from gyanpath.cli import app
from tests.conftest import MINI

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "transformers", "sentence_transformers", "onnxruntime", "faiss", "sqlalchemy", "alembic", "scipy")


def test_starting_the_cli_imports_no_heavy_library() -> None:
    code = f"import json, sys\nimport gyanpath.cli\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            capture_output=True, text=True, check=True)  # fmt: skip
    assert json.loads(result.stdout) == []


def test_index_status_never_loads_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> object:
        raise AssertionError("index status loaded the model")

    monkeypatch.setitem(registry.KNOWN_EMBEDDERS, "e5-multilingual", refuse)
    result = CliRunner().invoke(app, ["index", "status", "--home", str(tmp_path), "--json"])
    assert result.exit_code == 3, result.output  # a new home has no snapshot yet
    status = json.loads(result.stdout)
    assert status["state"] == "missing" and status["model_id"] == registry.MODEL_IDS["e5-multilingual"]()


def test_roles_list_names_the_ids_paths_takes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", "--home", str(home), str(MINI)]).exit_code == 0
    result = runner.invoke(app, ["roles", "list", "--home", str(home), "--json"])
    assert result.exit_code == 0, result.output
    roles = json.loads(result.stdout)
    expected = Store.open(home / "gyanpath.db").roles()
    assert [r["id"] for r in roles] == [r.id for r in expected] and roles
    department = roles[0]["department"]
    only = json.loads(runner.invoke(app, ["roles", "list", "--home", str(home), "--department", department,
                                          "--json"]).stdout)  # fmt: skip
    assert only and {r["department"] for r in only} == {department}
