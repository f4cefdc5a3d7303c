"""Year-over-year reuse: how much of each answer of a report repeats earlier reports.

Public API (pure text; no models)::

    answer_units(doc: Document) -> list[AnswerUnit]
    reuse_report(report: Document, earlier: list[Document], *, ngram: int = NGRAM) -> ReuseReport
    reuse_json(r: ReuseReport) -> dict

How: the earlier reports' paragraphs, list items and table rows are cut into word
n-gram shingles (``ngram`` = 5 lower-cased words). A word of the report is
*repeated* when some n-gram containing it occurs in an earlier report; runs of
repeated words separated by at most :data:`BRIDGE` new words (a changed number
or name inside a copied paragraph) are joined, and runs shorter than
:data:`MIN_RUN` words are dropped (a set phrase such as "den regionala
utvecklingsstrategin" is shared by chance; on the sample corpus no run under 12
words was a copied passage). An answer's ``share`` is the characters inside runs
over its characters; each run is attributed to the earlier paragraph that shares
most of its n-grams, and its ``similarity`` is the share of its words that
:class:`difflib.SequenceMatcher` aligns with that paragraph (1.0: copied word
for word; a run that continues into the next earlier paragraph scores lower). An answer is ``repeated``
from a share of :data:`REPEATED`, ``new`` below :data:`NEW`, ``partly`` between.

An answer is a question's section and the subsections under it (numbered
sections start answers; unnumbered ones deeper than the current answer belong
to it); template instructions are left out.

JSON field names of :class:`ReuseReport` (extend, never rename): ``report``,
``document_id``, ``against`` (``document_id``, ``filename``, ``title``,
``year``), ``ngram``, ``questions`` (``id``, ``title``, ``chars``,
``repeated_chars``, ``share``, ``status`` ("repeated" | "partly" | "new"),
``spans`` (``text``, ``start``, ``end``, ``chars``, ``document``,
``document_id``, ``filename``, ``section``, ``year``, ``similarity``; longest
first), ``sources`` (``document``, ``filename``, ``year``, ``chars``)),
``summary`` (``questions``, ``repeated``, ``partly``, ``new``, ``chars``,
``repeated_chars``, ``share``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from difflib import SequenceMatcher
from typing import Literal

from pydantic import BaseModel, ConfigDict

from underlag.model import BlockKind, Document

NGRAM = 5
# New words allowed inside one repeated run (an edited number, name or year).
BRIDGE = 2
# Shorter runs are set phrases, not reuse.
MIN_RUN = 12
REPEATED = 0.5
NEW = 0.2
# Longest spans kept per answer.
SPANS = 5
_WORD = re.compile(r"\w+")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class AnswerUnit(_Model):
    id: str
    title: str
    text: str


class ReuseSpan(_Model):
    text: str
    start: int
    end: int
    chars: int
    document: str
    document_id: str
    filename: str
    section: str | None = None
    year: int | None = None
    similarity: float


class ReuseSource(_Model):
    document: str
    filename: str
    year: int | None = None
    chars: int


class ReuseQuestion(_Model):
    id: str
    title: str
    chars: int
    repeated_chars: int
    share: float
    status: Literal["repeated", "partly", "new"]
    spans: list[ReuseSpan] = []
    sources: list[ReuseSource] = []


class EarlierDocument(_Model):
    document_id: str
    filename: str
    title: str
    year: int | None = None


class ReuseSummary(_Model):
    questions: int
    repeated: int
    partly: int
    new: int
    chars: int
    repeated_chars: int
    share: float


class ReuseReport(_Model):
    report: str
    document_id: str
    against: list[EarlierDocument]
    ngram: int
    questions: list[ReuseQuestion]
    summary: ReuseSummary


def answer_units(doc: Document) -> list[AnswerUnit]:
    """The report's answers: a numbered section with the unnumbered subsections under it."""
    units: list[tuple[str, str, int, list[str]]] = []  # id, title, level, texts
    for s in doc.sections:
        starts = s.number is not None or not units or s.level <= units[-1][2]
        if starts:
            units.append((s.number or s.title, s.title, s.level, []))
        elif s.title:
            units[-1][3].append(s.title)
        if s.text:
            units[-1][3].append(s.text)
    return [AnswerUnit(id=i, title=t, text="\n\n".join(texts)) for i, t, _, texts in units
            if sum(len(x) for x in texts) >= 40]


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]


def _year(doc: Document) -> int | None:
    return max(doc.metadata.years) if doc.metadata.years else None


class _Source(_Model):
    doc: int
    section: str | None
    words: list[str]


def _sources(earlier: list[Document]) -> list[_Source]:
    """Every paragraph, list item and table row of the earlier reports, as words."""
    out = []
    for k, d in enumerate(earlier):
        for s in d.sections:
            for b in s.blocks:
                if b.kind is BlockKind.INSTRUCTION or b.kind is BlockKind.CHOICE:
                    continue
                lines = [" ".join(r) for r in b.rows] if b.rows else [b.text]
                for line in lines:
                    words = [w for w, _, _ in _tokens(line)]
                    if len(words) >= NGRAM:
                        out.append(_Source(doc=k, section=s.number or s.title, words=words))
    return out


def _runs(covered: list[bool]) -> list[tuple[int, int]]:
    """Runs of covered words (first, last+1), joined over gaps of at most BRIDGE words."""
    runs: list[list[int]] = []
    for i, c in enumerate(covered):
        if not c:
            continue
        if runs and i - runs[-1][1] <= BRIDGE:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1])
    return [(a, b) for a, b in runs if b - a >= MIN_RUN]


def reuse_report(report: Document, earlier: list[Document], *, ngram: int = NGRAM) -> ReuseReport:
    """For each answer of ``report``: the share of its text that repeats ``earlier`` reports."""
    earlier = [d for d in earlier if d.id != report.id]
    sources = _sources(earlier)
    where: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for k, src in enumerate(sources):
        for i in range(len(src.words) - ngram + 1):
            g = tuple(src.words[i:i + ngram])
            if not where[g] or where[g][-1] != k:
                where[g].append(k)

    questions = []
    for unit in answer_units(report):
        toks = _tokens(unit.text)
        words = [w for w, _, _ in toks]
        covered = [False] * len(toks)
        hits: list[list[int]] = [[] for _ in toks]  # source paragraphs per n-gram start
        for i in range(len(words) - ngram + 1):
            found = where.get(tuple(words[i:i + ngram]))
            if found:
                hits[i] = found
                for j in range(i, i + ngram):
                    covered[j] = True
        spans: list[ReuseSpan] = []
        per_doc: Counter[int] = Counter()
        for a, b in _runs(covered):
            votes = Counter(k for i in range(a, b) for k in hits[i])
            k = votes.most_common(1)[0][0]
            src = sources[k]
            start, end = toks[a][1], toks[b - 1][2]
            doc = earlier[src.doc]
            matcher = SequenceMatcher(None, words[a:b], src.words, autojunk=False)
            sim = sum(m.size for m in matcher.get_matching_blocks()) / (b - a)
            spans.append(ReuseSpan(
                text=unit.text[start:end], start=start, end=end, chars=end - start,
                document=doc.metadata.title or doc.filename, document_id=doc.id, filename=doc.filename,
                section=src.section, year=_year(doc), similarity=round(sim, 3)))
            per_doc[src.doc] += end - start
        total = len(unit.text.strip())
        rep = min(total, sum(s.chars for s in spans))
        share = rep / total if total else 0.0
        status = "repeated" if share >= REPEATED else "new" if share < NEW else "partly"
        spans.sort(key=lambda s: -s.chars)
        questions.append(ReuseQuestion(
            id=unit.id, title=unit.title, chars=total, repeated_chars=rep, share=round(share, 4), status=status,
            spans=spans[:SPANS],
            sources=[ReuseSource(document=earlier[k].metadata.title or earlier[k].filename,
                                 filename=earlier[k].filename, year=_year(earlier[k]), chars=n)
                     for k, n in per_doc.most_common()]))
    chars = sum(q.chars for q in questions)
    rep = sum(q.repeated_chars for q in questions)
    return ReuseReport(
        report=report.filename, document_id=report.id,
        against=[EarlierDocument(document_id=d.id, filename=d.filename, title=d.metadata.title or d.filename,
                                 year=_year(d)) for d in earlier],
        ngram=ngram, questions=questions,
        summary=ReuseSummary(questions=len(questions), repeated=sum(q.status == "repeated" for q in questions),
                             partly=sum(q.status == "partly" for q in questions),
                             new=sum(q.status == "new" for q in questions), chars=chars, repeated_chars=rep,
                             share=round(rep / chars, 4) if chars else 0.0))


def reuse_json(r: ReuseReport) -> dict:
    """The JSON shape of a reuse report (``underlag reuse --json``)."""
    return r.model_dump(mode="json")
