"""Hybrid search: BM25 over Swedish lemmas and compound parts, dense vectors in
FAISS, fused per query by the evidence each has (index.query reads the query,
index.fusion weighs the two lists, index.rerank applies year and number cues);
filters; highlighting; prior wording.

:class:`SearchIndex` is the one interface the CLI and the API use. It owns the
SQLite store (documents, passages, lexical terms, vectors) and the FAISS file
derived from it, and takes the embedder and the analyzer as arguments, so
tests can pass small ones and production passes the real model.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import Literal

import numpy as np

from index.filters import Filters, where_clause
from index.focus import add_focus, focus_words
from index.fusion import COVERAGE_DEPTH, adaptive, coverage, lexical_weight, rrf, unit_score
from index.passages import indexed_text, sentence_texts
from index.passages import passages as cut_passages
from index.query import QueryPlan, plan_query
from index.rerank import by_best_sentence, rerank, sentence_weight
from index.store import Change, DocumentStore
from index.sync import DerivedIndexes
from nlp.analyzer import Analyzer
from nlp.embed import Embedder
from nlp.tagger import Tagger
from underlag.errors import QueryError, UnknownDocumentError
from underlag.model import Document, DocumentSummary, Hit, Passage

log = logging.getLogger(__name__)

# filters whose allowed rowids are kept for the dense half (a filter admitting a third of 1M
# passages takes ~90 ms to read out of SQLite; kept, the same filter again costs nothing)
FILTER_CACHE_SIZE = 8
MAX_QUERY_CHARS = 5000
# "rrf": the hybrid before adaptive fusion (equal-weight reciprocal rank fusion), for comparison
Mode = Literal["hybrid", "lexical", "dense", "rrf"]


@dataclass(frozen=True)
class Ranking:
    """A search's ranking: (rowid, score) best first, the query terms that highlight the hits,
    and the lexical and dense lists (rowid, score) it was made from."""

    terms: list[str]
    ranked: list[tuple[int, float]]
    lexical: list[tuple[int, float]]
    dense: list[tuple[int, float]]


@dataclass(frozen=True)
class Candidates:
    """What a search read from the indexes before fusing: the lexical and dense lists
    (rowid, score) best first, the query vector (None without a model or in lexical mode),
    the highlight terms, the query plan (hybrid mode with a model) and, for a long question,
    BM25's list for its rarest words alone (:mod:`index.focus`)."""

    mode: Mode
    terms: list[str]
    plan: QueryPlan | None
    lexical: list[tuple[int, float]]
    dense: list[tuple[int, float]]
    vector: np.ndarray | None
    focus: list[tuple[int, float]] = field(default_factory=list)

    def head(self, depth: int) -> Candidates:
        """The candidates reading each index to only ``depth`` would have given."""
        return replace(self, lexical=self.lexical[:depth], dense=self.dense[:depth], focus=self.focus[:depth])


def _fts_words(term: str) -> list[str]:
    """The pieces FTS5's unicode61 tokenizer makes of a term."""
    return [w for w in re.split(r"[^\w]+", term.lower()) if w]


def _lexical_words(plan: QueryPlan) -> list[list[str]]:
    """Per content word of the query, the words the lexical index holds of its terms."""
    return [[w for t in word for w in _fts_words(t)] for word in plan.words]


class SearchIndex:
    """Documents, passages and both indexes in one directory."""

    def __init__(self, directory: Path, analyzer: Analyzer, embedder: Embedder | None = None,
                 dense_index: str = "auto", tagger: Tagger | None = None, lexical_engine: str = "tantivy",
                 sentence_evidence: bool = True):
        self.directory = Path(directory)
        self.store = DocumentStore(self.directory)
        self.analyzer = analyzer
        self.embedder = embedder
        # optional: with a tagger, passages are tagged with goals and targets as they go in
        self.tagger = tagger
        # False: hybrid search re-scores nothing by sentences (benchmarks measure its cost with it)
        self.sentence_evidence = sentence_evidence
        self._derived = DerivedIndexes(self.directory, self.store, embedder, dense_index, lexical_engine)
        # (generation, SQL condition, parameters) -> rowids that satisfy it, most recent last
        self._allowed: OrderedDict[tuple[object, ...], np.ndarray] = OrderedDict()

    @property
    def dense_kind(self) -> str:
        return self._derived.dense_kind

    @property
    def lexical_engine(self) -> str:
        return self._derived.lexical_engine

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- documents ----------------------------------------------------------------

    def documents(self) -> list[DocumentSummary]:
        """The indexed documents, by file name."""
        return self.store.list()

    def resolve(self, ref: str) -> str | None:
        """The id of the one document ``ref`` names (id, unique id prefix or file name), else None."""
        return self.store.resolve(ref)

    def document(self, doc_id: str) -> Document | None:
        """A stored document as it was parsed."""
        return self.store.get(doc_id)

    def ids_for_source(self, path: Path) -> set[str]:
        """Ids of the documents stored from this file path (to skip unchanged files)."""
        return set(self.store.ids_for_source(path))

    def document_stats(self) -> dict[str, tuple[int, str | None]]:
        """Per document id: its number of passages and its organisation (for the listing)."""
        return self.store.document_stats()

    def passage_count(self) -> int:
        return self.store.passage_count()

    def sizes(self) -> tuple[int, int | None, int | None]:
        """Passages in the store, in the lexical (Tantivy) index and in the FAISS index, as
        opened now: the three agree after every acknowledged write (None: not used or no model)."""
        self.load()
        lexical = self._derived.lexical()
        dense = self._derived.dense() if self.embedder is not None else None
        return self.store.passage_count(), lexical.size if lexical else None, dense.size if dense else None

    def generation(self) -> int:
        """The store's generation: it changes with every add and delete, in any process."""
        return self.store.generation()

    def passages(self, rowids: Sequence[int]) -> dict[int, Passage]:
        return self.store.passages(rowids)

    def passages_by_id(self, ids: Sequence[str]) -> dict[str, tuple[int, Passage]]:
        return self.store.passages_by_id(ids)

    def document_passages(self, doc_id: str) -> list[tuple[int, Passage]]:
        """A document's passages with their rowids, in order."""
        return self.store.document_passages(doc_id)

    def all_passages(self) -> list[tuple[int, Passage]]:
        return self.store.all_passages()

    def vectors_by_rowid(self, rowids: Sequence[int]) -> dict[int, np.ndarray]:
        return self.store.vectors_by_rowid(rowids)

    def passage_tags(self, rowids: Sequence[int]):
        """The stored goal tags of these passages."""
        return self.store.passage_tags(rowids)

    # -- writing ------------------------------------------------------------------

    def index_terms(self, text: str) -> list[str]:
        """The words FTS5 stores for a passage's text: lemmas and compound parts."""
        return [w for t in self.analyzer.terms(text) for w in _fts_words(t)]

    def add(self, doc: Document) -> Change:
        """Index a document (replacing an earlier version of the same file) atomically."""
        ps = cut_passages(doc, sentences=self.analyzer.sentences)
        texts = [indexed_text(p) for p in ps]
        terms = [self.index_terms(text) for text in texts]
        vectors = sentences = None
        self._derived.lexical()  # opened (or rebuilt) at the generation before this change
        if self.embedder is not None and ps:
            vectors = self.embedder.encode_passages(texts)
            if self._sentences_of_another_model():
                self.embed_missing_sentences()  # never mixed with this one's
            sentences = self._embed_sentences(ps)
            self._derived.dense()  # re-embeds first if the index was built with another model
        tags = self._tags(texts, vectors) if self.tagger is not None else None
        change = self.store.put(doc, ps, terms, vectors,
                                embedder=self.embedder.name if vectors is not None else None,
                                tags=tags, tagger=self._tagger_id() if tags is not None else None,
                                sentences=sentences)
        self._derived.follow(change, vectors)
        return change

    def _embed_sentences(self, ps: Sequence[Passage]) -> list[np.ndarray]:
        """Per passage, the vectors of its sentences (:func:`index.passages.sentence_texts`;
        none for a passage of one sentence), embedded in one call."""
        assert self.embedder is not None
        texts = [sentence_texts(p, self.analyzer.sentences) for p in ps]
        flat = self.embedder.encode_passages([t for ts in texts for t in ts])
        out, at = [], 0
        for ts in texts:
            out.append(flat[at:at + len(ts)])
            at += len(ts)
        return out

    def sentences_missing(self) -> int:
        """How many passages :meth:`embed_missing_sentences` has still to do (every passage when
        the stored sentence vectors are another model's; none without a model)."""
        if self.embedder is None:
            return 0
        if self._sentences_of_another_model():
            return self.store.passage_count()
        return len(self.store.passages_without_sentences())

    def _sentences_of_another_model(self) -> bool:
        """Whether the stored sentence vectors were made by another model than this index's."""
        return self.embedder is not None and self.store.sentence_embedder_name() not in (None, self.embedder.name)

    def embed_missing_sentences(self, batch: int = 64, progress=None, limit: int | None = None) -> int:
        """Embed the sentences of the passages stored without them (a data folder from before
        sentence vectors, or after a change of model); returns how many passages were done.
        ``underlag reindex`` runs this, and the server at its start, ``limit`` passages a call
        (api.service.fill_sentences_in_background); until then those passages rank by their
        passage vector. With ``limit``, another model's vectors are all dropped at the first
        call (never mixed with this model's) and the rest are done by the next calls."""
        if self.embedder is None:
            return 0
        replace_all = self._sentences_of_another_model()  # then all of them again
        todo = (self.store.filter_rowids("1", ()).tolist() if replace_all
                else self.store.passages_without_sentences())
        if limit is not None:
            todo = todo[:limit]
        done: dict[int, np.ndarray] = {}
        for i in range(0, len(todo), batch):
            found = self.store.passages(todo[i:i + batch])
            rows = [r for r in todo[i:i + batch] if r in found]
            done.update(zip(rows, self._embed_sentences([found[r] for r in rows]), strict=True))
            if progress is not None:
                progress(len(rows))
        if todo:
            self.store.set_sentence_vectors(done, self.embedder.name, replace_all=replace_all)
        return len(done)

    # -- tags ---------------------------------------------------------------------------

    def _tagger_id(self) -> str:
        assert self.tagger is not None
        return self.tagger.require_model().fingerprint

    def _tags(self, texts: Sequence[str], vectors: np.ndarray | None) -> list[list[tuple[str, str, str, float]]]:
        assert self.tagger is not None
        if vectors is not None and (self.embedder is None or self.tagger.embedder.name != self.embedder.name):
            vectors = None  # the tagger's own model must embed the texts
        tagged = self.tagger.tag_many(texts, vectors=vectors, evidence=False) if texts else []
        return [[(t.framework, t.id, t.level, round(t.score, 4)) for t in ts] for ts in tagged]

    def ensure_tags(self, progress=None) -> list[str]:
        """Tag the passages of every document not yet tagged by this index's tagger
        (ingested without one, or with another model); returns those documents' ids."""
        todo = self.untagged_documents()
        for doc_id in todo:
            self.tag_document(doc_id)
            if progress is not None:
                progress(doc_id)
        return todo

    def untagged_documents(self) -> list[str]:
        """Documents this index's tagger has not tagged (none without a tagger)."""
        return self.store.untagged_documents(self._tagger_id()) if self.tagger is not None else []

    def tag_document(self, doc_id: str) -> bool:
        """Tag one stored document's passages with this index's tagger (False if it is gone)."""
        if self.tagger is None or not self.store.has(doc_id):
            return False
        rows = self.store.document_passages(doc_id)
        # the stored vectors are the tagger's input when the same model made them
        same_model = self.store.embedder_name() == self.tagger.embedder.name
        vectors = self.store.vectors_for([r for r, _ in rows]) if same_model else None
        tags = self._tags([indexed_text(p) for _, p in rows], vectors)
        self.store.set_document_tags(doc_id, {r: t for (r, _), t in zip(rows, tags, strict=True)},
                                     self._tagger_id())
        return True

    def delete(self, doc_id: str) -> Change | None:
        """Remove a document from the store and both indexes; None when there is no such document."""
        self._derived.lexical()
        # (no model is needed to remove vectors: follow() removes them from the FAISS file)
        change = self.store.delete(doc_id)
        if change is not None:
            self._derived.follow(change, None)
        return change

    # -- reading ------------------------------------------------------------------

    def _document_id(self, filters: Filters) -> str | None:
        """The id of the document a filter names (None without a document filter)."""
        if not filters.document:
            return None
        doc_id = self.store.resolve(filters.document)
        if doc_id is None:
            raise UnknownDocumentError(f"no single document matches '{filters.document}'")
        return doc_id

    def load(self) -> None:
        """Open both indexes now (they are otherwise opened by the first search)."""
        self._derived.load()

    def reembed(self, batch: int = 64) -> int:
        """Embed every stored passage (and its sentences) again with this index's model (after a
        model change)."""
        n = self._derived.reembed(batch)
        self.embed_missing_sentences(batch)
        return n

    def _where(self, filters: Filters) -> tuple[str, list[object]]:
        return where_clause(filters, self._document_id(filters))

    def _check_query(self, query: str) -> list[str]:
        query = query.strip()
        if not query:
            raise QueryError("the query is empty")
        if len(query) > MAX_QUERY_CHARS:
            raise QueryError(f"the query is {len(query)} characters; at most {MAX_QUERY_CHARS}")
        terms = self.analyzer.query_terms(query)
        if not any(c.isalnum() for c in query):
            raise QueryError(f"the query '{query[:60]}' has no words to search for")
        if not terms:
            # only stop words ("och att det"): every passage would match equally badly
            raise QueryError(f"the query '{query[:60]}' has only common words; "
                             "add a word that says what to look for")
        return terms

    def lexical(self, terms: Sequence[str], k: int, filters: Filters = Filters()) -> list[tuple[int, float]]:
        words = list(dict.fromkeys(w for t in terms for w in _fts_words(t)))
        if not words:
            return []
        engine = self._derived.lexical() if not filters.goal else None
        if engine is not None:
            # goal tags live only in SQLite (they change without a new generation): FTS5 below
            return engine.search(words, k, document_id=self._document_id(filters), doc_type=filters.doc_type,
                                 organisation=filters.organisation, year=filters.year,
                                 section=filters.section)
        match = " OR ".join(f'"{w}"' for w in words)
        where, params = self._where(filters)
        return self.store.lexical_search(match, k, where, params)

    def _doc_freqs(self, words: Sequence[str]) -> dict[str, int]:
        """How many passages hold each lexical word (the lexical engine's count)."""
        engine = self._derived.lexical()
        return engine.doc_freqs(words) if engine is not None else self.store.doc_freqs(words)

    def dense(self, vector: np.ndarray, k: int, filters: Filters = Filters()) -> list[tuple[int, float]]:
        if self.embedder is None:
            return []
        allowed = None if filters.is_empty() else self._allowed_rowids(filters)
        return self._derived.dense().search(vector, k, allowed)

    def _allowed_rowids(self, filters: Filters) -> np.ndarray:
        """Rowids of the passages a filter admits, read from the store once per generation.

        The generation changes with every add and delete (in any process), so a kept
        answer is never stale; goal tags change without one, so goal filters are read each time.
        """
        where, params = self._where(filters)
        if filters.goal:
            return self.store.filter_rowids(where, params)
        key = (self.store.generation(), where, *params)
        allowed = self._allowed.get(key)
        if allowed is None:
            allowed = self.store.filter_rowids(where, params)
            allowed.flags.writeable = False  # shared by every search with this filter
            self._allowed[key] = allowed
            while len(self._allowed) > FILTER_CACHE_SIZE:
                self._allowed.popitem(last=False)
        self._allowed.move_to_end(key)
        return allowed

    def search(self, query: str, k: int = 10, filters: Filters = Filters(), mode: Mode = "hybrid",
               depth: int = 100, highlight: bool = True) -> list[Hit]:
        """The ``k`` best passages for a query.

        ``mode`` "lexical" is BM25 alone, "dense" the embedding alone, "hybrid"
        (the default) reads the query (:mod:`index.query`) and fuses both by the
        evidence each has (:mod:`index.fusion`, :mod:`index.rerank`); "rrf" is
        the older equal-weight reciprocal rank fusion. ``highlight=False`` leaves
        the hits' ``highlights`` empty: a caller that reads only ids saves the
        tokenising (34 of 57 s of a whole-report draft under the profiler).
        """
        return self.hits(self.ranking(query, filters, mode, max(depth, k)), k, highlight=highlight)

    def ranking(self, query: str, filters: Filters = Filters(), mode: Mode = "hybrid",
                depth: int = 100) -> Ranking:
        """The whole ranking a search returns the top of (up to ``depth`` passages, best first),
        with the query's terms and the two lists it was made from: :meth:`search` and the
        paged results with totals and facets (:mod:`index.paging`) rank the same way."""
        return self.rank(self.candidates(query, filters, mode, depth))

    def candidates(self, query: str, filters: Filters = Filters(), mode: Mode = "hybrid",
                   depth: int = 100) -> Candidates:
        """The reads of a search: each index's list up to ``depth``, the query embedded once.

        :meth:`rank` fuses them, over all of them or over the first ``n`` of each list (the
        same ranking as reading only ``n``), so a page, its total and its facets come from
        one set of reads (:func:`index.paging.search_page`).
        """
        terms = self._check_query(query)
        if mode == "dense" and self.embedder is None:
            raise QueryError("dense search needs an embedding model; this index has none")
        plan = plan_query(query, self.analyzer) if mode == "hybrid" and self.embedder is not None else None
        if plan is not None:
            terms = plan.terms
        lex = self.lexical(terms, depth, filters) if mode != "dense" and terms else []
        focus: list[tuple[int, float]] = []
        if plan is not None and plan.long_question and lex:
            words = _lexical_words(plan)
            rare = focus_words(words, self._doc_freqs([w for word in words for w in word]))
            focus = self.lexical(rare, depth, filters) if rare else []
        vector = None
        den: list[tuple[int, float]] = []
        if mode != "lexical" and self.embedder is not None:
            vector = self.embedder.encode_queries([plan.text if plan is not None else query])[0]
            den = self.dense(vector, depth, filters)
        return Candidates(mode=mode, terms=terms, plan=plan, lexical=lex, dense=den, vector=vector, focus=focus)

    def rank(self, candidates: Candidates, depth: int | None = None) -> Ranking:
        """The ranking fused from ``candidates`` (from the first ``depth`` of each list, if given)."""
        c = candidates if depth is None else candidates.head(depth)
        lex, den = c.lexical, c.dense
        if c.plan is not None and c.vector is not None:
            return self._hybrid(c.plan, lex, den, c.vector, c.focus)
        return Ranking(c.terms, rrf(lex, den) if c.mode in ("hybrid", "rrf") else (lex or den), lex, den)

    def _hybrid(self, plan: QueryPlan, lex: list[tuple[int, float]], den: list[tuple[int, float]],
                vector: np.ndarray, focus: list[tuple[int, float]]) -> Ranking:
        """The lists fused with BM25 weighted by its coverage (plus a long question's focus
        read), the head re-scored by its best sentences and the query's cues."""
        weight = 0.0
        if lex:
            held = [set(row.terms.split()) for row in self.store.lexical_rows([r for r, _ in lex[:COVERAGE_DEPTH]])]
            weight = lexical_weight(coverage(_lexical_words(plan), held))
        ranked = add_focus(adaptive(lex, den, weight), focus)
        ranked = by_best_sentence(ranked, vector, den, self._sentence_vectors, self.store.vectors_by_rowid,
                                  weight=sentence_weight(plan) if self.sentence_evidence else 0.0)
        ranked = rerank(ranked, plan, self.store.passages)
        return Ranking(plan.terms, [(r, unit_score(s)) for r, s in ranked], lex, den)

    def sentence_vectors_by_text(self, passage_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these passages' sentences, by sentence text (float32, unit
        length): what a caller checking a draft made of stored passages need not embed again
        (a whole-report draft spent 31 of its 50 s embedding them)."""
        by_id = self.passages_by_id(list(passage_ids))
        stored = self._sentence_vectors([r for r, _ in by_id.values()])
        out: dict[str, np.ndarray] = {}
        for rowid, p in by_id.values():
            vectors = stored.get(rowid)
            texts = sentence_texts(p, self.analyzer.sentences)
            if vectors is not None and len(vectors) == len(texts):
                for text, v in zip(texts, np.asarray(vectors, dtype=np.float32)):
                    out[text] = v / max(float(np.linalg.norm(v)), 1e-12)
        return out

    def _sentence_vectors(self, rowids: Sequence[int]) -> dict[int, np.ndarray]:
        """Stored sentence vectors of these passages, if this index's model made them."""
        if self.embedder is None or self.store.sentence_embedder_name() != self.embedder.name:
            return {}
        return self.store.sentence_vectors(rowids)

    def prior_wording(self, text: str, k: int = 10, filters: Filters = Filters(),
                      exclude_document: str | None = None) -> list[Hit]:
        """Earlier passages that say the same thing as ``text``, near-identical ones first.

        Candidates come from both indexes (the text embedded as a passage, so the
        comparison is passage to passage); each gets ``overlap``, the share of the
        given text's words that the passage repeats in order, and the ranking
        combines that with the fused rank.
        """
        terms = self._check_query(text)
        exclude = self.store.resolve(exclude_document) if exclude_document else None
        depth = max(50, 3 * k)
        lex = self.lexical(terms, depth, filters)
        den: list[tuple[int, float]] = []
        if self.embedder is not None:
            den = self.dense(self.embedder.encode_passages([text])[0], depth, filters)
        fused = rrf(lex, den)
        hits = self._hits(fused, len(fused), terms, lex, den)
        src = _words(text)
        rescored = []
        top = max((h.score for h in hits), default=1.0) or 1.0
        for h in hits:
            if exclude and h.document_id == exclude:
                continue
            overlap = _overlap(src, _words(h.text))
            rescored.append(h.model_copy(update={"overlap": round(overlap, 3),
                                                 "score": round(0.5 * overlap + 0.5 * h.score / top, 4)}))
        rescored.sort(key=lambda h: h.score, reverse=True)
        return rescored[:k]

    def hits(self, ranking: Ranking, k: int, highlight: bool = True) -> list[Hit]:
        """Hits for the first ``k`` passages of a ranking."""
        return self._hits(ranking.ranked, k, ranking.terms, ranking.lexical, ranking.dense,
                          highlight=highlight)

    def _hits(self, ranked: list[tuple[int, float]], k: int, terms: Sequence[str],
              lex: list[tuple[int, float]], den: list[tuple[int, float]], highlight: bool = True) -> list[Hit]:
        """Hits for the first ``k`` of ``ranked``, each with its rank in ``lex`` and ``den``."""
        lex_rank = {r: i for i, (r, _) in enumerate(lex, start=1)}
        dense_rank = {r: i for i, (r, _) in enumerate(den, start=1)}
        ranked = ranked[:k]
        found = self.store.passages([r for r, _ in ranked])
        query_terms = set(terms)
        hits = []
        for rowid, score in ranked:
            p = found.get(rowid)
            if p is None:
                continue
            spans = self.highlights(p.text, query_terms) if highlight else []
            hits.append(Hit.of(p, score=round(float(score), 5), highlights=spans,
                               lexical_rank=lex_rank.get(rowid), dense_rank=dense_rank.get(rowid)))
        return hits

    def highlights(self, text: str, query_terms: set[str]) -> list[tuple[int, int]]:
        """Spans of the words in ``text`` whose lemma or compound parts match the query."""
        spans = []
        for t in self.analyzer.tokens(text):
            if t.is_stop:
                continue
            if query_terms.intersection(self.analyzer.word_terms(t.text.lower())):
                spans.append((t.start, t.end))
        return spans


_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _overlap(source: list[str], candidate: list[str]) -> float:
    """Share of ``source``'s words that ``candidate`` repeats in the same order."""
    if not source or not candidate:
        return 0.0
    m = SequenceMatcher(None, source, candidate, autojunk=False)
    return sum(b.size for b in m.get_matching_blocks()) / len(source)
