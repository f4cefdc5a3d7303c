"""Retrieval quality on the sample corpus: BM25 alone, dense alone, the old RRF hybrid
and the default hybrid (adaptive fusion).

Indexes the four sample documents with the real embedding model (into a temporary
folder, or into ``--index-dir`` once and reused after), runs every query of the
chosen files in each mode and prints nDCG@10, MRR@10 and success@10 (the share of
queries with a relevant passage in the top 10) per query kind and split.

Relevance is judged by hand per query as (document, verbatim phrase, grade):
a retrieved passage is relevant when it comes from that document and contains
the phrase, so the judgments do not depend on how the index cuts passages.

    python evaluations/retrieval.py [--queries old|hard|both] [--k 10] [--show-misses]
        [--lexical-engine tantivy|fts5|both] [--index-dir DIR] [--split tune|test|both]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.search import SearchIndex  # noqa: E402
from underlag.model import Hit  # noqa: E402
from api.components import build_analyzer, build_embedder, parse_corpus  # noqa: E402
from underlag.settings import get_settings  # noqa: E402

QUERIES = ROOT / "evaluations" / "data" / "retrieval_queries.jsonl"
HARD_QUERIES = ROOT / "evaluations" / "data" / "retrieval_queries_hard.jsonl"
#: 36 held-out queries (multi-document needs and facts, split "test2"), written without running
#: search after the default was chosen, and read once (evaluations/data/README.md)
FRESH_QUERIES = ROOT / "evaluations" / "data" / "retrieval_queries_fresh.jsonl"
# "rrf" is the hybrid before adaptive fusion (equal-weight reciprocal rank fusion)
MODES = ("lexical", "dense", "rrf", "hybrid")
METRICS = ("nDCG", "MRR", "S")


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def load_queries(path: Path = QUERIES) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def judge(hit: Hit, relevant: list[dict]) -> list[int]:
    """Indexes of the relevant items this hit contains."""
    text = norm(hit.text)
    return [i for i, r in enumerate(relevant) if hit.filename == r["doc"] and norm(r["phrase"]) in text]


def score_query(hits: list[Hit], relevant: list[dict], k: int) -> tuple[float, float, float, float]:
    """(nDCG@k, MRR@k, success@k, Recall@k) of one ranked list. Each relevant item counts
    once, at its first hit."""
    found: set[int] = set()
    dcg = rr = 0.0
    for rank, hit in enumerate(hits[:k], start=1):
        judged = judge(hit, relevant)
        if judged and not rr:
            rr = 1.0 / rank
        new = [i for i in judged if i not in found]
        if new:
            gain = max(relevant[i]["grade"] for i in new)
            dcg += (2 ** gain - 1) / math.log2(rank + 1)
            found.update(new)
    ideal = sorted((r["grade"] for r in relevant), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return (dcg / idcg if idcg else 0.0), rr, float(rr > 0), len(found) / len(relevant)


Scores = dict[str, dict[str, tuple[float, ...]]]


def evaluate(index: SearchIndex, queries: list[dict], k: int = 10, show_misses: bool = False,
             group: str = "kind") -> Scores:
    """Mean (nDCG@k, MRR@k, success@k, Recall@k) per mode, overall and per ``group``
    ("kind", or "split/kind": each query's split, "old" without one)."""
    per: dict[str, dict[str, list[tuple[float, ...]]]] = {m: defaultdict(list) for m in MODES}
    for q in queries:
        split = q.get("split", "old")
        keys = ["all", q.get("kind", "other")] if group == "kind" else [
            f"{split}/all", f"{split}/{q.get('kind', 'other')}"]
        for mode in MODES:
            hits = index.search(q["query"], k=k, mode=mode)
            s = score_query(hits, q["relevant"], k)
            for key in keys:
                per[mode][key].append(s)
            if show_misses and mode == "hybrid" and s[1] < 1:
                print(f"  miss {q['id']} ({q['query'][:70]}): MRR {s[1]:.2f}; top: "
                      + "; ".join(f"{h.filename[:3]} {h.section}" for h in hits[:3]))
    return {m: {key: tuple(sum(x[i] for x in v) / len(v) for i in range(4)) for key, v in groups.items()}
            for m, groups in per.items()} | {"_n": {key: (len(v),) for key, v in per["hybrid"].items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--queries", choices=("old", "hard", "both", "fresh"), default="both",
                    help="old: the 64 queries of retrieval_queries.jsonl; hard: the 157 of "
                         "retrieval_queries_hard.jsonl (split tune/test); fresh: the 36 held-out "
                         "queries of retrieval_queries_fresh.jsonl (split test2; read once)")
    ap.add_argument("--split", choices=("tune", "test", "both"), default="both",
                    help="which split of the hard queries to run (tune while choosing; test once, at the end)")
    ap.add_argument("--show-misses", action="store_true")
    ap.add_argument("--lexical-engine", choices=("tantivy", "fts5", "both"), default="tantivy",
                    help="the BM25 engine (both: the same index searched through each)")
    ap.add_argument("--index-dir", type=Path, default=None,
                    help="index the corpus here once and reuse it after (indexing takes minutes)")
    args = ap.parse_args()
    engines = ["tantivy", "fts5"] if args.lexical_engine == "both" else [args.lexical_engine]
    if args.queries == "fresh":
        queries = load_queries(FRESH_QUERIES)
    else:
        queries = ((load_queries(QUERIES) if args.queries != "hard" else [])
                   + [q for q in (load_queries(HARD_QUERIES) if args.queries != "old" else [])
                      if args.split in ("both", q["split"])])
    settings = get_settings()
    t0 = time.perf_counter()
    analyzer, embedder = build_analyzer(), build_embedder(settings)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.index_dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        with SearchIndex(folder, analyzer, embedder, lexical_engine=engines[0]) as index:
            if not index.passage_count():
                for doc in parse_corpus(ROOT / "corpus"):
                    index.add(doc)
            print(f"{index.passage_count()} passages ready in {time.perf_counter() - t0:.1f} s "
                  f"with {embedder.name}; {len(queries)} queries")
        for engine in engines:
            with SearchIndex(folder, analyzer, embedder, lexical_engine=engine) as index:
                print(f"\nlexical engine: {engine}")
                report(evaluate(index, queries, args.k, args.show_misses, group="split/kind"), args.k)


def report(results: Scores, k: int) -> None:
    """One table per split: each mode's nDCG@k / MRR@k / success@k per kind."""
    counts = results["_n"]
    splits = sorted({key.split("/")[0] for key in counts}, key=lambda s: ("old", "tune", "test", "test2").index(s)
                    if s in ("old", "tune", "test", "test2") else 9)
    for split in splits:
        kinds = sorted((key.split("/")[1] for key in counts if key.startswith(split + "/")),
                       key=lambda s: (s != "all", s))
        print(f"\nsplit {split}: nDCG@{k} / MRR@{k} / success@{k}")
        print(f"{'mode':<8} " + " ".join(f"{kind + ' (' + str(counts[split + '/' + kind][0]) + ')':>20}"
                                         for kind in kinds))
        for mode in MODES:
            print(f"{mode:<8} " + " ".join(
                f"{'/'.join(f'{x:.3f}' for x in results[mode][split + '/' + kind][:3]):>20}" for kind in kinds))
        key = split + "/all"
        best_single = max(results["lexical"][key][1], results["dense"][key][1])
        verdict = "beats" if results["hybrid"][key][1] > best_single else "does NOT beat"
        print(f"hybrid MRR@{k} {results['hybrid'][key][1]:.3f} {verdict} the best single mode ({best_single:.3f})")


if __name__ == "__main__":
    main()
