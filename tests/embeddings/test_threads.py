"""Model sessions take their thread counts from settings (issue 16): ONNX Runtime, torch, and the CPU path without
torch at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from embeddings import create_embedder
from embeddings.e5_onnx import E5OnnxEmbedder
from embeddings.e5_torch import NVIDIA_DRIVER_MARKERS
from embeddings.threads import Threads, onnx_session_options
from gyanpath.services import model_threads
from gyanpath.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_thread_counts_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="intra_op"):
        Threads(intra_op=0)
    with pytest.raises(ValueError, match="inter_op"):
        Threads(inter_op=0)
    with pytest.raises(ValueError, match="workers"):
        Threads(workers=0)


def test_settings_reach_the_thread_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GYANPATH_INTRA_OP_THREADS", "3")
    monkeypatch.setenv("GYANPATH_INTER_OP_THREADS", "2")
    monkeypatch.setenv("GYANPATH_EMBED_THREADS", "4")
    assert model_threads(Settings()) == Threads(workers=4, intra_op=3, inter_op=2)
    monkeypatch.delenv("GYANPATH_INTRA_OP_THREADS")
    monkeypatch.delenv("GYANPATH_INTER_OP_THREADS")
    assert model_threads(Settings()) == Threads(workers=4, intra_op=1, inter_op=1)


def test_onnx_session_options_carry_the_counts() -> None:
    options = onnx_session_options(Threads(intra_op=3, inter_op=2))
    assert (options.intra_op_num_threads, options.inter_op_num_threads) == (3, 2)


@pytest.mark.slow
def test_configured_threads_reach_the_real_onnx_session(e5: object, e5_model_cache: Path) -> None:
    settings = Settings(intra_op_threads=3, inter_op_threads=2, embed_threads=1)
    embedder = create_embedder("e5-multilingual", threads=model_threads(settings), cache_dir=e5_model_cache)
    assert isinstance(embedder, E5OnnxEmbedder)
    assert embedder.session_threads == (3, 2)
    default = create_embedder("e5-multilingual", cache_dir=e5_model_cache)
    assert isinstance(default, E5OnnxEmbedder)
    assert default.session_threads == (1, 1)


def _run_python(code: str, env: dict[str, str]) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.slow
def test_torch_sessions_use_the_configured_threads(tmp_path: Path) -> None:
    """In a fresh process (torch's pools are process-wide): the torch embedder and the local generator set torch's
    intra- and inter-op threads from settings instead of inheriting one thread per core."""
    code = (
        "import json, torch\n"
        "from gyanpath.services import Services, make_generator\n"
        "from gyanpath.settings import Settings\n"
        "settings = Settings()\n"
        "from embeddings import create_embedder\n"
        "from gyanpath.services import model_threads\n"
        "create_embedder('minilm-en', threads=model_threads(settings))\n"
        "embedder_threads = [torch.get_num_threads(), torch.get_num_interop_threads()]\n"
        "torch.set_num_threads(5)\n"
        "make_generator(settings.model_copy(update={'tutor_generator': 'local'}))\n"
        "print(json.dumps({'embedder': embedder_threads, 'generator': [torch.get_num_threads(), "
        "torch.get_num_interop_threads()]}))\n"
    )
    env = {"GYANPATH_HOME": str(tmp_path), "GYANPATH_INTRA_OP_THREADS": "3", "GYANPATH_INTER_OP_THREADS": "3"}
    seen = _run_python(code, env)
    assert seen == {"embedder": [3, 3], "generator": [3, 3]}


@pytest.mark.slow
def test_cpu_path_never_imports_torch(e5: object, e5_model_cache: Path) -> None:
    """Where no NVIDIA driver is loaded, the default embedder runs on ONNX Runtime and torch (~200 MB, ~1 s) and
    transformers stay unimported, through a whole search."""
    if any(marker.exists() for marker in NVIDIA_DRIVER_MARKERS):
        pytest.skip("an NVIDIA driver is loaded here, so the e5 embedder runs on torch by design")
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from embeddings import create_embedder\n"
        f"embedder = create_embedder('e5-multilingual', cache_dir=Path({str(e5_model_cache)!r}))\n"
        "embedder.embed_query('how do I report a cyber fraud')\n"
        "print(json.dumps({'model': embedder.model_id, 'torch': 'torch' in sys.modules, "
        "'transformers': 'transformers' in sys.modules, 'sentence_transformers': 'sentence_transformers' in "
        "sys.modules}))\n"
    )
    seen = _run_python(code, {})
    assert seen["torch"] is False and seen["transformers"] is False and seen["sentence_transformers"] is False
    assert str(seen["model"]).endswith("-onnx-int8-l4fp32") or "onnx" in str(seen["model"])
