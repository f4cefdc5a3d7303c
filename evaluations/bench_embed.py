"""Embedding throughput: the whole ingest path against the model's raw ``encode``.

On the same passages in the same run:

* **raw encode**: the sentence-transformers model's ``encode`` on exactly the
  texts the index embeds (heading + passage, ``passage: `` prompt, batch 32);
* **whole path**: ``SearchIndex.add`` for each parsed document: passage cutting
  with spaCy's sentence splitter, Swedish analysis for BM25, the embedding, the
  SQLite transaction and the FAISS file. Parsing the file is not included
  (``bench_ingest.py`` measures it). Time spent in each part is reported.

With ``--int8`` the same is done with PyTorch dynamic int8 quantisation, and the
retrieval evaluation (``evaluations/retrieval.py``) is run with both models to
measure what the speed costs in nDCG@10.

With ``--lean`` the run-time path (ONNX Runtime + tokenizers, float32 and int8) is
timed against sentence-transformers' ``encode`` on the same passages in the same
run, with each loader's time, the agreement of its vectors with PyTorch's, and
(``--quality``) the retrieval evaluation's nDCG@10 for each.

    python evaluations/bench_embed.py [--docs 003,001] [--int8] [--lean [--quality]]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench_common import ROOT, Row, machine, print_rows, timed

from index.passages import indexed_text
from index.passages import passages as cut_passages
from index.search import SearchIndex
from nlp.analyzer import Analyzer
from nlp.embed import Embedder
from underlag.model import Document


class Timed:
    """A proxy that adds the time spent in the named methods of ``inner`` to ``spent``."""

    def __init__(self, inner: object, spent: dict[str, float], methods: tuple[str, ...]):
        self._inner, self._spent, self._methods = inner, spent, methods

    def __getattr__(self, name: str):
        attr = getattr(self._inner, name)
        if name not in self._methods:
            return attr

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return attr(*args, **kwargs)
            finally:
                self._spent[name] += time.perf_counter() - t
        return timed


def load_docs(prefixes: list[str]) -> list[Document]:
    from api.components import parse_corpus

    docs = list(parse_corpus(ROOT / "corpus"))
    return [d for d in docs if not prefixes or d.filename.split("_")[0] in prefixes]


def raw_encode_seconds(embedder: Embedder, texts: list[str]) -> float:
    model = embedder.model  # type: ignore[attr-defined]
    t = time.perf_counter()
    model.encode(texts, prompt=embedder.passage_prefix, batch_size=embedder.batch_size,  # type: ignore[attr-defined]
                 normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    return time.perf_counter() - t


def whole_path(docs: list[Document], analyzer: Analyzer, embedder: Embedder) -> tuple[float, dict[str, float]]:
    spent: dict[str, float] = defaultdict(float)
    with tempfile.TemporaryDirectory() as tmp:
        index = SearchIndex(Path(tmp), Timed(analyzer, spent, ("sentences", "terms")),  # type: ignore[arg-type]
                            Timed(embedder, spent, ("encode_passages",)))  # type: ignore[arg-type]
        t = time.perf_counter()
        for doc in docs:
            index.add(doc)
        total = time.perf_counter() - t
        index.close()
    return total, spent


def measure(docs: list[Document], analyzer: Analyzer, embedder: Embedder, label: str) -> list[Row]:
    texts = [indexed_text(p) for d in docs for p in cut_passages(d, sentences=analyzer.sentences)]
    raw_encode_seconds(embedder, texts[:32])  # warm-up
    whole, spent = whole_path(docs, analyzer, embedder)
    raw = raw_encode_seconds(embedder, texts)  # after the whole path, so neither gets a cold start
    n = len(texts)
    other = whole - spent["encode_passages"] - spent["sentences"] - spent["terms"]
    return [
        Row("embed", f"{label} raw encode", {"passages/s": f"{n / raw:.1f}", "seconds": f"{raw:.1f}"},
            f"{n} passages, batch 32"),
        Row("embed", f"{label} whole path", {
            "passages/s": f"{n / whole:.1f}", "seconds": f"{whole:.1f}", "ratio to raw": f"{whole / raw:.2f}",
            "encode s": f"{spent['encode_passages']:.1f}", "sentences s": f"{spent['sentences']:.1f}",
            "terms s": f"{spent['terms']:.1f}", "store+faiss s": f"{other:.1f}",
        }, "SearchIndex.add per document"),
    ]


def retrieval_quality(embedder: Embedder, analyzer: Analyzer) -> dict[str, float]:
    """nDCG@10 per mode of ``evaluations/retrieval.py`` with this embedder."""
    import retrieval
    from api.components import parse_corpus

    with tempfile.TemporaryDirectory() as tmp, SearchIndex(Path(tmp), analyzer, embedder) as index:
        for doc in parse_corpus(ROOT / "corpus"):
            index.add(doc)
        results = retrieval.evaluate(index, retrieval.load_queries())
    return {mode: results[mode]["all"][0] for mode in ("dense", "hybrid")}


def main_rows(prefixes: list[str], int8: bool = False) -> list[Row]:
    from nlp.embed import load_e5_embedder
    from api.components import build_analyzer
    from underlag.settings import get_settings

    analyzer = build_analyzer()
    docs = load_docs(prefixes)
    fp32 = load_e5_embedder(get_settings().model_dir)
    rows = measure(docs, analyzer, fp32, "fp32")
    if int8:
        q8 = load_e5_embedder(get_settings().model_dir, quantize=True)
        rows += measure(docs, analyzer, q8, "int8")
        for label, emb in (("fp32", fp32), ("int8", q8)):
            quality = retrieval_quality(emb, analyzer)
            rows.append(Row("embed", f"{label} retrieval quality", {
                "dense nDCG@10": f"{quality['dense']:.3f}", "hybrid nDCG@10": f"{quality['hybrid']:.3f}"},
                "evaluations/retrieval.py queries"))
    return rows


def lean_rows(prefixes: list[str], quality: bool) -> list[Row]:
    """The ONNX embedders against sentence-transformers' encode, same passages, same run."""
    from api.components import build_analyzer
    from nlp.embed import load_e5_embedder, load_onnx_embedder
    from underlag.settings import get_settings

    analyzer = build_analyzer()
    texts = [indexed_text(p) for d in load_docs(prefixes)
             for p in cut_passages(d, sentences=analyzer.sentences)]
    model_dir = get_settings().model_dir
    loaders = {"sentence-transformers fp32": lambda: load_e5_embedder(model_dir),
               # remember=0: every timed run embeds, none answers from the embedder's memory
               "ONNX fp32 (fused)": lambda: load_onnx_embedder(model_dir, remember=0),
               "ONNX int8 (dynamic, per channel)": lambda: load_onnx_embedder(model_dir, int8=True, remember=0)}
    rows, ref, ref_seconds = [], None, None
    for label, load in loaders.items():
        load_s, emb = timed(load)
        emb.encode_passages(texts[:32])  # warm-up
        seconds, vectors = timed(lambda emb=emb: emb.encode_passages(texts))
        if ref is None:
            ref, ref_seconds = vectors, seconds
        cos = (ref * vectors).sum(axis=1)
        values = {"passages/s": f"{len(texts) / seconds:.1f}", "x encode": f"{ref_seconds / seconds:.2f}",
                  "load s": f"{load_s:.2f}", "cosine min/mean": f"{cos.min():.4f}/{cos.mean():.4f}"}
        if quality:
            q = retrieval_quality(emb, analyzer)
            values["hybrid nDCG@10"] = f"{q['hybrid']:.3f}"
            values["dense nDCG@10"] = f"{q['dense']:.3f}"
        rows.append(Row("embed", label, values, f"{len(texts)} passages, batch 32"))
        del emb
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", default="003,001", help="corpus file prefixes; empty for all four")
    ap.add_argument("--int8", action="store_true", help="also measure dynamic int8 and its quality loss")
    ap.add_argument("--lean", action="store_true", help="only the ONNX path against sentence-transformers")
    ap.add_argument("--quality", action="store_true", help="with --lean: nDCG@10 of each embedder")
    args = ap.parse_args()
    print(machine())
    if args.lean:
        print_rows(lean_rows([p for p in args.docs.split(",") if p], args.quality), "Embedding: lean path")
        print(machine())
        return
    print_rows(main_rows([p for p in args.docs.split(",") if p], args.int8), "Embedding")
    print(machine())


if __name__ == "__main__":
    main()
