"""Query latency at 10k, 100k and 1M passages; FAISS flat vs HNSW vs IVF.

The large corpora are synthetic, built by sampling and recombining the sample
corpus's sentences: each distinct sentence is analysed (lemmas, compound parts)
and embedded with the real model ONCE and cached in ``evaluations/out/``; a
synthetic passage is 3 to 6 sentences drawn from a window of the corpus (so
it keeps one topic), its index terms are its sentences' terms, and its vector
is the normalised mean of its sentences' vectors (not the model's embedding of
the passage text: at 30 passages/s, 1M passages would take 9 hours).
Each passage also carries ``SENTENCES_PER_PASSAGE`` sentence vectors (float16, one
``passage_sentences`` row, as ingest stores them: the sample corpus has 7.5 sentences a
passage), its own sentences' vectors and, to make up the count, others of the same window,
so hybrid search pays for the re-ranking by best sentence as it would on a real corpus.
The SQLite store and FTS5 index are written with bulk inserts; each corpus is
cached (``evaluations/out/synth-<size>-<model>-s<sentences>/``) and reused by later runs.

Measured per size:

* p50/p95 of ``SearchIndex.search`` in lexical, dense and hybrid mode, with the
  query vector cached (the index's own cost) and, for hybrid, end to end with
  the model encoding the query; the index kind is ``auto`` (what a user gets);
  the old rrf hybrid, hybrid without and hybrid with the sentence re-ranking are
  timed interleaved query by query (:func:`bench_common.paired_latencies_ms`), and
  rrf against hybrid over the long (template) questions of the hard set, which hybrid
  reads differently (no sentence re-ranking; a BM25 read of their rarest words);
* per FAISS kind: build time, bytes per passage (the saved file), dense search
  p50/p95 at the search depth (k=100), recall@10 against flat, unfiltered and
  with a doc_type filter (a third of the passages) and a document filter
  (100 passages, scored exactly).

    python evaluations/bench_query.py --sizes 10k,100k,1M [--kinds flat,hnsw,ivf] [--queries 40]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import time
from pathlib import Path

import numpy as np

from bench_common import (OUT, ROOT, Row, latencies_ms, machine, p50_p95, paired_latencies_ms, parse_size,
                          print_rows, size_label)

from index.dense import DenseIndex, choose_kind
from index.lexical import LexicalIndex
from index.passages import passages as cut_passages
from index.passages import regex_sentences
from index.query import plan_query
from index.search import Filters, SearchIndex, _fts_words
from index.store import DocumentStore
from nlp.analyzer import Analyzer
from nlp.embed import Embedder, OnnxEmbedder
from underlag.model import Document, DocumentMetadata, Passage

PER_DOCUMENT = 100
DOC_TYPES = ("återrapportering", "projektbeskrivning", "uppföljning")
ORGANISATIONS = ("Region Örebro län", "Länsstyrelsen i Örebro län")
DEPTH = 100  # SearchIndex.search's default candidate depth per list
# sentence vectors stored per synthetic passage (the sample corpus: 2 510 sentences in 337
# passages, 7.5 a passage; passages of one sentence have none)
SENTENCES_PER_PASSAGE = 7


class CachedQueries:
    """Wraps an embedder so each query is encoded once: latency of the index alone."""

    def __init__(self, embedder: Embedder):
        self.inner, self.name, self.dim = embedder, embedder.name, embedder.dim
        self.cache: dict[str, np.ndarray] = {}

    def encode_queries(self, texts):
        for t in texts:
            if t not in self.cache:
                self.cache[t] = self.inner.encode_queries([t])[0]
        return np.vstack([self.cache[t] for t in texts])

    def encode_passages(self, texts):
        return self.inner.encode_passages(texts)


# -- the sentence pool ---------------------------------------------------------

def sentence_pool(analyzer: Analyzer, embedder: Embedder) -> tuple[list[str], list[list[str]], np.ndarray]:
    """Distinct sentences of the sample corpus in reading order, their index terms and vectors (cached)."""
    from api.components import parse_corpus

    OUT.mkdir(parents=True, exist_ok=True)
    cache = OUT / f"sentences-{embedder.name}"
    if (cache / "vectors.npy").exists():
        data = json.loads((cache / "sentences.json").read_text(encoding="utf-8"))
        return data["texts"], data["terms"], np.load(cache / "vectors.npy")
    texts: list[str] = []
    for doc in parse_corpus(ROOT / "corpus"):
        for p in cut_passages(doc):
            texts += [p.text[s:e].strip() for s, e in regex_sentences(p.text)]
    texts = [t for t in dict.fromkeys(texts) if len(t) >= 30]
    t0 = time.perf_counter()
    terms = [[w for term in analyzer.terms(t) for w in _fts_words(term)] for t in texts]
    vectors = embedder.encode_passages(texts)
    print(f"  sentence pool: {len(texts)} sentences analysed and embedded in {time.perf_counter() - t0:.0f} s")
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "sentences.json").write_text(json.dumps({"texts": texts, "terms": terms}, ensure_ascii=False),
                                          encoding="utf-8")
    np.save(cache / "vectors.npy", vectors)
    return texts, terms, vectors


# -- synthetic corpora -----------------------------------------------------------

def synthetic_index(n: int, pool: tuple[list[str], list[list[str]], np.ndarray], model: str,
                    seed: int = 0) -> tuple[Path, float]:
    """A store + FTS5 + vectors of ``n`` synthetic passages (cached); (directory, build seconds or 0)."""
    directory = OUT / f"synth-{size_label(n)}-{model}-s{SENTENCES_PER_PASSAGE}"
    if (directory / "complete").exists():
        return directory, 0.0
    shutil.rmtree(directory, ignore_errors=True)
    texts, terms, svec = pool
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    DocumentStore(directory).close()  # creates the schema
    db = sqlite3.connect(directory / "underlag.sqlite", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    vectors = np.lib.format.open_memmap(directory / "vectors.npy", mode="w+", dtype=np.float32,
                                        shape=(n, svec.shape[1]))
    n_docs = (n + PER_DOCUMENT - 1) // PER_DOCUMENT
    for d in range(n_docs):
        doc_id = f"{d:016x}"
        meta = DocumentMetadata(title=f"Syntetisk rapport {d}", organisation=ORGANISATIONS[d % 2],
                                doc_type=DOC_TYPES[d % 3], years=[2015 + d % 10])
        doc = Document(id=doc_id, source=f"/synthetic/{doc_id}.txt", filename=f"{doc_id}.txt", format="txt",
                       metadata=meta, sections=[])
        db.execute("INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
                   (doc_id, doc.source, doc.filename, meta.title, meta.doc_type, str(meta.years[0]), 0,
                    "2026-01-01T00:00:00+00:00", doc.model_dump_json()))
        rows, fts, sentences = [], [], []
        start = d * PER_DOCUMENT
        for i in range(start, min(n, start + PER_DOCUMENT)):
            anchor = int(rng.integers(0, len(texts)))
            window = anchor + rng.integers(-20, 21, max(SENTENCES_PER_PASSAGE, 6))
            picks = np.clip(window[:int(rng.integers(3, 7))], 0, len(texts) - 1)
            v = svec[picks].mean(axis=0)
            # its own sentences first, then others of its window up to the count
            said = np.clip(np.concatenate([picks, window[len(picks):]])[:SENTENCES_PER_PASSAGE], 0, len(texts) - 1)
            vectors[i] = v / np.linalg.norm(v)
            section = f"{1 + (i - start) // 10}"
            p = {"id": f"{doc_id}:{section}:{i - start}", "document_id": doc_id, "filename": doc.filename,
                 "document": meta.title, "doc_type": meta.doc_type, "organisation": meta.organisation,
                 "years": meta.years, "section": section, "section_title": f"Avsnitt {section}",
                 "heading_path": [f"{section} Avsnitt {section}"], "page": None, "kind": "text",
                 "text": " ".join(texts[j] for j in picks)}
            rowid = i + 1
            rows.append((rowid, p["id"], doc_id, f",{meta.years[0]},", meta.doc_type, meta.organisation,
                         section, json.dumps(p, ensure_ascii=False), vectors[i].tobytes()))
            fts.append((rowid, " ".join(w for j in picks for w in terms[j])))
            sentences.append((rowid, len(said), svec[said].astype(np.float16).tobytes()))
        db.executemany("INSERT INTO passages (rowid, id, document_id, years, doc_type, organisation, section,"
                       " json, vector) VALUES (?,?,?,?,?,?,?,?,?)", rows)
        db.executemany("INSERT INTO passage_fts (rowid, terms) VALUES (?, ?)", fts)
        db.executemany("INSERT INTO passage_sentences (rowid, count, vectors) VALUES (?, ?, ?)", sentences)
    db.execute("INSERT OR REPLACE INTO meta VALUES ('generation', '1')")
    db.execute("INSERT OR REPLACE INTO meta VALUES ('embedder', ?)", (model,))
    db.execute("INSERT OR REPLACE INTO meta VALUES ('sentence_embedder', ?)", (model,))
    db.execute("COMMIT")
    # merge FTS5's segments, as in an index that has lived for a while
    db.execute("INSERT INTO passage_fts(passage_fts) VALUES ('optimize')")
    db.close()
    vectors.flush()
    Passage.model_validate_json(rows[-1][7])  # the rows are what the store writes
    (directory / "complete").write_text(str(n))
    return directory, time.perf_counter() - t0


def kind_index(directory: Path, kind: str, model: str) -> tuple[DenseIndex, float]:
    """The cached FAISS index of one kind over a synthetic corpus; (index, build seconds or 0)."""
    where = directory / "kinds" / kind
    found = DenseIndex.load(where, 1, model, kind)
    if found is not None:
        meta = json.loads((where / "build.json").read_text())
        return found, float(meta["seconds"])
    vectors = np.load(directory / "vectors.npy", mmap_mode="r")
    rowids = np.arange(1, len(vectors) + 1, dtype=np.int64)
    t0 = time.perf_counter()
    index = DenseIndex.build(vectors.shape[1], rowids, np.asarray(vectors), kind=kind)
    seconds = time.perf_counter() - t0
    index.save(where, 1, model)
    (where / "build.json").write_text(json.dumps({"seconds": seconds}))
    return index, seconds


# -- measurements ---------------------------------------------------------------

def recall_at_10(index: DenseIndex, exact: DenseIndex, queries: np.ndarray, allowed=None) -> float:
    found = 0
    for q in queries:
        truth = {r for r, _ in exact.search(q, 10, allowed)}
        found += len(truth & {r for r, _ in index.search(q, 10, allowed)})
    return found / (10 * len(queries))


def bench_kinds(directory: Path, n: int, kinds: list[str], model: str, qvecs: np.ndarray) -> list[Row]:
    rows = []
    flat, flat_s = kind_index(directory, "flat", model)
    rng = np.random.default_rng(1)
    # a third of the passages (one doc_type: documents d % 3 == 0) and one document's 100 passages
    by_type = np.flatnonzero((np.arange(n) // PER_DOCUMENT) % 3 == 0).astype(np.int64) + 1
    first = PER_DOCUMENT * int(rng.integers(0, n // PER_DOCUMENT))
    by_doc = np.arange(first + 1, min(n, first + PER_DOCUMENT) + 1, dtype=np.int64)
    for kind in kinds:
        index, build_s = (flat, flat_s) if kind == "flat" else kind_index(directory, kind, model)
        size = sum(f.stat().st_size for f in (directory / "kinds" / kind).glob("dense.*"))
        lat = latencies_ms(lambda i: index.search(qvecs[int(i)], DEPTH), [str(i) for i in range(len(qvecs))], 1)
        flt = latencies_ms(lambda i: index.search(qvecs[int(i)], DEPTH, by_type),
                           [str(i) for i in range(len(qvecs))], 1)
        rows.append(Row("faiss", f"{size_label(n)} {kind}", {
            "build s": f"{build_s:.1f}", "bytes/passage": f"{size / n:.0f}",
            **{f"dense {k}": v for k, v in p50_p95(lat).items()},
            "filtered p95 ms": f"{sorted(flt)[int(0.95 * (len(flt) - 1))]:.1f}",
            "recall@10": f"{recall_at_10(index, flat, qvecs):.3f}",
            "recall@10 type filter": f"{recall_at_10(index, flat, qvecs, by_type):.3f}",
            "recall@10 doc filter": f"{recall_at_10(index, flat, qvecs, by_doc):.3f}",
        }, "build time of the cached index"))
    return rows


def bench_catch_up(directory: Path, n: int, kind: str, model: str, qvecs: np.ndarray,
                   passages: int = 60, rounds: int = 10) -> list[Row]:
    """What a server pays at its next search after another process (the CLI) added a
    document: applying the change to its FAISS index in memory, as index.search does
    from the store's change log, against reading the whole FAISS file again."""
    where = directory / "kinds" / kind
    reload_ms = []
    for _ in range(3):
        t = time.perf_counter()
        index = DenseIndex.load(where, 1, model, kind)
        reload_ms.append((time.perf_counter() - t) * 1000)
    assert index is not None
    vectors = np.load(directory / "vectors.npy", mmap_mode="r")
    rng = np.random.default_rng(3)
    catch_up_ms = []
    for i in range(rounds):
        rowids = np.arange(n + 1 + i * passages, n + 1 + (i + 1) * passages, dtype=np.int64)
        new = np.asarray(vectors[rng.integers(0, n, passages)]) + 0.01 * rng.standard_normal((passages, vectors.shape[1]))
        new = (new / np.linalg.norm(new, axis=1, keepdims=True)).astype(np.float32)
        t = time.perf_counter()
        index.remove(rowids)  # as _catch_up does: the touched rowids out, those still stored in
        index.add(rowids, new)
        index.search(qvecs[i % len(qvecs)], DEPTH)
        catch_up_ms.append((time.perf_counter() - t) * 1000)
    return [Row("query", f"{size_label(n)} after another process's write, catch up", p50_p95(catch_up_ms),
                f"FAISS {kind}; a {passages}-passage document applied in memory, then one search"),
            Row("query", f"{size_label(n)} after another process's write, reload", p50_p95(reload_ms),
                f"FAISS {kind}; reading the whole file again instead")]


def bench_search(directory: Path, n: int, analyzer: Analyzer, embedder: Embedder, queries: list[str],
                 kinds: list[str], long_questions: list[str]) -> list[Row]:
    """Latency of SearchIndex.search per mode, with the FAISS kind ``auto`` chooses
    (or, when that kind was not built in this run, the last of ``kinds``)."""
    kind = choose_kind("auto", n)
    setting = "auto" if kind in kinds else kinds[-1]
    kind = choose_kind(setting, n)
    cached = CachedQueries(embedder)
    # point the SearchIndex at the cached FAISS file of the kind it would choose
    for f in (directory / "kinds" / kind).glob("dense.*"):
        shutil.copy(f, directory / f.name)
    rows = []
    # the lexical engine's files are built here in full, as a rebuild from the store would
    with DocumentStore(directory) as store:
        t0 = time.perf_counter()
        LexicalIndex.build(directory, store.lexical_rows(), store.generation())
        lexical_build_s = time.perf_counter() - t0
    lexical_mb = sum(f.stat().st_size for f in (directory / "lexical").iterdir()) / 1e6
    # FTS5 first, for comparison: the same store searched through SQLite's own BM25
    with SearchIndex(directory, analyzer, cached, dense_index=setting, lexical_engine="fts5") as index:
        index.load()
        for mode in ("lexical", "hybrid"):
            lat = latencies_ms(lambda q: index.search(q, k=10, mode=mode), queries, rounds=1)
            rows.append(Row("query", f"{size_label(n)} {mode}, FTS5 engine", {**p50_p95(lat)},
                            f"index only (query vector cached); FAISS {kind}"))
    with SearchIndex(directory, analyzer, cached, dense_index=setting) as index:
        t0 = time.perf_counter()
        index.load()
        load_s = time.perf_counter() - t0
        for mode in ("lexical", "dense"):
            lat = latencies_ms(lambda q: index.search(q, k=10, mode=mode), queries)
            rows.append(Row("query", f"{size_label(n)} {mode}", {**p50_p95(lat)},
                            f"index only (query vector cached); FAISS {kind}; Tantivy built in "
                            f"{lexical_build_s:.1f} s, {lexical_mb:.0f} MB" if mode == "lexical" else
                            f"index only (query vector cached); FAISS {kind}"))
        # "rrf": the hybrid before adaptive fusion; the default hybrid without and with its
        # re-ranking by best sentence: one loop, interleaved, so their ratios are fair
        rows += _hybrid_rows(index, queries, f"{size_label(n)}", f"index only (query vector cached); FAISS {kind}")
        # the long (template) questions take their own path: whole passages, and a focus read
        # of their rarest words (index.focus); none is among the first queries above
        lat = paired_latencies_ms({"rrf": lambda q: index.search(q, k=10, mode="rrf"),
                                   "hybrid": lambda q: index.search(q, k=10, mode="hybrid")}, long_questions)
        p95 = {name: float(p50_p95(v)["p95 ms"]) for name, v in lat.items()}
        rows += [Row("query", f"{size_label(n)} {name}, {len(long_questions)} long questions", {**p50_p95(v)},
                     f"index only; FAISS {kind}" + (f"; p95 {p95['hybrid'] / p95['rrf']:.2f}x rrf's"
                                                    if name == "hybrid" else "")) for name, v in lat.items()]
        lat = latencies_ms(lambda q: index.search(q, k=10, mode="hybrid",
                                                  filters=Filters(doc_type=DOC_TYPES[0])), queries)
        rows.append(Row("query", f"{size_label(n)} hybrid, doc_type filter", {**p50_p95(lat)},
                        f"index only; FAISS {kind}; the filter's passages kept from the first query"))

        def first_use(q: str) -> None:
            index._allowed.clear()  # as if each query brought a filter not seen before
            index.search(q, k=10, mode="hybrid", filters=Filters(doc_type=DOC_TYPES[0]))
        lat = latencies_ms(first_use, queries)
        rows.append(Row("query", f"{size_label(n)} hybrid, doc_type filter first used", {**p50_p95(lat)},
                        f"index only; FAISS {kind}; the filter's passages read from SQLite"))
        index.embedder = embedder
        note = f"with e5 query encoding; FAISS {kind}; index opened in {load_s:.1f} s"
        if isinstance(embedder, OnnxEmbedder):
            # it answers a text it has embedded before from memory: forget, so each query is encoded
            embedder.remember = 0
            embedder._recent.clear()
            rows += _hybrid_rows(index, queries, f"{size_label(n)}", note,
                                 f" end to end, ONNX ({embedder.name})", rounds=1)
            return rows
        import torch

        threads = torch.get_num_threads()
        for t in sorted({threads, 1}, reverse=True):
            torch.set_num_threads(t)
            rows += _hybrid_rows(index, queries, f"{size_label(n)}", note, f" end to end, torch {t} thread(s)",
                                 rounds=1)
        torch.set_num_threads(threads)
    return rows


def _hybrid_rows(index: SearchIndex, queries: list[str], size: str, note: str, suffix: str = "",
                 rounds: int = 2) -> list[Row]:
    """rrf, hybrid without and hybrid with the sentence re-ranking, timed interleaved; the
    last row says its p95 against the other two's."""
    def hybrid(sentences: bool):
        def run(q: str) -> None:
            index.sentence_evidence = sentences
            try:
                index.search(q, k=10, mode="hybrid")
            finally:
                index.sentence_evidence = True
        return run
    lat = paired_latencies_ms({"rrf": lambda q: index.search(q, k=10, mode="rrf"),
                               "hybrid, no sentence re-ranking": hybrid(False),
                               "hybrid": hybrid(True)}, queries, rounds)
    p95 = {name: float(p50_p95(v)["p95 ms"]) for name, v in lat.items()}
    rows = [Row("query", f"{size} {name}{suffix}", {**p50_p95(v)}, note) for name, v in lat.items()]
    rows[-1].note += (f"; p95 {p95['hybrid'] / p95['rrf']:.2f}x rrf's, "
                      f"{p95['hybrid'] / p95['hybrid, no sentence re-ranking']:.2f}x without sentences")
    return rows


def main_rows(sizes: list[int], kinds: list[str], n_queries: int, embedder: Embedder | None = None,
              analyzer: Analyzer | None = None) -> list[Row]:
    """Every measurement of this benchmark as table rows."""
    from api.components import build_analyzer, build_embedder
    from underlag.settings import get_settings

    analyzer = analyzer or build_analyzer()
    embedder = embedder or build_embedder(get_settings())
    pool = sentence_pool(analyzer, embedder)
    # the older queries first, then the hard ones (English, long template questions), which
    # take other paths through hybrid search (no BM25 terms, stripped instruction words)
    queries = [json.loads(line)["query"] for name in ("retrieval_queries.jsonl", "retrieval_queries_hard.jsonl")
               for line in (ROOT / "evaluations" / "data" / name).read_text(encoding="utf-8").splitlines()
               if line.strip()][:n_queries]
    hard = [json.loads(line) for line in (ROOT / "evaluations" / "data" / "retrieval_queries_hard.jsonl")
            .read_text(encoding="utf-8").splitlines() if line.strip()]
    long_questions = [q["query"] for q in hard if plan_query(q["query"], analyzer).long_question]
    qvecs = embedder.encode_queries(queries)
    rows = []
    for n in sizes:
        directory, built = synthetic_index(n, pool, embedder.name)
        print(f"  {size_label(n)}: synthetic store {'built in %.0f s' % built if built else 'cached'}", flush=True)
        rows += bench_kinds(directory, n, kinds, embedder.name, qvecs)
        print_rows(rows[-len(kinds):])
        rows += bench_search(directory, n, analyzer, embedder, queries, kinds, long_questions)
        print_rows(rows[-18:])
        kind = choose_kind("auto", n)
        rows += bench_catch_up(directory, n, kind if kind in kinds else kinds[-1], embedder.name, qvecs)
        print_rows(rows[-2:])
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k,100k")
    ap.add_argument("--kinds", default="flat,hnsw,ivf")
    ap.add_argument("--queries", type=int, default=40)
    args = ap.parse_args()
    print(machine())
    rows = main_rows([parse_size(s) for s in args.sizes.split(",")], args.kinds.split(","), args.queries)
    print_rows(rows, "Query latency and FAISS kinds")
    print(machine())


if __name__ == "__main__":
    main()
