"""Retrieval quality on the sample corpus: BM25 alone, dense alone and hybrid.

Indexes the four sample documents into a temporary folder with the real
embedding model, runs every query of ``evaluations/data/retrieval_queries.jsonl``
in each mode and prints nDCG@10 and Recall@10 (overall and per query kind).

Relevance is judged by hand per query as (document, verbatim phrase, grade):
a retrieved passage is relevant when it comes from that document and contains
the phrase, so the judgments do not depend on how the index cuts passages.

    python evaluations/retrieval.py [--k 10] [--show-misses] [--lexical-engine tantivy|fts5|both]
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
MODES = ("lexical", "dense", "hybrid")


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def load_queries(path: Path = QUERIES) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def judge(hit: Hit, relevant: list[dict]) -> list[int]:
    """Indexes of the relevant items this hit contains."""
    text = norm(hit.text)
    return [i for i, r in enumerate(relevant) if hit.filename == r["doc"] and norm(r["phrase"]) in text]


def score_query(hits: list[Hit], relevant: list[dict], k: int) -> tuple[float, float]:
    """(nDCG@k, Recall@k) of one ranked list. Each relevant item counts once, at its first hit."""
    found: set[int] = set()
    dcg = 0.0
    for rank, hit in enumerate(hits[:k], start=1):
        new = [i for i in judge(hit, relevant) if i not in found]
        if new:
            gain = max(relevant[i]["grade"] for i in new)
            dcg += (2 ** gain - 1) / math.log2(rank + 1)
            found.update(new)
    ideal = sorted((r["grade"] for r in relevant), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return (dcg / idcg if idcg else 0.0), len(found) / len(relevant)


def evaluate(index: SearchIndex, queries: list[dict], k: int = 10, show_misses: bool = False
             ) -> dict[str, dict[str, tuple[float, float]]]:
    """Mean (nDCG@k, Recall@k) per mode, overall and per query kind."""
    per: dict[str, dict[str, list[tuple[float, float]]]] = {m: defaultdict(list) for m in MODES}
    for q in queries:
        for mode in MODES:
            hits = index.search(q["query"], k=k, mode=mode)
            s = score_query(hits, q["relevant"], k)
            per[mode]["all"].append(s)
            per[mode][q.get("kind", "other")].append(s)
            if show_misses and mode == "hybrid" and s[1] < 1:
                print(f"  miss {q['id']} ({q['query']}): recall {s[1]:.2f}; top: "
                      + "; ".join(f"{h.filename[:3]} {h.section}" for h in hits[:3]))
    return {m: {kind: (sum(x[0] for x in v) / len(v), sum(x[1] for x in v) / len(v))
                for kind, v in groups.items()} for m, groups in per.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--show-misses", action="store_true")
    ap.add_argument("--lexical-engine", choices=("tantivy", "fts5", "both"), default="tantivy",
                    help="the BM25 engine (both: the same index searched through each)")
    args = ap.parse_args()
    engines = ["tantivy", "fts5"] if args.lexical_engine == "both" else [args.lexical_engine]
    queries = load_queries()
    settings = get_settings()
    t0 = time.perf_counter()
    analyzer, embedder = build_analyzer(), build_embedder(settings)
    with tempfile.TemporaryDirectory() as tmp:
        with SearchIndex(Path(tmp), analyzer, embedder, lexical_engine=engines[0]) as index:
            for doc in parse_corpus(ROOT / "corpus"):
                index.add(doc)
            print(f"indexed {index.passage_count()} passages in {time.perf_counter() - t0:.1f} s "
                  f"with {embedder.name}; {len(queries)} queries")
        for engine in engines:
            with SearchIndex(Path(tmp), analyzer, embedder, lexical_engine=engine) as index:
                print(f"\nlexical engine: {engine}")
                report(evaluate(index, queries, args.k, args.show_misses), args.k)


def report(results: dict[str, dict[str, tuple[float, float]]], k: int) -> None:
    kinds = sorted(results["hybrid"], key=lambda s: (s != "all", s))
    print(f"{'mode':<8} " + " ".join(f"{kind + ' nDCG':>18} {'R@' + str(k):>6}" for kind in kinds))
    for mode in MODES:
        print(f"{mode:<8} " + " ".join(f"{results[mode][kind][0]:>18.3f} {results[mode][kind][1]:>6.3f}"
                                       for kind in kinds))
    best_single = max(results["lexical"]["all"][0], results["dense"]["all"][0])
    verdict = "beats" if results["hybrid"]["all"][0] > best_single else "does NOT beat"
    print(f"hybrid nDCG@{k} {results['hybrid']['all'][0]:.3f} {verdict} the best single "
          f"mode ({best_single:.3f})")


if __name__ == "__main__":
    main()
