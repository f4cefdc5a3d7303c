"""Hand-labelled coverage cases: real answers with the substance of an element removed.

``evaluations/data/coverage_cases.jsonl`` holds one case per line (see
``evaluations/data/README.md``): a template, the question(s) whose answer is
judged, an element of the template, and either

- ``kind: "removed"``: the paragraphs (blocks) a person picked as carrying the
  element's substance, each named by a verbatim phrase in ``remove``; every other
  paragraph of the answer stays, including vague sentences on the same topic;
- ``kind: "intact"``: the real answer as it is.

``expected`` is the person's judgement of the resulting answer: ``covered`` or
``missing_or_weak``. The cases measure what ``evaluations/coverage.py`` does not:
its damaged copies delete every sentence matching a trigger pattern, so they test
the words; these keep the words and take away the evidence.

Public API::

    load_cases(path: Path = CASES) -> list[dict]
    build_case(case: dict) -> tuple[Document, str, list[str], str]
        # (damaged draft, template id, questions, element id)
    answer_blocks(doc: Document, questions: list[str]) -> list[tuple[str, int, int, Block]]

Run ``python evaluations/coverage_cases.py --check`` to validate the file (every
phrase is found in exactly one block of the named answers, element ids and
questions exist in the template, the element is asked of those questions) and
print the counts per element, kind, expected and split;
``--show ID`` prints a case's answer after removal.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.pipeline import parse_file  # noqa: E402
from review.coverage import answer_sections  # noqa: E402
from review.templates import Template, load_template  # noqa: E402
from underlag.model import Block, BlockKind, Document  # noqa: E402
from underlag.settings import PROJECT_ROOT  # noqa: E402
from underlag.settings import get_settings  # noqa: E402

CASES = Path(__file__).resolve().parent / "data" / "coverage_cases.jsonl"
CORPUS = PROJECT_ROOT / "corpus"

KINDS = ("removed", "intact")
EXPECTED = ("covered", "missing_or_weak")
SPLITS = ("tune", "test", "tune2", "test2")
FIELDS = ("id", "template", "questions", "element", "kind", "source", "remove", "expected",
          "reason", "split")
# Blocks that are the form's own text, not the region's answer: never removed, never matched.
_FORM_BLOCKS = (BlockKind.INSTRUCTION, BlockKind.CHOICE)
PHRASE_MIN, PHRASE_MAX = 20, 80


def load_cases(path: Path = CASES) -> list[dict]:
    """The cases of a JSON Lines file, in file order."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def normalise(text: str) -> str:
    """Whitespace collapsed to single spaces (phrases are matched on this form)."""
    return " ".join(text.split())


@lru_cache(maxsize=8)
def parsed(source: str) -> Document:
    """The parsed (and, for 002, letter-repaired) corpus document."""
    return parse_file(CORPUS / source)


def _section_index(doc: Document, qid: str) -> int:
    """The draft section that answers question ``qid``, found by its number as the checker does."""
    for i, s in enumerate(doc.sections):
        if s.number == qid:
            return i
    raise ValueError(f"{doc.filename}: no section numbered {qid!r}")


def answer_blocks(doc: Document, questions: list[str]) -> list[tuple[str, int, int, Block]]:
    """The answer blocks of the questions: (question, section index, block index, block).

    A question's answer is its section and the subsections that belong to it
    (``nlp.coverage.answer_sections``); the form's instruction and Ja/Nej blocks are left out.
    """
    out = []
    for qid in questions:
        start = _section_index(doc, qid)
        for k, sec in enumerate(answer_sections(doc, start)):
            for j, b in enumerate(sec.blocks):
                if b.kind not in _FORM_BLOCKS and b.text.strip():
                    out.append((qid, start + k, j, b))
    return out


def matching_blocks(doc: Document, questions: list[str], phrase: str) -> list[tuple[str, int, int, Block]]:
    """The answer blocks whose normalised text contains the normalised phrase."""
    p = normalise(phrase)
    return [t for t in answer_blocks(doc, questions) if p in normalise(t[3].text)]


def remove_blocks(doc: Document, where: set[tuple[int, int]]) -> Document:
    """A copy of ``doc`` without the blocks at (section index, block index)."""
    sections = list(doc.sections)
    for si in sorted({s for s, _ in where}):
        sec = sections[si]
        blocks = [b for j, b in enumerate(sec.blocks) if (si, j) not in where]
        sections[si] = sec.model_copy(update={"blocks": blocks})
    return doc.model_copy(update={"sections": sections})


def build_case(case: dict) -> tuple[Document, str, list[str], str]:
    """The draft a case describes: the real report with the case's paragraphs removed.

    Returns (draft document, template id, questions, element id). Each phrase in
    ``remove`` must name exactly one block of the questions' answers; otherwise
    ``ValueError`` (run ``--check`` to see which).
    """
    doc = parsed(case["source"])
    where: set[tuple[int, int]] = set()
    for phrase in case.get("remove", []):
        hits = matching_blocks(doc, case["questions"], phrase)
        if len(hits) != 1:
            raise ValueError(f"{case['id']}: phrase found in {len(hits)} blocks: {phrase!r}")
        _, si, bi, _ = hits[0]
        where.add((si, bi))
    draft = remove_blocks(doc, where) if where else doc
    return draft, case["template"], list(case["questions"]), case["element"]


# -- validation -------------------------------------------------------------------------

def _asked(template: Template, questions: list[str], element: str) -> bool:
    """Whether the template asks for the element in these questions (alone or shared)."""
    for sh in template.shared_elements:
        if sorted(sh.questions) == sorted(questions) and element in sh.elements:
            return True
    if len(questions) == 1:
        q = template.question(questions[0])
        return element in q.elements or element in q.optional_elements
    return False


def check_case(case: dict) -> list[str]:
    """What is wrong with one case (empty when it is valid)."""
    errs = []
    cid = case.get("id", "?")
    missing = [f for f in FIELDS if f not in case]
    if missing:
        return [f"{cid}: missing fields {missing}"]
    if case["kind"] not in KINDS:
        errs.append(f"{cid}: kind {case['kind']!r}")
    if case["expected"] not in EXPECTED:
        errs.append(f"{cid}: expected {case['expected']!r}")
    if case["split"] not in SPLITS:
        errs.append(f"{cid}: split {case['split']!r}")
    if not case["reason"].strip():
        errs.append(f"{cid}: empty reason")
    try:
        template = load_template(case["template"], get_settings().templates_dir)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return errs + [f"{cid}: template: {exc}"]
    if template.source != case["source"]:
        errs.append(f"{cid}: source {case['source']!r} is not the template's {template.source!r}")
    if case["element"] not in {e.id for e in template.elements}:
        errs.append(f"{cid}: element {case['element']!r} not in template {template.id}")
    qids = {q.id for q in template.questions}
    bad_q = [q for q in case["questions"] if q not in qids]
    if bad_q:
        return errs + [f"{cid}: questions {bad_q} not in template {template.id}"]
    if not _asked(template, case["questions"], case["element"]):
        errs.append(f"{cid}: template does not ask for {case['element']} in {case['questions']}")
    remove = case["remove"]
    if case["kind"] == "removed" and not remove:
        errs.append(f"{cid}: removed case without phrases")
    if case["kind"] == "intact" and remove:
        errs.append(f"{cid}: intact case with phrases")
    doc = parsed(case["source"])
    try:
        blocks = answer_blocks(doc, case["questions"])
    except ValueError as exc:
        return errs + [f"{cid}: {exc}"]
    seen: set[tuple[int, int]] = set()
    for phrase in remove:
        if not PHRASE_MIN <= len(phrase) <= PHRASE_MAX:
            errs.append(f"{cid}: phrase of {len(phrase)} chars (want {PHRASE_MIN}-{PHRASE_MAX}): {phrase!r}")
        hits = matching_blocks(doc, case["questions"], phrase)
        if len(hits) != 1:
            errs.append(f"{cid}: phrase in {len(hits)} blocks (want 1): {phrase!r}")
            continue
        key = hits[0][1:3]
        if key in seen:
            errs.append(f"{cid}: two phrases name the same block: {phrase!r}")
        seen.add(key)
    if case["kind"] == "removed" and len(seen) == len(blocks):
        errs.append(f"{cid}: removes the whole answer (that is a dropped answer, not a removed element)")
    return errs


def check(path: Path = CASES) -> int:
    """Validate the file and print its counts; the number of errors."""
    cases = load_cases(path)
    errs: list[str] = []
    ids = Counter(c.get("id") for c in cases)
    errs += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    for c in cases:
        errs += check_case(c)
    by = Counter((c["element"], c["kind"], c["expected"]) for c in cases)
    elements = sorted({c["element"] for c in cases})
    print(f"{len(cases)} cases in {path.name}")
    print(f"{'element':<20}{'removed/mw':>11}{'removed/cov':>12}{'intact/cov':>11}{'intact/mw':>10}"
          f"{'tune':>6}{'test':>6}")
    for e in elements:
        tune = sum(1 for c in cases if c["element"] == e and c["split"] == "tune")
        test = sum(1 for c in cases if c["element"] == e and c["split"] == "test")
        print(f"{e:<20}{by[(e, 'removed', 'missing_or_weak')]:>11}{by[(e, 'removed', 'covered')]:>12}"
              f"{by[(e, 'intact', 'covered')]:>11}{by[(e, 'intact', 'missing_or_weak')]:>10}"
              f"{tune:>6}{test:>6}")
    for field in ("template", "kind", "expected", "split"):
        print(f"{field}: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(c[field] for c in cases).items())))
    for e in errs:
        print("ERROR", e)
    print("OK" if not errs else f"{len(errs)} errors")
    return len(errs)


def show(case_id: str, path: Path = CASES) -> None:
    """Print a case's answer after removal, each block with its question."""
    case = next(c for c in load_cases(path) if c["id"] == case_id)
    draft, _, questions, element = build_case(case)
    print(f"{case_id} {case['template']} {questions} {element} {case['kind']} -> {case['expected']}")
    print(f"reason: {case['reason']}\n")
    for qid, _, _, b in answer_blocks(draft, questions):
        print(f"[{qid}] {b.text}\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="validate the cases and print counts")
    ap.add_argument("--show", metavar="ID", help="print a case's answer after removal")
    ap.add_argument("--file", type=Path, default=CASES)
    args = ap.parse_args(argv)
    if args.show:
        show(args.show, args.file)
        return 0
    return 1 if check(args.file) else 0


if __name__ == "__main__":
    sys.exit(main())
