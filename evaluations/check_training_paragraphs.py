"""Validate the English training paragraphs in corpus/training/agenda2030_examples.jsonl
(the rows with ``"kind": "paragraph"``; corpus/training/README.md, fifth batch).

Checks each paragraph's length (60-130 words), that its goals and targets exist and every
target belongs to one of its goals, and that no paragraph shares a run of seven words with the
evaluation texts it must stay apart from (the English paragraph set
``evaluations/data/tagging_paragraphs_en.jsonl`` and the held-out sentences
``evaluations/data/tagging_sentences.jsonl``), with the other training examples, or with a
goal, target or UN indicator text. Run from the repository root:

    python evaluations/check_training_paragraphs.py
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluations.check_tagging_paragraphs import load_jsonl, runs  # noqa: E402
from nlp.taxonomy import load_framework  # noqa: E402
from underlag import yamlfile  # noqa: E402

EXAMPLES = ROOT / "corpus" / "training" / "agenda2030_examples.jsonl"
TAXONOMY = ROOT / "corpus" / "taxonomies" / "agenda2030.yaml"
INDICATORS = ROOT / "corpus" / "taxonomies" / "un" / "agenda2030_indicators_en.yml"
HELD_OUT = (ROOT / "evaluations" / "data" / "tagging_paragraphs_en.jsonl",
            ROOT / "evaluations" / "data" / "tagging_sentences.jsonl")
MIN_WORDS, MAX_WORDS = 60, 130


def check(path: Path = EXAMPLES) -> int:
    fw = load_framework(TAXONOMY)
    goals = {g.id for g in fw.goals}
    parent = {t.id: t.parent for t in fw.targets}
    rows = load_jsonl(path)
    paras = [r for r in rows if r.get("kind") == "paragraph"]
    failures = []
    for r in paras:
        n = len(r["text"].split())
        if not MIN_WORDS <= n <= MAX_WORDS:
            failures.append(f"{r['id']}: {n} words")
        gs, ts = r.get("goals", []), r.get("targets", [])
        failures += [f"{r['id']}: unknown goal {g}" for g in gs if g not in goals]
        failures += [f"{r['id']}: target {t} not under its goals" for t in ts if parent.get(t) not in gs]
    for name, texts in [("held-out", [x["text"] for p in HELD_OUT for x in load_jsonl(p)]),
                        ("another training example", [x["text"] for x in rows if x.get("kind") != "paragraph"]),
                        ("an official text", [t for x in [*fw.goals, *fw.targets] for t in (x.text_en, x.text_sv) if t]
                         + [str(v) for v in (yamlfile.safe_load(INDICATORS.read_text(encoding="utf-8")) or {}).values()])]:
        apart = set().union(*(runs(t) for t in texts))
        for r in paras:
            shared = runs(r["text"]) & apart
            if shared:
                failures.append(f"{r['id']}: shares {' '.join(sorted(shared)[0])!r} with {name}")
    first = Counter(r["goals"][0] for r in paras)
    print(f"{len(paras)} paragraphs, {sum(len(r['goals']) > 1 for r in paras)} with two goals; "
          f"first goal: " + " ".join(f"{g}:{first[g]}" for g in sorted(goals, key=int)))
    for f in failures:
        print("FAIL", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(check(Path(sys.argv[1]) if len(sys.argv) > 1 else EXAMPLES))
