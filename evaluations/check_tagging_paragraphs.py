"""Validate the English paragraph set (evaluations/data/tagging_paragraphs_en.jsonl).

Checks each record's fields, unique ids, goal ids against corpus/taxonomies/agenda2030.yaml,
that ``primary`` is the first label, the word range, ten paragraphs per primary goal and the
tune/test split (fixed before anything was run: within each primary goal the 1st, 3rd, 5th ...
paragraph is tune, the rest test), and that no paragraph shares a run of seven words with the
tagger's training examples (``corpus/training/agenda2030_examples.jsonl``) or the held-out
sentence set (``evaluations/data/tagging_sentences.jsonl``). It also counts, for information,
paragraphs that share a seven-word run with a UN target text: they are written from the target
texts, and a closing recommendation that echoes one is what policy briefs do, but it makes the
paragraph easier for a tagger that compares texts with the target wording. Run from the
repository root:

    python evaluations/check_tagging_paragraphs.py [path]
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.taxonomy import load_framework  # noqa: E402

DEFAULT_PATH = ROOT / "evaluations" / "data" / "tagging_paragraphs_en.jsonl"
TAXONOMY = ROOT / "corpus" / "taxonomies" / "agenda2030.yaml"
#: Texts no paragraph may share a RUN-word run with: what the tagger trains on and the other test set.
KEPT_APART = (ROOT / "corpus" / "training" / "agenda2030_examples.jsonl",
              ROOT / "evaluations" / "data" / "tagging_sentences.jsonl")
FIELDS = {"id", "text", "labels", "primary", "split"}
MIN_WORDS, MAX_WORDS = 60, 140
PER_GOAL = 10
RUN = 7


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def runs(text: str, n: int = RUN) -> set[tuple[str, ...]]:
    """Every run of ``n`` consecutive words of ``text`` (lower case, punctuation dropped)."""
    w = words(text)
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def record_errors(rec: dict, goals: set[str]) -> list[str]:
    """Problems with one record's fields and labels (empty when it is valid)."""
    missing, extra = FIELDS - rec.keys(), rec.keys() - FIELDS
    errors = [f"missing fields {sorted(missing)}"] if missing else []
    if extra:
        errors.append(f"unknown fields {sorted(extra)}")
    if missing:
        return errors
    n = len(str(rec["text"]).split())
    if not MIN_WORDS <= n <= MAX_WORDS:
        errors.append(f"text has {n} words (not {MIN_WORDS}-{MAX_WORDS})")
    labels = rec["labels"]
    if not isinstance(labels, list) or not labels or len(set(labels)) != len(labels):
        errors.append("labels must be a non-empty list without duplicates")
        return errors
    errors += [f"unknown goal {g!r}" for g in labels if g not in goals]
    if rec["primary"] != labels[0]:
        errors.append(f"primary {rec['primary']!r} is not the first label")
    if rec["split"] not in ("tune", "test"):
        errors.append(f"split {rec['split']!r} is neither tune nor test")
    return errors


def check(path: Path = DEFAULT_PATH) -> int:
    """Validate the file at ``path``, print counts and return the exit code (0 or 1)."""
    goals = {g.id for g in load_framework(TAXONOMY).goals}
    fw = load_framework(TAXONOMY)
    records = load_jsonl(path)
    failures: list[str] = []
    ids = Counter(r.get("id") for r in records)
    failures += [f"duplicate id {i!r}" for i, c in ids.items() if c > 1]
    for r in records:
        failures += [f"{r.get('id')}: {e}" for e in record_errors(r, goals)]
    if failures:
        for f in failures:
            print("FAIL", f, file=sys.stderr)
        return 1
    seen: Counter = Counter()
    for r in records:
        seen[r["primary"]] += 1
        want = "tune" if seen[r["primary"]] % 2 == 1 else "test"
        if r["split"] != want:
            failures.append(f"{r['id']}: split {r['split']} (the alternation says {want})")
    failures += [f"goal {g}: {seen[g]} paragraphs as primary (not {PER_GOAL})" for g in sorted(goals, key=int)
                 if seen[g] != PER_GOAL]
    apart: set[tuple[str, ...]] = set()
    for source in KEPT_APART:
        for rec in load_jsonl(source):
            apart |= runs(rec["text"])
    for r in records:
        shared = runs(r["text"]) & apart
        if shared:
            failures.append(f"{r['id']}: shares {' '.join(sorted(shared)[0])!r} with training or held-out text")
    official = set()
    for t in [*fw.goals, *fw.targets]:
        for text in (t.text_en, t.text_sv):
            official |= runs(text or "")
    echo = sum(bool(runs(r["text"]) & official) for r in records)
    labels = Counter(g for r in records for g in r["labels"])
    print(f"{len(records)} paragraphs; tune {sum(r['split'] == 'tune' for r in records)}, "
          f"test {sum(r['split'] == 'test' for r in records)}; with two or more goals "
          f"{sum(len(r['labels']) > 1 for r in records)}; sharing a {RUN}-word run with a target text {echo}")
    print("positives per goal: " + " ".join(f"{g}:{labels[g]}" for g in sorted(goals, key=int)))
    for f in failures:
        print("FAIL", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(check(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH))
