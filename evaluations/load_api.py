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
    python evaluations/load_api.py --mixed --seconds 40    # searches idle, then beside heavy requests

``--mixed`` runs, in the same server, ``--seconds`` of searches at ``--concurrency``
alone (idle), then the same beside a heavy client that loops over an upload of
a new report, a 200 000-character tag request and a coverage check of a whole
report. It reports search p50/p95 in both phases and their ratio (the aim: p95
under load within 3x of idle), every non-2xx answer of either client, the
server's peak resident memory (VmHWM), and whether every acknowledged upload is
found by a search afterwards. It writes ``evaluations/out/load_api_mixed.json``.
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
CORPUS = ROOT / "corpus"
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


async def timed_searches(http: httpx.AsyncClient, base: str, plan: list[dict], concurrency: int,
                         until: float) -> tuple[list[float], list[str]]:
    """Searches from ``concurrency`` clients, taking the plan in turn, until ``until``."""
    latencies: list[float] = []
    errors: list[str] = []
    counter = iter(range(10 ** 9))

    async def client() -> None:
        while time.perf_counter() < until:
            params = plan[next(counter) % len(plan)]
            t0 = time.perf_counter()
            try:
                r = await http.get(f"{base}/api/search", params=params)
                if r.status_code != 200:
                    errors.append(f"search {r.status_code} {r.text[:120]}")
            except httpx.HTTPError as e:
                errors.append(f"search {type(e).__name__}")
            latencies.append(time.perf_counter() - t0)

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return latencies, errors


def new_report(i: int) -> tuple[str, str]:
    """A report of its own (a different hash each time) and the made-up word only it holds."""
    word = f"lastprovord{i}q"
    body = (CORPUS / "003_b61ed9f9079cac58.txt").read_text(encoding="utf-8")
    return f"Lastprov {i} 2026\n\n1. Unikt avsnitt\n\nDen här rapporten nämner {word} i länet.\n\n" + body, word


async def heavy_client(http: httpx.AsyncClient, base: str, until: float, template: str) -> dict:
    """Upload, tag 200k characters and check coverage, in turn, until ``until``."""
    long_text = (CORPUS / "001_a40ca19e294990ef.txt").read_text(encoding="utf-8")
    long_text = (long_text * (200_000 // len(long_text) + 1))[:200_000]
    draft = (CORPUS / "002_aee3b258286ac5e7.txt").read_bytes()
    done: dict = {"uploads": [], "tags": 0, "coverage": 0, "busy": 0, "errors": [], "seconds": {}}
    i = 0
    while time.perf_counter() < until:
        text, word = new_report(i)
        steps = [("upload", "POST", "/api/documents", {"files": {"file": (f"lastprov-{i}.txt", text.encode())}}),
                 ("tag", "POST", "/api/tag", {"json": {"text": long_text}}),
                 ("coverage", "POST", "/api/coverage", {"files": {"file": ("utkast.txt", draft)},
                                                        "data": {"template": template}})]
        for name, method, path, kwargs in steps:
            if time.perf_counter() >= until:
                break
            t0 = time.perf_counter()
            try:
                r = await http.request(method, f"{base}{path}", **kwargs)
            except httpx.HTTPError as e:
                done["errors"].append(f"{name} {type(e).__name__}")
                continue
            done["seconds"].setdefault(name, []).append(round(time.perf_counter() - t0, 1))
            if r.status_code == 503:
                done["busy"] += 1
            elif r.status_code >= 300:
                done["errors"].append(f"{name} {r.status_code} {r.text[:120]}")
            elif name == "upload":
                done["uploads"].append((r.json()["document"]["id"], word))
            else:
                done["tags" if name == "tag" else "coverage"] += 1
        i += 1
    return done


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


async def run_mixed(base: str, plan: list[dict], concurrency: int, seconds: float) -> dict:
    limits = httpx.Limits(max_connections=concurrency + 2, max_keepalive_connections=concurrency + 2)
    async with httpx.AsyncClient(timeout=300, limits=limits) as http:
        template = (await http.get(f"{base}/api/templates")).json()[0]["id"]
        idle, idle_errors = await timed_searches(http, base, plan, concurrency, time.perf_counter() + seconds)
        until = time.perf_counter() + seconds
        (loaded, load_errors), heavy = await asyncio.gather(
            timed_searches(http, base, plan, concurrency, until), heavy_client(http, base, until, template))
        missing = []
        for doc_id, word in heavy["uploads"]:
            r = await http.get(f"{base}/api/search", params={"q": word, "mode": "lexical", "k": 5})
            if doc_id not in {h["document_id"] for h in r.json().get("hits", [])}:
                missing.append(doc_id)
    return {"idle": idle, "loaded": loaded, "errors": idle_errors + load_errors + heavy["errors"],
            "heavy": heavy, "missing": missing}


def mixed_main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="underlag-load-") as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_server(Path(tmp) / "data", port, UNDERLAG_API_EMBEDDER=args.embedder)
        threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()
        try:
            wait_until_up(base, proc, timeout=900)
            while httpx.get(f"{base}/api/health").json()["tagging_pending"]:
                time.sleep(1)  # the sample corpus's background tagging is not the load measured
            health = httpx.get(f"{base}/api/health").json()
            for mode in MODES:
                httpx.get(f"{base}/api/search", params={"q": "uppvärmning", "mode": mode}, timeout=60)
            load_before = os.getloadavg()[0]
            got = asyncio.run(run_mixed(base, requests_plan(500), args.concurrency, args.seconds))
            peak = peak_rss_mb(proc.pid)
        finally:
            stop(proc)

    def stats(values: list[float]) -> dict:
        return {"searches": len(values), "p50_ms": round(1000 * statistics.median(values), 1),
                "p95_ms": round(1000 * percentile(values, 95), 1), "max_ms": round(1000 * max(values), 1)}

    idle, loaded = stats(got["idle"]), stats(got["loaded"])
    heavy = got["heavy"]
    server_errors = [e for e in got["errors"] if " 5" in e]
    result = {
        "embedder": health["embedder"], "cpus": os.cpu_count(), "concurrency": args.concurrency,
        "seconds_per_phase": args.seconds, "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0], "idle": idle, "under_load": loaded,
        "p50_ratio": round(loaded["p50_ms"] / idle["p50_ms"], 2),
        "p95_ratio": round(loaded["p95_ms"] / idle["p95_ms"], 2),
        "heavy_done": {"uploads": len(heavy["uploads"]), "tags_200k": heavy["tags"], "coverage": heavy["coverage"],
                       "busy_503": heavy["busy"], "seconds": heavy["seconds"]},
        "errors": len(got["errors"]), "server_errors_5xx": len(server_errors), "error_examples": got["errors"][:5],
        "peak_rss_mb": peak, "uploads_not_found_after": got["missing"],
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "load_api_mixed.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print("\n| phase | searches | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
    for name, st in (("idle", idle), ("beside uploads, 200k tag, coverage", loaded)):
        print(f"| {name} | {st['searches']} | {st['p50_ms']} | {st['p95_ms']} | {st['max_ms']} |")
    print(f"\np95 ratio {result['p95_ratio']}, 5xx {len(server_errors)}, peak RSS {peak} MB, "
          f"uploads not found {len(got['missing'])} of {len(heavy['uploads'])}")
    sys.exit(1 if server_errors or got["missing"] else 0)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--embedder", choices=("e5", "hashing"), default="e5")
    ap.add_argument("--mixed", action="store_true", help="Searches idle, then beside heavy requests.")
    ap.add_argument("--seconds", type=float, default=40, help="Length of each phase of --mixed.")
    args = ap.parse_args()
    if args.mixed:
        mixed_main(args)
        return

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
