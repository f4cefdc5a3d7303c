"""Validate the held-out goal-tagging test set (evaluations/data/tagging_sentences.jsonl).

Checks each record's fields, that ids are unique, that every goal and target id exists in
corpus/taxonomies/agenda2030.yaml and that every target belongs to one of the record's goals,
then prints positives per goal and language and fails (exit 1) when a minimum from the
data README is not met. Run from the repository root:

    python evaluations/check_tagging_sentences.py [path]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.taxonomy import load_framework  # noqa: E402

DEFAULT_PATH = ROOT / "evaluations" / "data" / "tagging_sentences.jsonl"
TAXONOMY = ROOT / "corpus" / "taxonomies" / "agenda2030.yaml"

FIELDS = {"id", "lang", "text", "source", "goals", "targets", "note"}
LANGS = ("sv", "en")
# Minimums the set was written to (README, tagging_sentences.jsonl): enough texts per
# language and per goal that one goal's recall is not decided by two or three sentences.
MIN_TEXTS = {"sv": 320, "en": 160}
MIN_PER_GOAL = {"sv": 12, "en": 8}
# At least this share of the texts with a goal name a target, so the target level is
# measured on more than a handful of cases.
MIN_TARGET_SHARE = 0.40
# At most this many Swedish texts copied verbatim from the corpus: the rest are written so
# the set is not the training passages seen again.
MAX_CORPUS_TEXTS = 60
MAX_WORDS = 80


def load_taxonomy(path: Path = TAXONOMY) -> tuple[set[str], dict[str, str]]:
    """Goal ids and a target id -> goal id map from the Agenda 2030 taxonomy."""
    fw = load_framework(path)
    return {g.id for g in fw.goals}, {t.id: t.parent for t in fw.targets}


def record_errors(rec: dict, goals: set[str], targets: dict[str, str]) -> list[str]:
    """Problems with one record's fields and labels (empty when it is valid)."""
    errors = []
    missing, extra = FIELDS - rec.keys(), rec.keys() - FIELDS
    if missing:
        errors.append(f"missing fields {sorted(missing)}")
    if extra:
        errors.append(f"unknown fields {sorted(extra)}")
    if missing:
        return errors
    if rec["lang"] not in LANGS:
        errors.append(f"lang {rec['lang']!r} not in {LANGS}")
    elif not str(rec["id"]).startswith(rec["lang"]):
        errors.append(f"id {rec['id']!r} does not start with its lang")
    text = rec["text"]
    if not isinstance(text, str) or not text.strip():
        errors.append("empty text")
    elif len(text.split()) > MAX_WORDS:
        errors.append(f"text has {len(text.split())} words (> {MAX_WORDS})")
    source = rec["source"]
    if source != "written" and not (isinstance(source, str) and source.startswith("corpus:")):
        errors.append(f"source {source!r} is neither 'written' nor 'corpus:<file>'")
    elif source.startswith("corpus:") and not (ROOT / "corpus" / source[7:]).is_file():
        errors.append(f"source file {source[7:]!r} not in corpus/")
    if not isinstance(rec["note"], str):
        errors.append("note is not a string")
    for key in ("goals", "targets"):
        ids = rec[key]
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            errors.append(f"{key} is not a list of strings")
            return errors
        if len(set(ids)) != len(ids):
            errors.append(f"duplicate {key}")
    for g in rec["goals"]:
        if g not in goals:
            errors.append(f"unknown goal {g!r}")
    for t in rec["targets"]:
        if t not in targets:
            errors.append(f"unknown target {t!r}")
        elif targets[t] not in rec["goals"]:
            errors.append(f"target {t} belongs to goal {targets[t]}, not listed in goals")
    return errors


def check(path: Path) -> int:
    """Validate the file at ``path``, print the table and return the exit code (0 or 1)."""
    goals, targets = load_taxonomy()
    lines = path.read_text(encoding="utf-8").splitlines()
    failures: list[str] = []
    records = []
    seen: set[str] = set()
    texts: set[str] = set()
    for n, line in enumerate(lines, 1):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            failures.append(f"line {n}: not JSON ({exc})")
            continue
        for e in record_errors(rec, goals, targets):
            failures.append(f"line {n} ({rec.get('id')}): {e}")
        if rec.get("id") in seen:
            failures.append(f"line {n}: duplicate id {rec.get('id')!r}")
        seen.add(rec.get("id"))
        if rec.get("text") in texts:
            failures.append(f"line {n} ({rec.get('id')}): duplicate text")
        texts.add(rec.get("text"))
        records.append(rec)

    per_goal = {lang: Counter() for lang in LANGS}
    stats = {lang: Counter() for lang in LANGS}
    for rec in records:
        lang = rec.get("lang")
        if lang not in LANGS:
            continue
        s = stats[lang]
        s["texts"] += 1
        gs = rec.get("goals") or []
        s["no goal"] += not gs
        s["multi-goal"] += len(gs) > 1
        s["with target"] += bool(gs) and bool(rec.get("targets"))
        s["corpus"] += str(rec.get("source", "")).startswith("corpus:")
        per_goal[lang].update(gs)

    goal_ids = sorted(goals, key=int)
    print(f"{'goal':>6} " + " ".join(f"{lang:>5}" for lang in LANGS))
    for g in goal_ids:
        print(f"{g:>6} " + " ".join(f"{per_goal[lang][g]:>5}" for lang in LANGS))
    for key in ("texts", "no goal", "multi-goal", "with target", "corpus"):
        print(f"{key:>11} " + " ".join(f"{stats[lang][key]:>5}" for lang in LANGS))

    for lang in LANGS:
        s = stats[lang]
        if s["texts"] < MIN_TEXTS[lang]:
            failures.append(f"{lang}: {s['texts']} texts (< {MIN_TEXTS[lang]})")
        for g in goal_ids:
            if per_goal[lang][g] < MIN_PER_GOAL[lang]:
                failures.append(
                    f"{lang}: goal {g} has {per_goal[lang][g]} positives (< {MIN_PER_GOAL[lang]})"
                )
        positives = s["texts"] - s["no goal"]
        if positives and s["with target"] / positives < MIN_TARGET_SHARE:
            failures.append(
                f"{lang}: {s['with target']} of {positives} texts with a goal name a target"
                f" (< {MIN_TARGET_SHARE:.0%})"
            )
        if not s["no goal"]:
            failures.append(f"{lang}: no text without a goal")
    corpus_texts = sum(stats[lang]["corpus"] for lang in LANGS)
    if corpus_texts > MAX_CORPUS_TEXTS:
        failures.append(f"{corpus_texts} corpus texts (> {MAX_CORPUS_TEXTS})")

    for f in failures:
        print("FAIL", f, file=sys.stderr)
    if failures:
        return 1
    print(f"OK: {len(records)} texts in {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(check(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH))
