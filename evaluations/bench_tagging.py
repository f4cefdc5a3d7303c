"""Tagging throughput: the CSV batch mode (``underlag tag --csv``) on 1,000 short texts.

The texts are the first 1,000 sentences of 6–60 words of the sample reports (000, 001,
003: 002 is a broken PDF extraction). They are written to a CSV file and tagged through
the command's own CSV path (read, ``Tagger.tag_texts`` over every framework, write), with
the trained tagger loaded from its cache first; load time is reported apart.

    python evaluations/bench_tagging.py [--n 1000]
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

from bench_common import ROOT, Row, machine, print_rows

from api.cli.tagging_local import tag_csv
from api.components import build_embedder, load_tagger
from nlp.analyzer import default_analyzer
from underlag.settings import get_settings

DOCS = ("000_7fb02ce29b4be31a.txt", "001_a40ca19e294990ef.txt", "003_b61ed9f9079cac58.txt")


def short_texts(n: int) -> list[str]:
    """Up to ``n`` sentences of 6–60 words from the sample reports, in document order."""
    analyzer = default_analyzer()
    out: list[str] = []
    for name in DOCS:
        text = (ROOT / "corpus" / name).read_text(encoding="utf-8")
        for s, e in analyzer.sentences(text):
            sentence = " ".join(text[s:e].split())
            if 6 <= len(sentence.split()) <= 60:
                out.append(sentence)
            if len(out) >= n:
                return out
    return out


def run(n: int = 1000) -> list[Row]:
    settings = get_settings()
    texts = short_texts(n)
    t0 = time.perf_counter()
    tagger = load_tagger(settings, build_embedder(settings), default_analyzer())
    load = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        with open(src, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "text"])
            w.writerows([i, t] for i, t in enumerate(texts))
        t0 = time.perf_counter()
        tag_csv(tagger, src, "text", False, None, dst)
        seconds = time.perf_counter() - t0
        with open(dst, encoding="utf-8") as f:
            tagged = sum(1 for r in csv.DictReader(f) if r["agenda2030_goals"])
    return [Row("tagging", f"CSV batch, {len(texts)} short texts",
                {"seconds": f"{seconds:.1f}", "texts/s": f"{len(texts) / seconds:.0f}",
                 "load s": f"{load:.1f}", "with an A2030 goal": str(tagged)},
                note=machine())]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    args = ap.parse_args()
    print_rows(run(args.n), "Tagging throughput")


if __name__ == "__main__":
    main()
