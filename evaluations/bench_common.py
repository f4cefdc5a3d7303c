"""Shared helpers of the benchmarks: timing, percentiles, machine load, result tables.

Every benchmark returns a list of :class:`Row` so ``bench_all.py`` can print
them as one table; run on its own, each prints its own rows.
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: Cached benchmark data (sentence vectors, synthetic corpora); git ignores it.
OUT = ROOT / "evaluations" / "out"


@dataclass
class Row:
    """One measured number (or a few) with what it measures."""

    bench: str
    case: str
    values: dict[str, str] = field(default_factory=dict)
    note: str = ""


def machine() -> str:
    """A one-line description of the machine and its load right now."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{platform.machine()}, {os.cpu_count()} CPUs, load average {load} (1/5/15 min)"


def percentile(samples: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``samples``."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """(seconds, result) of one call."""
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def latencies_ms(fn: Callable[[str], object], queries: list[str], rounds: int = 2) -> list[float]:
    """Milliseconds per call of ``fn(query)``, after one warm-up pass over the queries."""
    return paired_latencies_ms({"": fn}, queries, rounds)[""]


def paired_latencies_ms(fns: dict[str, Callable[[str], object]], queries: list[str],
                        rounds: int = 2) -> dict[str, list[float]]:
    """Milliseconds per call of each ``fn(query)``, the functions interleaved query by query
    (after one warm-up pass), so a shared machine's load falls on all of them alike: compare
    their ratios, not one run's absolute numbers with another's."""
    for q in queries:
        for fn in fns.values():
            fn(q)
    out: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for q in queries:
            for name, fn in fns.items():
                t = time.perf_counter()
                fn(q)
                out[name].append((time.perf_counter() - t) * 1000)
    return out


def p50_p95(samples_ms: list[float]) -> dict[str, str]:
    return {"p50 ms": f"{percentile(samples_ms, 50):.1f}", "p95 ms": f"{percentile(samples_ms, 95):.1f}"}


def peak_rss_mb() -> float:
    """This process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_rows(rows: list[Row], title: str = "") -> None:
    """Rows as a Markdown table (one column per value name, in order of first use)."""
    if title:
        print(f"\n## {title}\n")
    columns: list[str] = []
    for r in rows:
        columns += [c for c in r.values if c not in columns]
    head = ["bench", "case", *columns, "note"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        cells = [r.bench, r.case, *(r.values.get(c, "") for c in columns), r.note]
        print("| " + " | ".join(cells) + " |")
    sys.stdout.flush()


def parse_size(text: str) -> int:
    """``10k`` -> 10 000, ``1M`` -> 1 000 000, ``2500`` -> 2 500."""
    text = text.strip()
    scale = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)
