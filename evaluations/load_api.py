"""A bounded load run against the web service on loopback: N searches, C at a time.

Starts ``underlag serve`` in a subprocess over a private data folder (the
sample corpus, ingested at its start), then sends ``--requests`` searches from
``--concurrency`` clients with httpx: the 64 queries of
``data/retrieval_queries.jsonl`` in turn, every third one with a year filter,
in all three modes. Reports latency percentiles, throughput and errors (any
non-200 answer or transport failure), prints a Markdown row and writes the
result to ``evaluations/out/load_api.json``.

    python evaluations/load_api.py                         # real model, 500 searches, 8 at a time
    python evaluations/load_api.py --embedder hashing      # the instant test embedder
    python evaluations/load_api.py --requests 2000 --concurrency 16
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.subprocess_server import free_port, start_server, stop, wait_until_up  # noqa: E402

QUERIES = ROOT / "evaluations" / "data" / "retrieval_queries.jsonl"
OUT = ROOT / "evaluations" / "out"
MODES = ("hybrid", "lexical", "dense")


def requests_plan(n: int) -> list[dict]:
    """The search parameters of each request, deterministic."""
    queries = [json.loads(line)["query"] for line in QUERIES.read_text(encoding="utf-8").splitlines() if line]
    plan = []
    for i in range(n):
        params = {"q": queries[i % len(queries)], "k": 10, "mode": MODES[i % len(MODES)]}
        if i % 3 == 0:
            params["year"] = (2021, 2022, 2023)[i % 9 // 3]
        plan.append(params)
    return plan


async def run_load(base: str, plan: list[dict], concurrency: int) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    queue: asyncio.Queue = asyncio.Queue()
    for params in plan:
        queue.put_nowait(params)

    async def client(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            params = queue.get_nowait()
            t0 = time.perf_counter()
            try:
                r = await http.get(f"{base}/api/search", params=params)
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {r.text[:120]} for {params}")
            except httpx.HTTPError as e:
                errors.append(f"{type(e).__name__} for {params}")
            latencies.append(time.perf_counter() - t0)

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        t0 = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
    return latencies, errors, elapsed


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--embedder", choices=("e5", "hashing"), default="e5")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="underlag-load-") as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        t0 = time.perf_counter()
        proc = start_server(Path(tmp) / "data", port, UNDERLAG_API_EMBEDDER=args.embedder)
        # keep reading the server's log so its pipe never fills up
        threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()
        try:
            wait_until_up(base, proc, timeout=600)
            startup = time.perf_counter() - t0
            health = httpx.get(f"{base}/api/health").json()
            # one warm-up request per mode, not counted
            for mode in MODES:
                httpx.get(f"{base}/api/search", params={"q": "uppvärmning", "mode": mode}, timeout=60)
            plan = requests_plan(args.requests)
            load_before = os.getloadavg()[0]  # other work on the machine shows in the latencies
            latencies, errors, elapsed = asyncio.run(run_load(base, plan, args.concurrency))
        finally:
            stop(proc)

    result = {
        "requests": args.requests, "concurrency": args.concurrency, "embedder": health["embedder"],
        "documents": health["documents"], "passages": health["passages"], "cpus": os.cpu_count(),
        "load_average_before": load_before, "load_average_after": os.getloadavg()[0],
        "startup_s": round(startup, 1), "elapsed_s": round(elapsed, 1),
        "throughput_rps": round(args.requests / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1),
        "p95_ms": round(1000 * percentile(latencies, 95), 1),
        "p99_ms": round(1000 * percentile(latencies, 99), 1),
        "max_ms": round(1000 * max(latencies), 1),
        "errors": len(errors), "error_examples": errors[:5],
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "load_api.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print("\n| embedder | requests | concurrent | p50 ms | p95 ms | p99 ms | max ms | req/s | errors |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {result['embedder']} | {args.requests} | {args.concurrency} | {result['p50_ms']} | {result['p95_ms']} "
          f"| {result['p99_ms']} | {result['max_ms']} | {result['throughput_rps']} | {result['errors']} |")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
