"""A first draft of a whole report: every question of a template, from earlier reports.

Public API::

    draft_report(template: Template, index: SearchIndex, *, exclude_document: str | None = None,
                 prefer_recent: bool = False, exclude_documents: Collection[str] = (),
                 progress: DraftProgress | None = None) -> Draft
    drafting(template, index, *, <the same options but progress>) -> Generator[Step, None, Draft]
    advance(run: Generator[Step, None, Draft]) -> tuple[Step | None, Draft | None]
    draft_document(draft: Draft, template: Template) -> Document
    allocate(max_chars: int, evidence: dict[str, int]) -> dict[str, int]
    draft_json(draft: Draft) -> dict

How: every question is drafted by :func:`review.suggest.suggest` (its candidate
selection, MMR and sentence-boundary trimming), in the template's order, so
that a passage used for one question is not used again for a later one. Limits
hold all at once: a question's own limit and a limit shared by a group
("4 500 together for 1.1–1.3"). A shared limit is divided by *evidence*, not
evenly: each question is first drafted with the whole limit as its budget and
its evidence is the length of the chosen passages weighted by how close each
is to the question (cosine below :data:`REL_FLOOR` counts nothing, above
:data:`REL_FULL` fully); :func:`allocate` then gives each question its evidence
when the limit allows it, and otherwise a share in proportion to it (at least
:data:`MIN_SHARE` each), so a question with little relevant earlier text does
not get padding and one with much gets room. Tables (insatser) are drafted as
tables with at most the allowed rows; Ja/Nej questions are left for the writer
with the earlier answers shown. Last, the draft is checked like any draft
(:func:`review.coverage.check_coverage` over :func:`draft_document`): the
required elements it still lacks are listed in ``gaps``.

A draft takes 13 s for the 35 questions of the 2023 template (hashing embedder;
more with e5). :func:`drafting` makes it one question at a time, yielding a
:data:`Step` ("drafting" with the question's id before each question,
"checking" before the last check, with the share done) so that a server can
run each step as its own task on the index's reader and let searches in between;
:func:`draft_report` runs it to the end.

JSON field names of :class:`Draft` (extend, never rename): ``template``,
``title``, ``year``, ``excluded_document`` (the first of ``excluded_documents``),
``excluded_documents``, ``prefer_recent``, ``questions``
(DraftQuestion: ``id``, ``title``, ``question_text``, ``group``,
``group_title``, ``answer_type``, ``status`` ("drafted" | "empty" | "writer"),
``budget``, ``evidence``, ``chars``, ``text``, ``parts`` (DraftPart of
:mod:`review.suggest`, ``citation`` numbered over the whole draft),
``columns``, ``rows`` (``cells``, ``citation``), ``max_items``,
``earlier_choices`` (``text``, ``choice``, ``document``, ``filename``,
``year``, ``section``), ``uncovered``), ``limits`` (``questions``,
``max_chars``, ``used``, ``shares``, ``evidence``), ``citations`` (Citation of
:mod:`review.suggest`), ``coverage`` (the CoverageReport of the draft),
``gaps`` (``question``, ``element``, ``label``, ``status``),
``summary`` (``questions``, ``drafted``, ``writer``, ``empty``, ``chars``,
``citations``, ``gaps``, ``limits_exceeded``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Generator
from typing import Literal

from pydantic import BaseModel, ConfigDict, computed_field

from index.search import SearchIndex
from review.coverage import CoverageReport, check_coverage
from review.suggest import (
    DEFAULT_BUDGET, MIN_PART_CHARS, Citation, DraftPart, Suggestion, resolve_documents, suggest, trim_to,
)
from review.templates import CharLimit, Question, Template
from underlag.model import Block, BlockKind, Document, DocumentMetadata, Section

# e5 cosines between a question (query) and the passages suggest picks for it
# lie in 0.84..0.93 on the sample corpus (median 0.875, 2021 template and 2023
# template alike); a part at 0.85 is what MMR takes when the relevant ones are
# used up, a part from 0.90 is among the best tenth.
REL_FLOOR = 0.85
REL_FULL = 0.90
# Every question with evidence gets at least this much of a shared limit
# (one to two paragraphs), before the rest is divided in proportion.
MIN_SHARE = 600
# Candidate text read for a table question's rows (about five earlier tables' worth).
TABLE_BUDGET = 15_000
TABLE_COLUMNS = ("Insats", "Beskrivning och resultat")
# Rows of a table question when the template names no maximum.
DEFAULT_ROWS = 5
# A table cell longer than this is cut at a sentence boundary.
MAX_CELL_CHARS = 700
# Earlier Ja/Nej answers shown for a choice question.
EARLIER_CHOICES = 3
# Share of a draft's progress at which its own coverage check starts: drafting the
# 35 questions of the 2023 template took 12.9 s of 13.0 s with the hashing embedder;
# with e5 the check embeds the draft's ~35 000 characters too, so it keeps a tenth.
DRAFTED_SHARE = 0.9

#: ``(stage, share done, question id or None)``: where a draft has come.
Step = tuple[str, float, str | None]
#: ``progress(stage, share done, question id or None)``, called as a draft goes.
DraftProgress = Callable[[str, float, str | None], None]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class DraftRow(_Model):
    cells: list[str]
    citation: int


class EarlierChoice(_Model):
    """A Ja/Nej answer of an earlier report to a similar question."""

    text: str
    choice: str | None = None
    document: str
    filename: str
    year: int | None = None
    section: str | None = None


class DraftQuestion(_Model):
    id: str
    title: str
    question_text: str
    group: str | None = None
    group_title: str | None = None
    answer_type: str
    status: Literal["drafted", "empty", "writer"]
    budget: int | None = None
    evidence: int = 0
    chars: int = 0
    text: str = ""
    parts: list[DraftPart] = []
    columns: list[str] = []
    rows: list[DraftRow] = []
    max_items: int | None = None
    earlier_choices: list[EarlierChoice] = []
    uncovered: list[str] = []


class LimitShare(_Model):
    """A limit and how the draft divided it."""

    questions: list[str]
    max_chars: int
    used: int
    shares: dict[str, int]
    evidence: dict[str, int]


class Gap(_Model):
    question: str
    element: str
    label: str
    status: str


class DraftSummary(_Model):
    questions: int
    drafted: int
    writer: int
    empty: int
    chars: int
    citations: int
    gaps: int
    limits_exceeded: int


class Draft(_Model):
    template: str
    title: str
    year: int | None = None
    prefer_recent: bool = False
    questions: list[DraftQuestion]
    excluded_documents: list[str] = []
    limits: list[LimitShare]
    citations: list[Citation]
    # The draft's own coverage check (None only while the draft is being built).
    coverage: CoverageReport | None = None
    gaps: list[Gap]
    summary: DraftSummary

    @computed_field  # type: ignore[prop-decorator]
    @property
    def excluded_document(self) -> str | None:
        """The first of ``excluded_documents`` (the JSON field from before there could be several)."""
        return self.excluded_documents[0] if self.excluded_documents else None


# -- dividing a limit -------------------------------------------------------------------

def evidence_chars(s: Suggestion) -> int:
    """How much of a suggestion is relevant earlier text: its parts' lengths weighted by relevance."""
    total = 0.0
    for p in s.parts:
        rel = p.relevance if p.relevance is not None else REL_FULL
        total += len(p.text) * min(1.0, max(0.0, (rel - REL_FLOOR) / (REL_FULL - REL_FLOOR)))
    # The best passage always counts: a question with any earlier text gets a start.
    first = len(s.parts[0].text) if s.parts else 0
    return int(max(total, min(first, MIN_SHARE)))


def allocate(max_chars: int, evidence: dict[str, int]) -> dict[str, int]:
    """Divide a limit between questions by their evidence; the shares never sum above it.

    Each question gets its evidence when all of it fits; otherwise each gets
    ``min(evidence, MIN_SHARE)`` first and the rest of the limit in proportion
    to the evidence beyond that.
    """
    if sum(evidence.values()) <= max_chars:
        return dict(evidence)
    floor = {q: min(e, MIN_SHARE) for q, e in evidence.items()}
    if sum(floor.values()) > max_chars:  # too many questions for the floor: plain proportion
        total = sum(evidence.values())
        return {q: max_chars * e // total for q, e in evidence.items()}
    rest = max_chars - sum(floor.values())
    beyond = {q: evidence[q] - floor[q] for q in evidence}
    total = sum(beyond.values()) or 1
    return {q: floor[q] + min(beyond[q], rest * beyond[q] // total) for q in evidence}


# -- tables and choices -----------------------------------------------------------------

def _cut(text: str, n: int, index: SearchIndex) -> str:
    if len(text) <= n:
        return text
    cut = max((end for _, end in index.analyzer.sentences(text) if end <= n), default=0)
    return text[:cut].rstrip() if cut else text[:n].rsplit(" ", 1)[0] + " …"


def _is_header(cells: list[str]) -> bool:
    """A table's header row: short cells naming columns ("Insats", "Beskrivning och prestationer")."""
    return all(len(c) < 140 for c in cells) and bool(
        re.match(r"(namn på insats|insats|beskrivning|vilka resultat|effekter|mål)\b", cells[0].strip(),
                 re.IGNORECASE))


def table_rows(s: Suggestion, max_rows: int, index: SearchIndex) -> list[DraftRow]:
    """Rows of the suggestion's table passages, best passage first, header rows left out."""
    rows: list[DraftRow] = []
    for p in s.parts:
        for line in p.text.split("\n"):
            cells = [c.strip() for c in line.split(" | ")]
            if len(cells) < 2 or _is_header(cells) or len(cells[0]) < 3:
                continue
            name = _cut(cells[0], 200, index)
            desc = _cut(" ".join(c for c in cells[1:] if c), MAX_CELL_CHARS, index)
            if any(r.cells[0] == name for r in rows):
                continue
            rows.append(DraftRow(cells=[name, desc], citation=p.citation))
            if len(rows) >= max_rows:
                return rows
    return rows


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) > 2}


def earlier_choices(q: Question, index: SearchIndex, excluded: Collection[str]) -> list[EarlierChoice]:
    """Ja/Nej answers of earlier reports whose statement shares most words with the question."""
    want = _words(" ".join([q.title, q.text, *q.instructions]))
    found: list[tuple[float, EarlierChoice]] = []
    for d in index.documents():
        if d.id in excluded:
            continue
        doc = index.document(d.id)
        if doc is None:
            continue
        for s in doc.sections:
            for b in s.blocks:
                if b.kind is not BlockKind.CHOICE:
                    continue
                words = _words(b.text + " " + (s.question or ""))
                score = len(want & words) / max(1, len(words))
                if score > 0.3:
                    found.append((score, EarlierChoice(
                        text=b.text.strip(), choice=b.choice, document=doc.metadata.title or doc.filename,
                        filename=doc.filename, year=max(doc.metadata.years) if doc.metadata.years else None,
                        section=s.number or s.title)))
    found.sort(key=lambda x: -x[0])
    return [c for _, c in found[:EARLIER_CHOICES]]


# -- the draft ------------------------------------------------------------------------

def draft_report(template: Template, index: SearchIndex, *, exclude_document: str | None = None,
                 prefer_recent: bool = False, exclude_documents: Collection[str] = (),
                 progress: DraftProgress | None = None) -> Draft:
    """A cited first draft of every question of ``template`` from the earlier reports in the index.

    ``exclude_document`` and every one of ``exclude_documents`` (id, id prefix or
    file name) are left out; ``progress`` hears each :data:`Step`.
    """
    run = drafting(template, index, exclude_document=exclude_document, prefer_recent=prefer_recent,
                   exclude_documents=exclude_documents)
    while True:
        step, draft = advance(run)
        if draft is not None:
            return draft
        if progress is not None and step is not None:
            progress(*step)


def advance(run: Generator[Step, None, Draft]) -> tuple[Step | None, Draft | None]:
    """One step of :func:`drafting`: ``(step, None)``, or ``(None, draft)`` when it is done.

    (A generator's end is a StopIteration, which cannot cross a thread pool's future.)
    """
    try:
        return next(run), None
    except StopIteration as end:
        return None, end.value


def drafting(template: Template, index: SearchIndex, *, exclude_document: str | None = None,
             prefer_recent: bool = False, exclude_documents: Collection[str] = ()
             ) -> Generator[Step, None, Draft]:
    """:func:`draft_report` one question at a time: yields a :data:`Step` before each
    question and before the last check, returns the draft. Nothing runs before the first step."""
    excluded = resolve_documents(index, [exclude_document, *exclude_documents])
    opts = dict(exclude_documents=excluded, prefer_recent=prefer_recent)
    started: list[str] = []

    def step(q: Question) -> Step:
        # before each question: the page names the one being written
        started.append(q.id)
        return "drafting", DRAFTED_SHARE * (len(started) - 1) / len(template.questions), q.id

    # Each prose question is drafted once with its whole limit as budget: the
    # order of its parts is suggest's, its evidence weighs them, and its final
    # text is the prefix that fits its share (what suggest would choose with the
    # smaller budget, without asking the index twice).
    used: set[str] = set()
    citations: list[Citation] = []
    drafted: dict[str, DraftQuestion] = {}

    def cite(c: Citation) -> int:
        for old in citations:
            if old.passage_id == c.passage_id:
                return old.n
        citations.append(c.model_copy(update={"n": len(citations) + 1}))
        return len(citations)

    def base(q: Question) -> dict:
        return dict(id=q.id, title=q.title, question_text=q.text, group=q.group, group_title=q.group_title,
                    answer_type=q.answer_type, max_items=q.max_items)

    shares: list[tuple[CharLimit, dict[str, int], dict[str, int]]] = []
    limits = {qid: lim for lim in template.limits for qid in lim.questions}
    for q in template.questions:
        if q.id in drafted:
            continue
        if q.answer_type == "choice":
            yield step(q)
            drafted[q.id] = DraftQuestion(**base(q), status="writer",
                                          earlier_choices=earlier_choices(q, index, excluded))
        elif q.answer_type == "table":
            yield step(q)
            drafted[q.id] = _table(q, template, index, used, cite, base(q), opts)
        else:
            lim = limits.get(q.id) or (CharLimit(questions=[q.id], max_chars=q.max_chars) if q.max_chars else None)
            group = [template.question(qid) for qid in lim.questions] if lim else [q]
            prose = [g for g in group if g.answer_type == "prose"]
            found: dict[str, Suggestion] = {}
            for g in prose:
                yield step(g)
                found[g.id] = suggest(g, template, index, max_chars=lim.max_chars if lim else DEFAULT_BUDGET,
                                      exclude_passages=used, **opts)
            evidence = {qid: evidence_chars(sg) for qid, sg in found.items()}
            got = allocate(lim.max_chars, evidence) if lim else {q.id: min(evidence[q.id], DEFAULT_BUDGET)}
            if lim:
                shares.append((lim, got, evidence))
            for g in prose:
                drafted[g.id] = _prose(found[g.id], got[g.id], evidence[g.id], index, used, cite, base(g))
            for g in group:  # a choice or table inside a limited group is drafted in its turn
                if g.id not in drafted and g.answer_type == "choice":
                    yield step(g)
                    drafted[g.id] = DraftQuestion(**base(g), status="writer",
                                                  earlier_choices=earlier_choices(g, index, excluded))
    questions = [drafted[q.id] for q in template.questions]

    chars = {dq.id: dq.chars for dq in questions}
    limit_shares = [LimitShare(questions=lim.questions, max_chars=lim.max_chars,
                               used=sum(chars.get(qid, 0) for qid in lim.questions), shares=got, evidence=ev)
                    for lim, got, ev in shares]
    partial = Draft(template=template.id, title=template.title, year=template.year,
                    excluded_documents=excluded,
                    prefer_recent=prefer_recent, questions=questions, limits=limit_shares, citations=citations,
                    gaps=[], summary=_summary(questions, citations, [], limit_shares))
    yield "checking", DRAFTED_SHARE, None
    report = check_coverage(draft_document(partial, template), template, index.embedder, index.analyzer)
    gaps = _gaps(report)
    # What each question still lacks, by the check of the final text.
    lacking = {cq.id: [e.id for e in cq.elements if e.status != "covered"] for cq in report.questions}
    questions = [dq.model_copy(update={"uncovered": lacking.get(dq.id, [])}) if dq.status == "drafted"
                 and dq.answer_type == "prose" else dq for dq in questions]
    return partial.model_copy(update={"questions": questions, "coverage": report, "gaps": gaps,
                                      "summary": _summary(questions, citations, gaps, limit_shares)})


def _prose(s: Suggestion, budget: int, evidence: int, index: SearchIndex, used: set[str], cite,
           base: dict) -> DraftQuestion:
    """A prose answer: the suggestion's parts in order while they fit ``budget``, none used before."""
    by_n = {c.n: c for c in s.citations}
    parts: list[DraftPart] = []
    left = budget
    for p in s.parts:
        c = by_n[p.citation]
        if c.passage_id in used or left < MIN_PART_CHARS:
            continue
        sep = 2 if parts else 0
        text, trimmed = trim_to(p.text, left - sep, index.analyzer.sentences)
        if not text:
            continue
        used.add(c.passage_id)
        parts.append(p.model_copy(update={"text": text, "trimmed": p.trimmed or trimmed, "citation": cite(c)}))
        left -= len(text) + sep
    if not parts:
        return DraftQuestion(**base, status="empty", budget=budget, evidence=evidence)
    text = "\n\n".join(p.text for p in parts)
    return DraftQuestion(**base, status="drafted", budget=budget, evidence=evidence, chars=len(text), text=text,
                         parts=parts)


def _table(q: Question, template: Template, index: SearchIndex, used: set[str], cite, base: dict,
           opts: dict) -> DraftQuestion:
    """A table answer: rows of earlier insats tables, at most the allowed number (and within a limit)."""
    lim = template.limit_for(q.id)
    s = suggest(q, template, index, max_chars=TABLE_BUDGET, exclude_passages=used, **opts)
    by_n = {c.n: c for c in s.citations}
    rows = table_rows(s, q.max_items or DEFAULT_ROWS, index)
    if lim:  # a table under a character limit: rows while they fit its even share
        kept, n = [], 0
        for r in rows:
            n += sum(len(c) for c in r.cells) + 3 * len(r.cells)
            if n > lim.max_chars // len(lim.questions):
                break
            kept.append(r)
        rows = kept
    out = []
    for r in rows:
        c = by_n[r.citation]
        used.add(c.passage_id)
        out.append(r.model_copy(update={"citation": cite(c)}))
    return DraftQuestion(**base, status="drafted" if out else "empty", columns=list(TABLE_COLUMNS), rows=out,
                         chars=sum(len(c) for r in out for c in r.cells), evidence=len(out))


def _gaps(report: CoverageReport) -> list[Gap]:
    """Required elements the draft does not cover: per question, then those shared by a group."""
    gaps = [Gap(question=q.id, element=e.id, label=e.label, status=e.status)
            for q in report.questions for e in q.elements if e.required and e.status != "covered"]
    for sh in report.shared:
        span = f"{sh.questions[0]}–{sh.questions[-1]}"
        gaps += [Gap(question=span, element=e.id, label=e.label, status=e.status)
                 for e in sh.elements if e.status != "covered"]
    return gaps


def _summary(questions: list[DraftQuestion], citations: list[Citation], gaps: list[Gap],
             limits: list[LimitShare]) -> DraftSummary:
    return DraftSummary(
        questions=len(questions), drafted=sum(q.status == "drafted" for q in questions),
        writer=sum(q.status == "writer" for q in questions), empty=sum(q.status == "empty" for q in questions),
        chars=sum(q.chars for q in questions), citations=len(citations), gaps=len(gaps),
        limits_exceeded=sum(lim.used > lim.max_chars for lim in limits))


def draft_document(draft: Draft, template: Template) -> Document:
    """The draft as a parsed document (group and question sections), for the coverage check."""
    sections: list[Section] = []
    seen_groups: set[str] = set()
    for dq in draft.questions:
        if dq.group and dq.group not in seen_groups:
            seen_groups.add(dq.group)
            sections.append(Section(number=dq.group, title=dq.group_title or dq.group,
                                    heading_path=[dq.group_title or dq.group], level=1))
        path = [p for p in (dq.group_title, dq.title) if p]
        if dq.answer_type == "table":
            rows = [dq.columns, *(r.cells for r in dq.rows)] if dq.rows else []
            blocks = [Block(kind=BlockKind.TABLE, text="\n".join(" | ".join(r) for r in rows), rows=rows)] \
                if rows else []
        elif dq.answer_type == "choice":
            blocks = []
        else:
            blocks = [Block(kind=BlockKind.PARAGRAPH, text=p.text) for p in dq.parts]
        sections.append(Section(number=dq.id if dq.group else None, title=dq.title, heading_path=path,
                                level=2 if dq.group else 1, question=dq.question_text, blocks=blocks))
    name = f"utkast-{template.id}"
    return Document(id=name, source=name, filename=f"{name}.docx", format="docx",
                    metadata=DocumentMetadata(title=f"Utkast: {template.title}", doc_type="återrapportering",
                                              years=[template.year] if template.year else []),
                    sections=sections)


def draft_json(draft: Draft) -> dict:
    """The JSON shape of a draft (``underlag draft --json``)."""
    return draft.model_dump(mode="json")
