"""Text-repair quality on PDF-extracted text: character error rate against hand corrections.

Every passage of ``evaluations/data/ingest_reference.jsonl`` is a few raw
lines of ``corpus/002`` (broken Swedish letters, stray spaces) with its exact
correct Swedish written by hand. Each raw line is repaired with
``ingest.repair.repair_line``; the lines are joined with spaces and runs of
whitespace collapsed, the same way for the repaired text, the raw text and the
reference. The script prints the worst passages, the overall character error
rate (Levenshtein distance / reference length) before and after repair, and
how long repairing the whole of corpus/002 takes.

    python evaluations/ingest_quality.py [--worst 8] [--max-cer 0.002]

Record format (one JSON object per line): ``id``, ``source``, ``line`` (first
raw line, 1-based), ``raw`` (the raw lines), ``reference``, ``note``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.repair import Lexicon, default_lexicon, repair_line  # noqa: E402

REFERENCE = ROOT / "evaluations" / "data" / "ingest_reference.jsonl"
BROKEN = ROOT / "corpus" / "002_aee3b258286ac5e7.txt"


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insert, delete, substitute) by Hyyrö's bit-parallel algorithm."""
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    peq: dict[str, int] = {}
    for i, c in enumerate(b):
        peq[c] = peq.get(c, 0) | (1 << i)
    mask, high = (1 << m) - 1, 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for c in a:
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | ~(xh | pv)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = (ph << 1) | 1
        mh <<= 1
        pv = (mh | ~(xv | ph)) & mask
        mv = ph & xv & mask
    return score


def load(path: Path = REFERENCE) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def repaired(raw_lines: list[str], lexicon: Lexicon) -> str:
    return norm(" ".join(repair_line(line, lexicon) for line in raw_lines))


def _first_difference(hyp: str, ref: str, width: int = 30) -> str:
    i = next((k for k, (x, y) in enumerate(zip(hyp, ref)) if x != y), min(len(hyp), len(ref)))
    lo = max(0, i - width)
    return f"    got:  …{hyp[lo:i + width]}…\n    want: …{ref[lo:i + width]}…"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worst", type=int, default=8, help="passages with errors to show")
    ap.add_argument("--max-cer", type=float, default=None,
                    help="exit 1 when the repaired CER is above this (e.g. 0.002)")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    lexicon = default_lexicon()
    load_s = time.perf_counter() - t0

    records = load()
    rows = []
    for r in records:
        ref = norm(r["reference"])
        hyp = repaired(r["raw"], lexicon)
        before = levenshtein(norm(" ".join(r["raw"])), ref)
        rows.append((r, hyp, ref, levenshtein(hyp, ref), before))

    ref_chars = sum(len(ref) for _, _, ref, _, _ in rows)
    after = sum(d for *_, d, _ in rows)
    before = sum(b for *_, b in rows)

    bad = sorted((row for row in rows if row[3]), key=lambda row: row[3] / len(row[2]), reverse=True)
    for r, hyp, ref, dist, _ in bad[:args.worst]:
        print(f"{r['id']:>9}  CER {dist / len(ref):.2%}  ({dist} edits)  {r.get('note', '')}")
        print(_first_difference(hyp, ref))

    t1 = time.perf_counter()
    lines = BROKEN.read_text(encoding="utf-8").splitlines()
    for line in lines:
        repair_line(line, lexicon)
    repair_s = time.perf_counter() - t1

    print(f"\n{len(rows)} passages, {ref_chars} reference characters, "
          f"{len(bad)} passages with errors")
    print(f"CER unrepaired: {before / ref_chars:.3%}  ({before} edits)")
    print(f"CER repaired:   {after / ref_chars:.3%}  ({after} edits)")
    print(f"lexicon load {load_s:.1f} s; repairing all of {BROKEN.name} "
          f"({len(lines)} lines) {repair_s:.2f} s")
    if args.max_cer is not None and after / ref_chars > args.max_cer:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
