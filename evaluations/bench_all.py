"""Every benchmark in one run, printed as one table (Markdown).

    python evaluations/bench_all.py                        # 10k and 100k, all benchmarks
    python evaluations/bench_all.py --sizes 10k,100k,1M    # the 1M corpus too (first run: ~15 min to build)
    python evaluations/bench_all.py --quick                # small: 10k, a short PDF, one document
    python evaluations/bench_all.py --only query,server
    python evaluations/bench_all.py --bm25s-path /tmp/bm25s_pkg  # compare FTS5 with bm25s too

Run it under ``nice`` on a shared machine. The load average is printed before
and after: the timings are only comparable between runs at a similar load.
Cached data (sentence vectors, synthetic corpora, FAISS files) lives in
``evaluations/out/`` (git ignores it); delete it to rebuild from scratch.
"""

from __future__ import annotations

import argparse
import sys
import time

import bench_embed
import bench_ingest
import bench_lexical
import bench_query
import bench_server
from bench_common import Row, machine, parse_size, print_rows

BENCHES = ("ingest", "embed", "query", "lexical", "server")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k,100k", help="synthetic corpus sizes for query latency")
    ap.add_argument("--kinds", default="flat,hnsw,ivf", help="FAISS kinds to compare")
    ap.add_argument("--only", default=",".join(BENCHES), help="comma-separated subset of " + ", ".join(BENCHES))
    ap.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    ap.add_argument("--int8", action="store_true", help="also measure int8 embedding and its retrieval quality")
    ap.add_argument("--bm25s-path", default="", help="where bm25s is installed, to compare it with FTS5")
    args = ap.parse_args()
    only = set(args.only.split(","))
    sizes = [parse_size(s) for s in ("10k" if args.quick else args.sizes).split(",")]
    before = machine()
    print(before, flush=True)
    t0 = time.perf_counter()
    rows: list[Row] = []
    if "ingest" in only:
        rows += bench_ingest.main_rows(pages=10 if args.quick else 40, runs=1 if args.quick else 2)
        print_rows(rows[-2:])
    if "embed" in only:
        rows += bench_embed.main_rows(["003"] if args.quick else ["003", "001"], int8=args.int8)
        print_rows([r for r in rows if r.bench == "embed"])
    if "query" in only:
        rows += bench_query.main_rows(sizes, args.kinds.split(","), 20 if args.quick else 40)
    if "lexical" in only:
        if args.bm25s_path:
            sys.path.insert(0, args.bm25s_path)
        rows += bench_lexical.main_rows(sizes, 20 if args.quick else 40)
    if "server" in only:
        rows += bench_server.main_rows([] if args.quick else [n for n in sizes if n <= 100_000][-1:])
    for bench in BENCHES:
        part = [r for r in rows if r.bench == bench or (bench == "query" and r.bench == "faiss")]
        if part:
            print_rows(part, bench)
    print(f"\nbefore: {before}\nafter:  {machine()}\ntotal {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
