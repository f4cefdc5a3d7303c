"""Mechanical checks of the judged retrieval queries against the parsed sample corpus.

Parses the four documents of ``corpus/`` with the production ingest (so 002 is
read in its repaired Swedish) and checks a queries file
(``evaluations/data/retrieval_queries_hard.jsonl`` by default):

- every phrase (10–80 characters) occurs verbatim, whitespace-normalised, inside
  one body block (paragraph, list item, table or ticked choice; not the
  template's instruction text) of its document;
- no two entries of a query point to the same block;
- ``paraphrase_nw`` queries share no content word with the blocks of their
  relevant passages: not the word itself, not the first five letters of either word anywhere in
  the other word (``gruppen`` against ``arbetsgrupp``), not a word of 3+ letters
  that begins the other (``lär`` against ``lärande``); Swedish stop words aside;
- ``template`` queries are 20–40 words, ``multi`` queries have relevant entries
  in at least two documents;
- counts: at least 30 queries per kind, ids ``h001``… in order, each kind split
  about one third ``tune`` and two thirds ``test``, and at least 15 queries with
  a year cue and 15 asking for a number.

The per-query rules apply to every file. The count rules belong to the main hard
file only: ``retrieval_queries_fresh.jsonl`` (a second held-out set, split
``test2``) is checked with ids ``h201``… in order and no count rules.

Prints the counts and every failure; exits with 1 when anything fails.

    python evaluations/check_queries.py
    python evaluations/check_queries.py --file evaluations/data/retrieval_queries_fresh.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from spacy.lang.sv.stop_words import STOP_WORDS  # noqa: E402

from ingest.pipeline import parse_file  # noqa: E402
from underlag.model import BlockKind  # noqa: E402
from underlag.settings import get_settings  # noqa: E402

HARD = ROOT / "evaluations" / "data" / "retrieval_queries_hard.jsonl"
FRESH = ROOT / "evaluations" / "data" / "retrieval_queries_fresh.jsonl"
CORPUS = ROOT / "corpus"
KINDS = ("paraphrase_nw", "english", "template", "fact", "multi")
MIN_PER_KIND = 30
MIN_CUES = 15
# "Assigned before anyone tunes": one third tune per kind, allowed to be off by one query.
TUNE_SHARE = 1 / 3
YEAR = re.compile(r"\b(19|20)\d\d\b")
NUMBER = re.compile(r"\b(hur (många|mycket|stor|stort|långt|ofta)|how (many|much))\b", re.I)


@dataclass(frozen=True)
class Profile:
    """What a queries file must look like beyond the per-query rules."""

    first_id: int  # ids run h{first_id:03d}, h{first_id + 1:03d}, ... in file order
    splits: tuple[str, ...]
    counts: bool  # the file-level count rules (per kind, tune share, cues)


MAIN = Profile(first_id=1, splits=("tune", "test"), counts=True)
# The fresh set is read once as a new test split after tuning on the main file's
# tune split; it is small (36 queries), so the per-kind and cue minimums do not apply.
PROFILES = {HARD.name: MAIN, FRESH.name: Profile(first_id=201, splits=("test2",), counts=False)}


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def body_blocks(path: Path) -> list[str]:
    """The whitespace-normalised body blocks of one parsed document (instructions left out)."""
    doc = parse_file(path, get_settings())
    return [norm(b.text) for s in doc.sections for b in s.blocks if b.kind != BlockKind.INSTRUCTION]


def content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if w not in STOP_WORDS and len(w) > 1}


def related(a: str, b: str) -> bool:
    """Whether two lowercased words share a word, stem or compound part by the rules above."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 3 and long_.startswith(short):
        return True
    return len(short) >= 5 and (short[:5] in long_ or long_[:5] in short)


def shared_words(query: str, passage: str) -> list[tuple[str, str]]:
    pw = content_words(passage)
    return sorted((q, p) for q in content_words(query) for p in pw if related(q, p))


def check(rows: list[dict], blocks: dict[str, list[str]], profile: Profile = MAIN) -> list[str]:
    errors: list[str] = []
    for n, row in enumerate(rows, 1):
        qid, kind, rel = row.get("id"), row.get("kind"), row.get("relevant", [])
        expected = f"h{profile.first_id + n - 1:03d}"
        if qid != expected:
            errors.append(f"line {n}: id {qid!r}, expected {expected}")
        if kind not in KINDS:
            errors.append(f"{qid}: unknown kind {kind!r}")
        if row.get("split") not in profile.splits:
            errors.append(f"{qid}: split {row.get('split')!r} (expected one of {profile.splits})")
        if not 1 <= len(rel) <= 6:
            errors.append(f"{qid}: {len(rel)} relevant entries (1–6)")
        seen: dict[int, int] = {}
        texts: list[str] = []
        for i, r in enumerate(rel):
            doc, phrase = r["doc"], norm(r["phrase"])
            if r.get("grade") not in (1, 2):
                errors.append(f"{qid}[{i}]: grade {r.get('grade')!r}")
            if not 10 <= len(phrase) <= 80:
                errors.append(f"{qid}[{i}]: phrase of {len(phrase)} characters")
            if doc not in blocks:
                errors.append(f"{qid}[{i}]: no document {doc}")
                continue
            hits = [j for j, b in enumerate(blocks[doc]) if phrase in b]
            if not hits:
                errors.append(f"{qid}[{i}]: not in any body block of {doc}: {phrase!r}")
            for j in hits:
                if (doc, j) in seen:
                    errors.append(f"{qid}[{i}]: same block as entry {seen[(doc, j)]} ({doc} block {j})")
                seen[(doc, j)] = i
                texts.append(blocks[doc][j])
        if kind == "paraphrase_nw":
            shared = shared_words(row["query"], " ".join(texts))
            if shared:
                errors.append(f"{qid}: paraphrase_nw shares words with its passages: {shared}")
        if kind == "template" and not 20 <= len(row["query"].split()) <= 40:
            errors.append(f"{qid}: template of {len(row['query'].split())} words (20–40)")
        if kind == "multi" and len({r["doc"] for r in rel}) < 2:
            errors.append(f"{qid}: multi with relevant entries in one document")
    if profile.counts:
        errors += check_counts(rows)
    return errors


def check_counts(rows: list[dict]) -> list[str]:
    errors: list[str] = []
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        by_kind[row["kind"]][row["split"]] += 1
    for kind in KINDS:
        c = by_kind[kind]
        total = c["tune"] + c["test"]
        if total < MIN_PER_KIND:
            errors.append(f"{kind}: {total} queries (at least {MIN_PER_KIND})")
        if abs(c["tune"] - total * TUNE_SHARE) > 1:
            errors.append(f"{kind}: {c['tune']} of {total} in tune (about a third)")
    years = sum(bool(YEAR.search(r["query"])) for r in rows)
    numbers = sum(bool(NUMBER.search(r["query"])) for r in rows)
    if years < MIN_CUES:
        errors.append(f"{years} queries with a year cue (at least {MIN_CUES})")
    if numbers < MIN_CUES:
        errors.append(f"{numbers} queries asking for a number (at least {MIN_CUES})")
    return errors


def report(rows: list[dict], profile: Profile = MAIN) -> None:
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        by_kind[row["kind"]][row["split"]] += 1
    print(f"{'kind':<15}" + "".join(f"{s:>6}" for s in profile.splits) + f"{'all':>6}")
    for kind in KINDS:
        c = by_kind[kind]
        cells = "".join(f"{c[s]:>6}" for s in profile.splits)
        print(f"{kind:<15}{cells}{sum(c.values()):>6}")
    entries = [r for row in rows for r in row["relevant"]]
    docs = Counter(r["doc"][:3] for r in entries)
    print(f"{len(rows)} queries, {len(entries)} relevant entries "
          f"({', '.join(f'{d}: {n}' for d, n in sorted(docs.items()))}); "
          f"year cue {sum(bool(YEAR.search(r['query'])) for r in rows)}, "
          f"number asked {sum(bool(NUMBER.search(r['query'])) for r in rows)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--file", type=Path, default=HARD)
    args = ap.parse_args()
    # Any other file (a copy of the hard file, say) gets the main file's rules, as before.
    profile = PROFILES.get(args.file.name, MAIN)
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    blocks = {p.name: body_blocks(p) for p in sorted(CORPUS.glob("*.txt")) if p.name[0].isdigit()}
    report(rows, profile)
    errors = check(rows, blocks, profile)
    for e in errors:
        print("FAIL", e)
    print("all checks pass" if not errors else f"{len(errors)} failures")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
