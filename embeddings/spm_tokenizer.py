"""XLM-R's tokenizer on the C++ ``sentencepiece`` runtime, giving the same ids as the converted ``tokenizer.json``.

Why: the ``tokenizers`` library holds the 250,002-piece unigram vocabulary in a trie with a hash map per node
(~280 MB resident, ~1.1 s to load); ``sentencepiece`` holds the same pieces in a double-array trie built at load
(~45 MB, ~0.55 s) and encodes ~7x faster. ``build_sentencepiece_model`` writes the ``tokenizer.json`` as a
SentencePiece ``ModelProto`` whose ids equal the ``tokenizer.json`` ids: same pieces in the same order with the
same scores, and the same precompiled ``nmt_nfkc`` charsmap (the normaliser spec is written first, so the loader
reads it without parsing the pieces a second time). ``SentencePieceTokenizer.encode_ids`` then returns what
``Tokenizer.from_file(...).encode(text).ids`` returns with ``enable_truncation(max_length=512)``.

Where the two runtimes differ, this module mirrors ``tokenizers`` in Python:

- Special tokens (``<s>``, ``<pad>``, ``</s>``, ``<unk>``, ``<mask>``) written inside the text are matched by
  ``tokenizers`` on the raw text (they are ``normalized=False`` added tokens) and become their ids; ``<mask>``
  also swallows the whitespace before it (``lstrip``). SentencePiece never matches control pieces in text, so the
  text is split on them here and each part is encoded on its own, as ``tokenizers`` does (each part gets its own
  ``▁`` prefix).
- SentencePiece's ``remove_extra_whitespaces`` collapses runs of spaces as the ``Replace(" {2,}", " ")`` normaliser
  does and drops a leading space as ``Metaspace`` does, but it also drops a trailing space, which ``tokenizers``
  keeps as a final ``▁`` piece. A part whose normalised form ends in a space therefore gets that piece appended.

Known, accepted differences (rare text only; both runtimes agree on the bundled corpus and benchmark questions):

- ``tokenizers``' ``Precompiled`` normaliser looks up a whole grapheme cluster shorter than 6 bytes by its
  *shortest* mapped prefix and replaces the whole cluster with that mapping, so a mapped character followed by a
  combining mark (``"ｅ\\u0301"``, ``"\\xa0\\u0301"``) loses the mark there; SentencePiece maps the first character
  and keeps the mark. ``"\\r\\n"`` is such a cluster too, but its spaces collapse to one either way.
- Segmentations with exactly equal scores (in practice only long runs of one character, ``"x" * 8``) are broken
  differently by the two Viterbi searches: the same pieces come out in another order.
- Text that *normalises* to a special-token string (full-width ``"＜ｓ＞"``) can be segmented by ``tokenizers``'s
  lattice as that special piece (score 0); SentencePiece never emits control pieces from text.
"""

from __future__ import annotations

import base64
import importlib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sentencepiece

SPACE_PIECE = "▁"
MASK = "<mask>"
# XLM-R's added tokens, matched in raw text by ``tokenizers``; a model lacking one simply does not match it.
SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", MASK)
# Rust's ``char::is_whitespace`` (Unicode White_Space), which ``tokenizers`` uses for an added token's ``lstrip``.
_WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_CONTROL_NAMES = {"bos": "<s>", "pad": "<pad>", "eos": "</s>"}


def build_sentencepiece_model(tokenizer_json: Mapping[str, Any] | Path) -> bytes:
    """Serialise an XLM-R style ``tokenizer.json`` (unigram, ``Precompiled`` charsmap) as a SentencePiece model.

    Raises ``ValueError`` for a pipeline this module does not reproduce exactly.
    """
    spec = _read_json(tokenizer_json)
    model = spec.get("model") or {}
    if model.get("type") != "Unigram" or model.get("byte_fallback"):
        raise ValueError("tokenizer_json: expected a Unigram model without byte fallback")
    vocab: Sequence[Sequence[Any]] = model["vocab"]
    unk_id = model.get("unk_id")
    if unk_id is None:
        raise ValueError("tokenizer_json: the unigram model has no unk_id")
    charsmap = _check_pipeline(spec)
    ids = {str(piece): index for index, (piece, _) in enumerate(vocab)}
    control = {name: ids.get(piece, -1) for name, piece in _CONTROL_NAMES.items()}
    if control["bos"] < 0 or control["eos"] < 0:
        raise ValueError("tokenizer_json: the vocabulary lacks <s> or </s>")
    user_defined = {ids[t["content"]] for t in spec.get("added_tokens", []) if t["content"] in ids}
    user_defined -= {unk_id, *control.values()}

    pb2: Any = importlib.import_module("sentencepiece.sentencepiece_model_pb2")  # generated code: no static types
    proto = pb2.ModelProto()
    kinds = pb2.ModelProto.SentencePiece
    for index, (piece, score) in enumerate(vocab):
        entry = proto.pieces.add(piece=piece, score=float(score))
        if index == unk_id:
            entry.type = kinds.UNKNOWN
        elif index in control.values():
            entry.type = kinds.CONTROL
        elif index in user_defined:
            entry.type = kinds.USER_DEFINED
    trainer = proto.trainer_spec
    trainer.model_type = pb2.TrainerSpec.UNIGRAM
    trainer.vocab_size = len(vocab)
    trainer.byte_fallback = False
    trainer.unk_id, trainer.unk_piece = unk_id, str(vocab[unk_id][0])
    for name, index in control.items():
        setattr(trainer, f"{name}_id", index)
        if index >= 0:
            setattr(trainer, f"{name}_piece", _CONTROL_NAMES[name])
    normalizer = proto.normalizer_spec
    normalizer.name = "nmt_nfkc"
    normalizer.precompiled_charsmap = charsmap
    normalizer.add_dummy_prefix = True  # Metaspace prepend_scheme "always"
    normalizer.remove_extra_whitespaces = True  # Replace(" {2,}", " "); the trailing space is restored at encode
    normalizer.escape_whitespaces = True  # " " -> "▁"
    # The normaliser spec goes first (two concatenated messages parse as one), so a loader finds it without
    # walking 250,000 pieces; see ``_normalizer_spec``.
    head = pb2.ModelProto()
    head.normalizer_spec.CopyFrom(normalizer)
    proto.ClearField("normalizer_spec")
    return bytes(head.SerializeToString()) + bytes(proto.SerializeToString())


def _read_json(source: Mapping[str, Any] | Path) -> Mapping[str, Any]:
    if isinstance(source, Path):
        loaded: Mapping[str, Any] = json.loads(source.read_text(encoding="utf-8"))
        return loaded
    return source


def _check_pipeline(spec: Mapping[str, Any]) -> bytes:
    """The charsmap, after checking the rest is XLM-R's pipeline: what differs would not give the same ids."""
    normalizers = _flatten(spec.get("normalizer"))
    kinds = [n.get("type") for n in normalizers]
    collapse = {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}
    if kinds != ["Precompiled", "Replace"] or normalizers[1] != collapse:
        raise ValueError(f"tokenizer_json: expected normalizers [Precompiled, Replace(' {{2,}}')], got {kinds}")
    pre = spec.get("pre_tokenizer") or {}
    if (pre.get("type"), pre.get("replacement"), pre.get("prepend_scheme"), pre.get("split")) != (
        "Metaspace",
        SPACE_PIECE,
        "always",
        True,
    ):
        raise ValueError("tokenizer_json: expected a Metaspace('▁', prepend_scheme='always', split=True) pre-tokenizer")
    template = (spec.get("post_processor") or {}).get("single", [])
    if [next(iter(step.values()))["id"] for step in template] != ["<s>", "A", "</s>"]:
        raise ValueError("tokenizer_json: expected the post-processor template '<s> $A </s>'")
    return base64.b64decode(normalizers[0]["precompiled_charsmap"])


def _flatten(normalizer: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if not normalizer:
        return []
    if normalizer.get("type") == "Sequence":
        return [n for inner in normalizer["normalizers"] for n in _flatten(inner)]
    return [normalizer]


class SentencePieceTokenizer:
    """Text to XLM-R ids: ``<s>``, the pieces, ``</s>``, truncated to ``max_tokens`` with ``</s>`` kept last."""

    def __init__(self, model: bytes) -> None:
        self._processor = sentencepiece.SentencePieceProcessor(model_proto=model)
        # the charsmap alone, spaces kept as they are: does a part's normalised text end in a space?
        self._normalizer = sentencepiece.SentencePieceNormalizer(
            normalizer_spec=_normalizer_spec(model),
            add_dummy_prefix=False,
            escape_whitespaces=False,
            remove_extra_whitespaces=False,
        )
        processor = self._processor
        self._bos, self._eos = processor.bos_id(), processor.eos_id()
        self._space = processor.piece_to_id(SPACE_PIECE)
        found = {name: processor.piece_to_id(name) for name in SPECIAL_TOKENS}
        self._specials = {name: i for name, i in found.items() if processor.id_to_piece(i) == name}
        names = "|".join(re.escape(name) for name in sorted(self._specials, key=len, reverse=True))
        # leftmost-longest like tokenizers' matcher; <mask> takes the whitespace before it (lstrip)
        self._split = re.compile(f"(?:[{_WHITESPACE}]*(?={re.escape(MASK)}))?({names})") if names else None

    @classmethod
    def from_file(cls, path: Path) -> SentencePieceTokenizer:
        return cls(path.read_bytes())

    @classmethod
    def from_bytes(cls, model: bytes) -> SentencePieceTokenizer:
        return cls(model)

    def encode_ids(self, text: str, max_tokens: int = 512) -> list[int]:
        """The ids ``tokenizers`` gives with ``enable_truncation(max_length=max_tokens)``: right truncation."""
        if max_tokens < 2:
            raise ValueError(f"max_tokens must leave room for <s> and </s>, got {max_tokens}")
        body = self._pieces(text)
        return [self._bos, *body[: max_tokens - 2], self._eos]

    def _pieces(self, text: str) -> list[int]:
        if self._split is None or "<" not in text:
            return self._encode_part(text)
        ids: list[int] = []
        start = 0
        for match in self._split.finditer(text):
            ids += self._encode_part(text[start : match.start()])
            ids.append(self._specials[match.group(1)])
            start = match.end()
        return ids + self._encode_part(text[start:])

    def _encode_part(self, text: str) -> list[int]:
        if not text:
            return []
        ids: list[int] = self._processor.encode(text)
        if str(self._normalizer.normalize(text)).endswith(" "):
            ids.append(self._space)
        return ids


_NORMALIZER_SPEC_FIELD = 3  # ModelProto.normalizer_spec


def _normalizer_spec(model: bytes) -> bytes:
    """The serialised ``normalizer_spec`` of a serialised ``ModelProto`` (its first occurrence: writers emit one).

    Parsing the whole model a second time would cost ~30 MB and 70 ms; models from ``build_sentencepiece_model``
    have the spec as their first field, others are walked field by field (~0.2 s for XLM-R's 250,002 pieces).
    """
    position = 0
    while position < len(model):
        tag, position = _varint(model, position)
        wire_type = tag & 7
        if wire_type == 0:
            _, position = _varint(model, position)
        elif wire_type in (1, 5):
            position += 8 if wire_type == 1 else 4
        elif wire_type == 2:
            length, position = _varint(model, position)
            if tag >> 3 == _NORMALIZER_SPEC_FIELD:
                return model[position : position + length]
            position += length
        else:
            raise ValueError(f"not a SentencePiece model: protobuf wire type {wire_type}")
    raise ValueError("not a SentencePiece model: no normalizer_spec")


def _varint(data: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, position
        shift += 7
