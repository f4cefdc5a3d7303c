"""The lexical half: Tantivy (what the index uses), SQLite FTS5 and an impact-precomputed BM25.

FTS5 scores every passage that matches any query word; the queries' lemmas and
compound parts ("samverkan" -> "sam", "verkan") often match a third or more of
all passages, and that made lexical search the slow half at 100k+. Tantivy
(``index/lexical.py``) skips postings blocks that cannot reach the top k.
``bm25s`` precomputes each (term, passage) BM25 weight into a sparse matrix,
so a query is a sum of a few sparse columns and a top-k. All are measured here
on exactly the same index terms (those in the synthetic corpora of
``bench_query.py``), with the overlap of their top 10 against FTS5's.

bm25s is not a dependency of the project: install it anywhere and point
``--bm25s-path`` at it (``pip install --target /tmp/bm25s_pkg --no-deps bm25s``);
without it only FTS5 is measured.

    python evaluations/bench_lexical.py --sizes 100k,1M [--bm25s-path /tmp/bm25s_pkg]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections.abc import Callable

import numpy as np

from bench_common import OUT, ROOT, Row, latencies_ms, machine, p50_p95, parse_size, print_rows, size_label

from index.lexical import LexicalIndex
from index.search import _fts_words
from index.store import DocumentStore


def query_words(analyzer, queries: list[str]) -> list[list[str]]:
    """Each query's words as SearchIndex.lexical makes them."""
    return [list(dict.fromkeys(w for t in analyzer.query_terms(q) for w in _fts_words(t))) for q in queries]


def main_rows(sizes: list[int], n_queries: int = 40) -> list[Row]:
    from api.components import build_analyzer

    analyzer = build_analyzer()
    queries = [json.loads(line)["query"] for line in
               (ROOT / "evaluations" / "data" / "retrieval_queries.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip()][:n_queries]
    words = query_words(analyzer, queries)
    try:
        import bm25s
    except ImportError:
        bm25s = None
    rows = []
    for n in sizes:
        found = sorted(OUT.glob(f"synth-{size_label(n)}-*"))
        if not found or not (found[0] / "complete").exists():
            rows.append(Row("lexical", size_label(n), {}, "not built: run bench_query.py first"))
            continue
        store = DocumentStore(found[0])
        by_query = dict(zip(queries, words))
        match = {q: " OR ".join(f'"{w}"' for w in ws) for q, ws in by_query.items()}
        matched = [store._db.execute("SELECT count(*) FROM passage_fts WHERE passage_fts MATCH ?",
                                     [match[q]]).fetchone()[0] for q in queries]
        fts = {q: [r for r, _ in store.lexical_search(match[q], 100)] for q in queries}

        def overlap(top10: Callable[[str], list[int]]) -> float:
            """Mean share of FTS5's top 10 that an engine's top 10 has too."""
            return float(np.mean([len(set(top10(q)) & set(fts[q][:10])) / max(1, min(10, len(fts[q])))
                                  for q in queries]))

        lat = latencies_ms(lambda q: store.lexical_search(match[q], 100), queries, rounds=1)
        rows.append(Row("lexical", f"{size_label(n)} FTS5", {**p50_p95(lat)},
                        f"matching passages per query: median {int(np.median(matched)):,}, "
                        f"max {max(matched):,} of {n:,}"))
        t0 = time.perf_counter()
        tantivy_index = LexicalIndex.build(found[0], store.lexical_rows(), store.generation())
        build = time.perf_counter() - t0
        lat = latencies_ms(lambda q: tantivy_index.search(by_query[q], 100), queries, rounds=1)
        agree = overlap(lambda q: [r for r, _ in tantivy_index.search(by_query[q], 10)])
        rows.append(Row("lexical", f"{size_label(n)} Tantivy (the index)", {
            **p50_p95(lat), "build s": f"{build:.1f}", "top-10 overlap with FTS5": f"{agree:.2f}"},
            "index/lexical.py"))
        if bm25s is not None:
            db = sqlite3.connect(found[0] / "underlag.sqlite")
            rowids, corpus = [], []
            for rowid, terms in db.execute("SELECT rowid, terms FROM passage_fts"):
                rowids.append(rowid)
                corpus.append(terms.split())
            db.close()
            t0 = time.perf_counter()
            retriever = bm25s.BM25(k1=1.2, b=0.75, method="robertson")  # FTS5's bm25() parameters
            retriever.index(corpus, show_progress=False)
            build = time.perf_counter() - t0
            del corpus
            ids = np.asarray(rowids)

            def top(q: str) -> list[int]:
                ws = [w for w in by_query[q] if w in retriever.vocab_dict]
                if not ws:
                    return []
                scores = retriever.get_scores(ws)
                best = np.argpartition(-scores, 100)[:100]
                return ids[best[np.argsort(-scores[best])]].tolist()

            lat = latencies_ms(top, queries, rounds=1)
            agree = overlap(lambda q: top(q)[:10])
            rows.append(Row("lexical", f"{size_label(n)} bm25s (sparse impact matrix)", {
                **p50_p95(lat), "build s": f"{build:.0f}", "top-10 overlap with FTS5": f"{agree:.2f}"},
                "numpy backend, no numba"))
        store.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100k")
    ap.add_argument("--queries", type=int, default=40)
    ap.add_argument("--bm25s-path", default="", help="a folder where bm25s is installed")
    args = ap.parse_args()
    if args.bm25s_path:
        sys.path.insert(0, args.bm25s_path)
    print(machine())
    print_rows(main_rows([parse_size(s) for s in args.sizes.split(",")], args.queries), "Lexical engines")
    print(machine())


if __name__ == "__main__":
    main()
