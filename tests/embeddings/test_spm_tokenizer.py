"""The SentencePiece tokenizer gives the ids of the converted ``tokenizer.json``: every bundled corpus passage and
sentence (with the e5 prompts), every benchmark question, and hard cases; plus the documented differences.

The fast tests need only a tiny hand-made ``tokenizer.json``; the slow ones use the session's converted model.
"""

from __future__ import annotations

import base64
import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corpus.chunking import chunk_document
from corpus.loaders.case_studies import load_case_studies
from corpus.loaders.courses import load_courses
from corpus.loaders.help import load_help_articles
from corpus.sentences import clean_text, sentence_spans
from embeddings.e5_convert import ensure_converted
from embeddings.spm_tokenizer import SentencePieceTokenizer, build_sentencepiece_model
from embeddings.xlmr_tokenizer import build_tokenizer
from gyanpath.settings import BUNDLED_CORPUS, PROJECT_ROOT

PROMPTS = ("passage: ", "query: ")
HARD_CASES = [
    "",
    " ",
    "   ",
    "\t",
    "\n",
    "\n\n",
    "hello",
    " hello",
    "   hello",
    "hello ",
    "hello   ",
    "hello\n",
    "a  b",
    "a \t b",
    "a\t\tb\n",
    "line one\nline two\n\n\nline three",
    "a\r\nb",
    "\r\n",
    "ends with CRLF\r\n",
    "\u3000ideographic\u3000space\u3000",
    "no\xa0break\xa0space",
    "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３",
    "ﬁle ﬂow ﬀ №5 ① ㎏ ™ ½",
    "ज़िला क़ानून ख़बर ग़लत फ़ोन ड़ ढ़ य़",  # precomposed nukta forms (NFKC decomposes them)
    "ज़िला क़ानून",  # nukta as a separate combining mark
    "क्‍ष क्‌ष",  # ZWJ / ZWNJ inside conjuncts
    "zero\u200bwidth\u200cnon\u200djoiner\ufeffbom",
    "soft\xadhyphen",
    "control\x01char\x7f",
    "nul\x00byte",
    "a \x00",
    "x\u2028y\u2029 \x85 \x1c\x1d end",
    "😀 👍🏽 🇮🇳 👨‍👩‍👧 ❤️ 1️⃣ ©️",
    "中文字符测试，日本語のテキスト。한국어 텍스트",
    "0 7 42 2024 3.14159 1,00,000 ₹9.8 crore 10^6 +91-98765-43210",
    "!!! ??? ... --- *** ((( ))) ,,, ;;; \"\" '' `` ~~ ## @@ %%",
    "…—–‘’“”«»",
    "Ⅻ ⁵ ₂ ﹏ ＿ ｡ ｢ｶﾀｶﾅ｣",
    "Ελληνικά кириллица עברית العربية ไทย",
    "اردو میں متن — ضلع انتظامیہ",
    "বাংলা ওড়িআ ଓଡ଼ିଆ தமிழ் తెలుగు मराठी",
    "𓀀 𐍈 unknown scripts",
    "x <s> y",
    "x<s>y",
    "<s>",
    "</s>",
    "<s></s><s>",
    "a </s> b",
    "<mask>",
    "a <mask> b",
    "a   <mask>",
    "a\n\t<mask>",
    "a<mask>b",
    "<unk>",
    "the <unk> token",
    "<pad> padding",
    "<s <s> s> </ s> < mask>",
    "<<s>>",
    "<s><mask>",
    " <mask> ",
    "a \u200b <mask>",
    "passage: <s>",
    "query: a <mask>  ",
]


def _long_texts() -> list[str]:
    return [
        "word " * 700,
        "नमस्ते दुनिया " * 400,
        "The district team verified 1,240 muster rolls; 37 were fake. " * 80,
        "a. " * 600 + "<mask> end",
        "a " * 509 + "b",
        "a " * 510 + "b",
        "a " * 511 + "b",
    ]


def _corpus_texts() -> Iterator[str]:
    """What the index embeds: each chunk's ``embed_text`` and each of its sentences, in every bundled language."""
    documents: list[Any] = [*load_courses(BUNDLED_CORPUS / "courses").items]
    documents += load_case_studies(BUNDLED_CORPUS / "case_studies").items
    documents += load_help_articles(BUNDLED_CORPUS / "help").items
    for document in documents:
        for chunk in chunk_document(document):
            yield chunk.embed_text
            yield chunk.text
            yield from (clean_text(chunk.text[a:b]) for a, b in sentence_spans(chunk.text))


def _benchmark_questions() -> Iterator[str]:
    for path in sorted((PROJECT_ROOT / "bench" / "queries").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                yield from (record[key] for key in ("query", "question") if isinstance(record.get(key), str))


def _mismatches(hf: Any, spm: SentencePieceTokenizer, texts: list[str]) -> list[tuple[str, list[int], list[int]]]:
    found = []
    for text in texts:
        expected, got = hf.encode(text).ids, spm.encode_ids(text)
        if expected != got:
            found.append((text, expected, got))
    return found


# --- fast: a tiny tokenizer.json built by the project's own XLM-R pipeline ---------------------------------------


@pytest.fixture(scope="module")
def tiny() -> tuple[Any, SentencePieceTokenizer]:
    pieces = ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁a", "▁ab", "a", "b", "c", "▁c", "<", ">", "s", "/", "<mask>"]
    scores = [0.0, 0.0, 0.0, 0.0, -2.0, -3.0, -4.0, -5.0, -5.5, -6.0, -3.5, -7.0, -7.0, -7.0, -7.0, 0.0]
    special = {"bos": 0, "pad": 1, "eos": 2, "unk": 3}
    hf = build_tokenizer(pieces, scores, special, {"\t": " ", "\n": " ", "ａ": "a", "\x01": ""})
    hf.enable_truncation(max_length=6)
    return hf, SentencePieceTokenizer.from_bytes(build_sentencepiece_model(json.loads(hf.to_str())))


@pytest.mark.parametrize(
    "text",
    ["", " ", "ab", " ab c ", "a\t\tb\n", "ａb", "ab \x01", "zz", "a <s> b", "c<mask>", "c <mask> a", "a b c a b c a"],
)
def test_tiny_model_gives_the_tokenizers_ids(tiny: tuple[Any, SentencePieceTokenizer], text: str) -> None:
    hf, spm = tiny
    assert spm.encode_ids(text, max_tokens=6) == hf.encode(text).ids


def test_a_model_in_canonical_field_order_loads_too(tiny: tuple[Any, SentencePieceTokenizer]) -> None:
    """Models written elsewhere keep the normaliser spec after the pieces; the loader walks to it."""
    import sentencepiece

    hf, spm = tiny
    ours = build_sentencepiece_model(json.loads(hf.to_str()))
    canonical = sentencepiece.SentencePieceProcessor(model_proto=ours).serialized_model_proto()
    assert canonical != ours
    for text in ["ab c ", "ａb\t", "c <mask>"]:
        assert SentencePieceTokenizer.from_bytes(canonical).encode_ids(text) == spm.encode_ids(text)


def test_truncation_keeps_end_of_sequence_last(tiny: tuple[Any, SentencePieceTokenizer]) -> None:
    _, spm = tiny
    assert spm.encode_ids("a " * 10, max_tokens=4) == [0, 5, 5, 2]
    with pytest.raises(ValueError, match="max_tokens"):
        spm.encode_ids("a", max_tokens=1)


def test_refuses_a_pipeline_it_cannot_reproduce(tiny: tuple[Any, SentencePieceTokenizer]) -> None:
    hf, _ = tiny
    spec = json.loads(hf.to_str())
    spec["normalizer"]["normalizers"] = spec["normalizer"]["normalizers"][:1]  # no collapsing of spaces
    with pytest.raises(ValueError, match="normalizers"):
        build_sentencepiece_model(spec)
    spec = json.loads(hf.to_str())
    spec["pre_tokenizer"]["prepend_scheme"] = "first"
    with pytest.raises(ValueError, match="Metaspace"):
        build_sentencepiece_model(spec)


def test_model_has_the_xlmr_special_ids(tiny: tuple[Any, SentencePieceTokenizer]) -> None:
    import sentencepiece

    hf, _ = tiny
    processor = sentencepiece.SentencePieceProcessor(model_proto=build_sentencepiece_model(json.loads(hf.to_str())))
    assert (processor.bos_id(), processor.pad_id(), processor.eos_id(), processor.unk_id()) == (0, 1, 2, 3)
    assert [processor.is_control(i) for i in range(3)] == [True, True, True]
    assert processor.is_unknown(3)
    assert processor.id_to_piece(15) == "<mask>" and not processor.is_control(15)  # user-defined


# --- slow: the real converted model ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def converted(e5_model_cache: Path) -> Path:
    return ensure_converted(e5_model_cache)


@pytest.fixture(scope="module")
def real(converted: Path) -> tuple[Any, SentencePieceTokenizer]:
    from tokenizers import Tokenizer

    hf = Tokenizer.from_file(str(converted / "tokenizer.json"))
    hf.enable_truncation(max_length=512)
    return hf, SentencePieceTokenizer.from_bytes(build_sentencepiece_model(converted / "tokenizer.json"))


@pytest.mark.slow
def test_every_corpus_text_and_question_tokenizes_the_same(real: tuple[Any, SentencePieceTokenizer]) -> None:
    hf, spm = real
    bodies = sorted(set(_corpus_texts()))
    questions = sorted(set(_benchmark_questions()))
    assert len(bodies) > 1000 and len(questions) > 100
    texts = [prompt + text for prompt in PROMPTS for text in bodies + questions] + bodies + questions
    assert _mismatches(hf, spm, texts) == []


@pytest.mark.slow
def test_hard_cases_tokenize_the_same(real: tuple[Any, SentencePieceTokenizer]) -> None:
    hf, spm = real
    texts = HARD_CASES + _long_texts()
    texts += [prompt + text for prompt in PROMPTS for text in texts]
    assert _mismatches(hf, spm, texts) == []
    assert len(spm.encode_ids("word " * 700)) == 512


@pytest.mark.slow
def test_special_token_strings_in_text_become_special_ids(real: tuple[Any, SentencePieceTokenizer]) -> None:
    """As ``tokenizers`` does: raw ``<s>`` etc. are the special ids; ``<mask>`` takes the whitespace before it."""
    _, spm = real
    assert spm.encode_ids("<s></s><pad><unk><mask>") == [0, 0, 2, 1, 3, 250001, 2]
    assert spm.encode_ids("a <mask>") == spm.encode_ids("a<mask>") == spm.encode_ids("a \n <mask>")
    assert spm.encode_ids("a <s>") != spm.encode_ids("a<s>")  # no lstrip: the space stays a "▁" piece


@pytest.mark.slow
def test_documented_differences(real: tuple[Any, SentencePieceTokenizer]) -> None:
    """Exactly the three accepted differences of the module docstring, so a change in either runtime shows up."""
    hf, spm = real
    space, e, accent = 6, 28, 4868
    # a mapped character + combining mark in one short grapheme: tokenizers drops the mark
    assert hf.encode("ｅ\u0301").ids == [0, e, 2]
    assert spm.encode_ids("ｅ\u0301") == [0, e, accent, 2]
    assert hf.encode("\xa0\u0301").ids == [0, space, 2] != spm.encode_ids("\xa0\u0301")
    # text that normalises to a control piece: tokenizers' lattice picks the piece, SentencePiece never does
    assert hf.encode("＜ｓ＞").ids == [0, space, 0, 2]
    assert 0 not in spm.encode_ids("＜ｓ＞")[1:]
    # equal-scoring segmentations of a run of one character: the same pieces, in another order
    assert hf.encode("x" * 8).ids == [0, 20112, 52219, 43883, 2]  # ▁xxx xx xxx
    assert spm.encode_ids("x" * 8) == [0, 20112, 43883, 52219, 2]  # ▁xxx xxx xx


@pytest.mark.slow
def test_model_file_round_trips(real: tuple[Any, SentencePieceTokenizer], converted: Path, tmp_path: Path) -> None:
    _, spm = real
    path = tmp_path / "xlmr.model"
    path.write_bytes(build_sentencepiece_model(json.loads((converted / "tokenizer.json").read_text("utf-8"))))
    text = "query: टीकाकरण में कोल्ड चेन का रखरखाव कैसे किया जाता है?"
    assert SentencePieceTokenizer.from_file(path).encode_ids(text) == spm.encode_ids(text)


def test_charsmap_is_carried_over_unchanged(tiny: tuple[Any, SentencePieceTokenizer]) -> None:
    pb2: Any = importlib.import_module("sentencepiece.sentencepiece_model_pb2")  # generated: no static types
    hf, _ = tiny
    spec = json.loads(hf.to_str())
    proto = pb2.ModelProto()
    proto.ParseFromString(build_sentencepiece_model(spec))
    charsmap = base64.b64decode(spec["normalizer"]["normalizers"][0]["precompiled_charsmap"])
    assert proto.normalizer_spec.precompiled_charsmap == charsmap
    assert [p.piece for p in proto.pieces] == [p for p, _ in spec["model"]["vocab"]]
