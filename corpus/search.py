"""Hybrid retrieval: BM25 and dense search, fused by reciprocal rank, filtered before top-k.

The one retrieval path that the tutor, the recommender and authoring help all use. A :class:`ReadModel` is an
immutable, mutually consistent view (snapshot + lexical index + chunk metadata); :meth:`HybridRetriever.refresh`
swaps in a new one atomically, so readers keep the view they started with.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass
from typing import Literal, Protocol, cast

import numpy as np
import numpy.typing as npt

from corpus.errors import IndexNotReadyError
from corpus.fusion import FusionModel, RankedSide, load_fusion, query_features
from corpus.hinglish import gloss
from corpus.language_id import detect_language
from corpus.lexical import BM25Index, Lexicon, tokenize
from corpus.store import DocumentRow, Store
from corpus.translations import translation_groups
from corpus.types import PUBLIC, DocumentKind, Filters, Hit, Viewer
from embeddings import Embedder, Manifest, Snapshot, SnapshotMismatchError

SearchMode = Literal["hybrid", "lexical", "dense"]
RRF_K = 60
CANDIDATES = 50
COVERAGE_POWER = 2.0
"""Lexical hits weigh coverage**power in the fusion (1 = linear; 0 = plain RRF). Measured in docs/benchmarks.md."""
LANGUAGE_CENTERING = 0.8
"""Dense scores are q.d - LANGUAGE_CENTERING * q.mean(language of d): the multilingual embedder places a question
closer to *any* passage of a language near its own (a Tamil question near Hindi passages about something else), and
subtracting the question's similarity to the average passage of each language removes that pull. Within one
language the ranking is unchanged (the shift is the same for all its passages). English questions are left as they
are: English is where the embedder is strongest, and there the correction lifted far-off languages' passages
instead. Chosen on the development halves by bench/regional_quality.py --centering; figures in docs/benchmarks.md."""
CENTERING_OVERFETCH = 4
"""Centred ranking re-orders FAISS's top (depth x this) by raw cosine."""


class Retriever(Protocol):
    def retrieve(
        self,
        query: str,
        *,
        k: int = 8,
        filters: Filters | None = None,
        viewer: Viewer | None = None,
        mode: SearchMode = "hybrid",
        per_document: bool = False,
        prefer_language: str | None = None,
    ) -> list[Hit]:
        """The ``k`` best passages. With ``prefer_language``, a document and its translations count as one: only
        the member in that language is kept where it is among the candidates, else the best-ranked member, and the
        hit names the languages of the others (``also_in``)."""
        ...


log = logging.getLogger("gyanpath")
LEXICAL_CACHE = "lexical-cache.npz"
"""BM25 postings of the snapshot's passages, beside the snapshots (one per embedder's root): a starting process
loads them instead of tokenizing every passage again (at 10k passages ~1.5 s of a cold start). Only a cache: it
is used when it was built for exactly the passages (ids and content digest) the store holds, else rebuilt."""


def _lexical_index(
    store: Store, key: npt.NDArray[np.int64], snapshot: Snapshot | None, corpus_hash: str | None
) -> BM25Index:
    cache = snapshot.path.parent / LEXICAL_CACHE if snapshot is not None and corpus_hash else None
    if cache is not None and corpus_hash is not None and cache.is_file():
        loaded = BM25Index.load(cache, key=key, tag=corpus_hash)
        if loaded is not None:
            return loaded
    index = BM25Index([c.chunk.embed_text for c in store.chunks()])
    if cache is not None and corpus_hash is not None:
        staging = cache.with_name(f".{cache.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            os.close(os.open(staging, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))  # private case studies' words
            index.save(staging, key=key, tag=corpus_hash)
            os.replace(staging, cache)
        except OSError as exc:  # a read-only home still serves; it only starts slower
            log.info("could not write the BM25 cache %s: %s", cache, exc)
            staging.unlink(missing_ok=True)
    return index


@dataclass(frozen=True)
class ReadModel:
    chunk_ids: npt.NDArray[np.int64]
    chunk_doc: npt.NDArray[np.int64]
    docs: list[DocumentRow]
    lexical: BM25Index
    snapshot: Snapshot | None
    doc_columns: dict[str, npt.NDArray[np.str_]]
    """Per-document kind, language, department and visibility, as arrays for vectorised filtering."""
    doc_group: npt.NDArray[np.int64] | None = None
    """Per-document translation group (the position of the group's root document)."""
    language_means: dict[str, npt.NDArray[np.float32]] | None = None
    """The mean dense vector of each language's passages (None without a snapshot)."""

    @classmethod
    def build(cls, store: Store, snapshot: Snapshot | None) -> ReadModel:
        with store.read_snapshot():
            refs = store.chunk_refs()
            docs = store.document_rows()
            corpus_hash = store.corpus_hash() if snapshot is not None else None
            if snapshot is not None and snapshot.manifest.corpus_hash != corpus_hash:
                raise SnapshotMismatchError(
                    f"snapshot {snapshot.manifest.version} does not match the store: rebuild the index"
                )
            chunk_id_array = np.array([chunk_id for chunk_id, _ in refs], dtype=np.int64)
            # the passages' text is read (in this same read) only when the BM25 cache cannot stand in for it
            lexical = _lexical_index(store, chunk_id_array, snapshot, corpus_hash)
        position = {doc.id: i for i, doc in enumerate(docs)}
        roots = translation_groups({doc.id: doc.translation_of for doc in docs})
        chunk_doc = np.array([position[doc_id] for _, doc_id in refs], dtype=np.int64)
        doc_language = np.array([doc.language for doc in docs], dtype=str)
        chunk_language = doc_language[chunk_doc] if len(chunk_doc) else np.zeros(0, dtype=str)
        means = None
        if snapshot is not None:
            languages = sorted(set(chunk_language.tolist()))
            # Public passages only: the centring a viewer gets must not move with another department's private ones.
            public = np.array([doc.visibility == PUBLIC for doc in docs], dtype=bool)[chunk_doc]
            means = snapshot.index.mean_vectors(
                {lang: chunk_id_array[(chunk_language == lang) & public] for lang in languages}
            )
        columns = {
            name: np.array([getattr(d, name) or "" for d in docs], dtype=str)
            for name in ("kind", "language", "department", "visibility", "id")
        }
        return cls(
            chunk_ids=chunk_id_array,
            chunk_doc=chunk_doc,
            docs=docs,
            lexical=lexical,
            snapshot=snapshot,
            doc_columns=columns,
            doc_group=np.array([position[roots[doc.id]] for doc in docs], dtype=np.int64),
            language_means=means,
        )

    @property
    def manifest(self) -> Manifest | None:
        return self.snapshot.manifest if self.snapshot else None

    def visible(self, viewer: Viewer) -> npt.NDArray[np.bool_]:
        """Which chunks this viewer may see at all (private documents of other departments fail closed)."""
        return self._visible_docs(viewer)[self.chunk_doc] if len(self.chunk_doc) else np.zeros(0, dtype=bool)

    def lexicon(self, viewer: Viewer) -> Lexicon:
        """The lexical statistics (idf, known terms, vocabulary) of the passages this viewer may see, as BM25 counts
        them for their searches: what the tutor weighs a question's words by. The corpus-wide index itself for a
        viewer who sees everything; computed once per visibility set and kept with the index."""
        return self.lexical.visible_to(self.visible(viewer))

    def _visible_docs(self, viewer: Viewer) -> npt.NDArray[np.bool_]:
        columns = self.doc_columns
        visible: npt.NDArray[np.bool_] = (columns["visibility"] == PUBLIC) | np.isin(
            columns["visibility"], sorted(viewer.departments)
        )
        return visible

    def mask(self, filters: Filters | None, viewer: Viewer) -> npt.NDArray[np.bool_]:
        """Which chunks this viewer may see under these filters (private documents fail closed)."""
        f = filters or Filters()
        columns = self.doc_columns
        visible = self._visible_docs(viewer)
        for name, wanted in (("kind", f.kinds), ("language", f.languages), ("department", f.departments),
                             ("id", f.doc_ids)):  # fmt: skip
            if wanted is not None:
                visible &= np.isin(columns[name], sorted(wanted))
        if f.competencies is not None:
            visible &= np.array([bool(d.competencies & f.competencies) for d in self.docs], dtype=bool)
        return visible[self.chunk_doc] if len(self.chunk_doc) else np.zeros(0, dtype=bool)


@dataclass(frozen=True)
class Candidates:
    lexical: list[tuple[int, float, float]] | None
    """(position, BM25 score, query coverage), best first."""
    dense: list[tuple[int, float]] | None
    """(position, cosine, language-centred where the query is), best first."""


_LATIN = re.compile(r"[A-Za-z]")
_LETTER = re.compile(r"[^\W\d_]")


def fusion_features(
    model: ReadModel, query: str, candidates: Candidates, *, lexicon: Lexicon | None = None
) -> npt.NDArray[np.float64]:
    """``lexicon``: the statistics the query's terms are known by (default: the whole index; a viewer's own, see
    :meth:`ReadModel.lexicon`, so that a private case study's words do not count as known for others)."""
    terms = tokenize(query)
    lexicon = lexicon if lexicon is not None else model.lexical
    lexical, dense = candidates.lexical or [], candidates.dense or []
    letters = len(_LETTER.findall(query))
    return query_features(
        terms=len(terms),
        known_terms=sum(1 for term in terms if lexicon.knows(term)),
        lexical=RankedSide([int(model.chunk_doc[p]) for p, _, _ in lexical], [score for _, score, _ in lexical]),
        lexical_coverage=[coverage for _, _, coverage in lexical],
        dense=RankedSide([int(model.chunk_doc[p]) for p, _ in dense], [score for _, score in dense]),
        latin_script=bool(letters) and len(_LATIN.findall(query)) * 2 > letters,
    )


class HybridRetriever:
    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        *,
        rrf_k: int = RRF_K,
        candidates: int = CANDIDATES,
        coverage_power: float = COVERAGE_POWER,
        language_centering: float = LANGUAGE_CENTERING,
        fusion: FusionModel | bool = True,
        gloss_hinglish: bool = True,
    ) -> None:
        """``fusion``: True loads the fusion model fitted for the embedder's family (if any); a model uses that one;
        False keeps the lexical weight at 1. ``gloss_hinglish``: search a Hinglish query as its English gloss
        (corpus/hinglish.py)."""
        self.store = store
        self.embedder = embedder
        self.rrf_k = rrf_k
        self.candidates = candidates
        self.coverage_power = coverage_power
        self.language_centering = language_centering
        self.fusion = load_fusion(embedder.model_id) if fusion is True else fusion or None
        self.gloss_hinglish = gloss_hinglish
        self._model: ReadModel | None = None
        self._swap = threading.Lock()

    @property
    def model(self) -> ReadModel:
        if self._model is None:
            raise IndexNotReadyError("the retriever has not been loaded")
        return self._model

    def refresh(self, snapshot: Snapshot | None) -> ReadModel:
        """Build a new read model from the store (and ``snapshot`` for dense search) and swap it in."""
        model = ReadModel.build(self.store, snapshot)
        with self._swap:
            self._model = model
        return model

    def retrieve(
        self,
        query: str,
        *,
        k: int = 8,
        filters: Filters | None = None,
        viewer: Viewer | None = None,
        mode: SearchMode = "hybrid",
        per_document: bool = False,
        prefer_language: str | None = None,
    ) -> list[Hit]:
        """The ``k`` best passages. With ``prefer_language``, a document and its translations count as one: only
        the member in that language is kept where it is among the candidates, else the best-ranked member, and the
        hit names the languages of the others (``also_in``)."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        model = self.model
        mask = model.mask(filters, viewer or Viewer.anonymous())
        if not mask.any() or not query.strip():
            return []
        depth = max(self.candidates, k * 4)
        query = self.search_form(query)
        visible = model.visible(viewer or Viewer())
        candidates = self.candidates_for(model, query, depth, mask, mode, visible=visible)
        rankings: list[tuple[str, list[int], list[float]]] = []
        if candidates.lexical is not None:
            lexical = candidates.lexical
            weight = self.lexical_weight(model, query, candidates, visible=visible) if mode == "hybrid" else 1.0
            weights = [
                weight * coverage**self.coverage_power if mode == "hybrid" else 1.0 for _, _, coverage in lexical
            ]
            rankings.append(("lexical", [pos for pos, _, _ in lexical], weights))
        if candidates.dense is not None:
            rankings.append(("dense", [pos for pos, _ in candidates.dense], [1.0] * len(candidates.dense)))
        ranked = self._fuse(rankings)
        also_in: dict[int, tuple[str, ...]] = {}
        if prefer_language is not None:
            ranked, also_in = self._one_per_translation_group(model, ranked, mask, prefer_language)
        if per_document:
            ranked = self._best_per_document(model, ranked)
        return self._hits(model, ranked[:k], rankings, also_in)

    def search_form(self, query: str) -> str:
        """What is searched for a query: its English gloss where it is Hinglish, else the query itself."""
        return gloss(query) if self.gloss_hinglish else query

    def candidates_for(
        self,
        model: ReadModel,
        query: str,
        depth: int,
        mask: npt.NDArray[np.bool_],
        mode: SearchMode,
        *,
        visible: npt.NDArray[np.bool_] | None = None,
    ) -> Candidates:
        """Each retriever's top ``depth`` passages for the query (the side a mode does not use is None). BM25's
        statistics are those of the ``visible`` passages (default: all), so that nothing a viewer may not see
        moves the scores they get."""
        lexical = dense = None
        if mode in ("hybrid", "lexical"):
            lexical = model.lexical.search_with_coverage(query, depth, mask=mask, visible=visible)
        if mode in ("hybrid", "dense"):
            if model.snapshot is None:
                if mode == "dense":
                    raise IndexNotReadyError("dense search needs a built index: run 'gyanpath index build'")
            else:
                dense = self._dense(model, query, depth, mask)
        return Candidates(lexical, dense)

    def lexical_weight(
        self,
        model: ReadModel,
        query: str,
        candidates: Candidates,
        *,
        visible: npt.NDArray[np.bool_] | None = None,
    ) -> float:
        """How much the lexical ranking counts in the fusion for this query (1 without a fitted fusion model).
        ``visible``: the passages whose vocabulary counts as known (default: all), as in :meth:`candidates_for`."""
        if self.fusion is None or candidates.lexical is None or candidates.dense is None:
            return 1.0
        lexicon = model.lexical.visible_to(visible)
        return self.fusion.lexical_weight(fusion_features(model, query, candidates, lexicon=lexicon))

    def _dense(self, model: ReadModel, query: str, depth: int, mask: npt.NDArray[np.bool_]) -> list[tuple[int, float]]:
        assert model.snapshot is not None
        allow = None if mask.all() else model.chunk_ids[mask]
        vector = self.embedder.embed_query(query)
        centred = bool(self.language_centering and model.language_means and len(model.language_means) > 1)
        centred = centred and detect_language(query) != "en"
        fetch = depth * CENTERING_OVERFETCH if centred else depth
        results = model.snapshot.index.search(vector, fetch, allow=allow)[0]
        ids = np.array([chunk_id for chunk_id, _ in results], dtype=np.int64)
        positions = np.searchsorted(model.chunk_ids, ids)
        valid = (positions < len(model.chunk_ids)) & (
            model.chunk_ids[np.minimum(positions, len(model.chunk_ids) - 1)] == ids
        )
        kept = [(int(p), score) for p, (_, score), ok in zip(positions, results, valid, strict=True) if ok and mask[p]]
        if centred:
            assert model.language_means is not None
            query_vector = np.asarray(vector, dtype=np.float32).reshape(-1)
            pull = {lang: float(mean @ query_vector) for lang, mean in model.language_means.items()}
            languages = model.doc_columns["language"][model.chunk_doc]
            weight = self.language_centering
            kept = [(p, score - weight * pull.get(str(languages[p]), 0.0)) for p, score in kept]
            kept.sort(key=lambda item: -item[1])
            kept = kept[:depth]
        return kept

    def _fuse(self, rankings: list[tuple[str, list[int], list[float]]]) -> list[tuple[int, float]]:
        """Reciprocal rank fusion; a lexical hit counts in proportion to how much of the query it matched, so a
        passage sharing only common words (typical for a Hindi query over English material) cannot outvote the
        dense retriever."""
        scores: dict[int, float] = {}
        for _, ranking, weights in rankings:
            for rank, (position, weight) in enumerate(zip(ranking, weights, strict=True), start=1):
                scores[position] = scores.get(position, 0.0) + weight / (self.rrf_k + rank)
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))

    @staticmethod
    def _one_per_translation_group(
        model: ReadModel, ranked: list[tuple[int, float]], mask: npt.NDArray[np.bool_], language: str
    ) -> tuple[list[tuple[int, float]], dict[int, tuple[str, ...]]]:
        """Keep one document of each translation group, at the rank of the group's best passage: the one in
        ``language`` if it is ranked, else the original (the group's root: the document the others translate) if it
        is ranked, else the best ranked; also return, per kept document, the languages of its visible
        translations."""
        if model.doc_group is None:
            return ranked, {}
        groups, languages = model.doc_group, model.doc_columns["language"]

        def preference(doc: int) -> int:
            return 0 if languages[doc] == language else 1 if int(groups[doc]) == doc else 2

        chosen: dict[int, int] = {}
        for position, _ in ranked:
            doc = int(model.chunk_doc[position])
            group = int(groups[doc])
            current = chosen.get(group)
            if current is None or preference(doc) < preference(current):
                chosen[group] = doc
        visible_docs = np.unique(model.chunk_doc[mask]) if len(mask) else np.zeros(0, dtype=np.int64)
        siblings: dict[int, list[str]] = {}
        for doc in visible_docs:
            siblings.setdefault(int(groups[doc]), []).append(str(languages[doc]))
        # The chosen member takes its group's place: its best passage moves up to where the group first ranked.
        kept: list[tuple[int, float]] = []
        slot: dict[int, int] = {}
        for position, score in ranked:
            doc = int(model.chunk_doc[position])
            group = int(groups[doc])
            if group not in slot:
                slot[group] = len(kept)
                kept.append((-1, score))  # filled with the chosen member's best passage below
            if chosen[group] != doc:
                continue
            placeholder = kept[slot[group]]
            if placeholder[0] == -1:
                kept[slot[group]] = (position, max(score, placeholder[1]))
            else:
                kept.append((position, score))
        kept = [item for item in kept if item[0] != -1]
        also_in = {
            doc: tuple(sorted(set(siblings.get(group, ())) - {str(languages[doc])})) for group, doc in chosen.items()
        }
        return kept, {doc: langs for doc, langs in also_in.items() if langs}

    @staticmethod
    def _best_per_document(model: ReadModel, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        seen: set[int] = set()
        best = []
        for position, score in ranked:
            doc = int(model.chunk_doc[position])
            if doc not in seen:
                seen.add(doc)
                best.append((position, score))
        return best

    def _hits(
        self,
        model: ReadModel,
        ranked: list[tuple[int, float]],
        rankings: list[tuple[str, list[int], list[float]]],
        also_in: dict[int, tuple[str, ...]] | None = None,
    ) -> list[Hit]:
        ranks = {name: {pos: r for r, pos in enumerate(ranking, start=1)} for name, ranking, _ in rankings}
        stored = {c.id: c.chunk for c in self.store.chunks([int(model.chunk_ids[p]) for p, _ in ranked])}
        hits = []
        for position, score in ranked:
            chunk_id = int(model.chunk_ids[position])
            chunk = stored.get(chunk_id)
            if chunk is None:  # deleted since the read model was built
                continue
            doc_position = int(model.chunk_doc[position])
            doc = model.docs[doc_position]
            kind = cast(DocumentKind, doc.kind)
            hits.append(
                Hit(
                    chunk_id=chunk_id,
                    doc_id=doc.id,
                    kind=kind,
                    title=doc.title,  # type: ignore[arg-type]
                    section=chunk.section,
                    text=chunk.text,
                    start=chunk.start,
                    end=chunk.end,
                    page=chunk.page,
                    language=doc.language,
                    department=doc.department,
                    score=score,
                    lexical_rank=ranks.get("lexical", {}).get(position),
                    dense_rank=ranks.get("dense", {}).get(position),
                    also_in=(also_in or {}).get(doc_position, ()),
                )
            )
        return hits
