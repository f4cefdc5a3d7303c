"""Coverage check: does a draft answer every template question, cover the required
elements and keep within the character limits?

Public API (pure; models and templates are passed in)::

    check_coverage(draft: Document, template: Template, embedder: Embedder,
                   analyzer: Analyzer, thresholds: Thresholds = Thresholds()) -> CoverageReport
    map_sections(draft: Document, template: Template, embedder: Embedder) -> dict[str, SectionMatch]
    element_status(element: Element, sentences: list[str], vectors: np.ndarray | None,
                   description_vector: np.ndarray | None, analyzer: Analyzer,
                   thresholds: Thresholds = Thresholds(), required: bool = True,
                   owners: list[str] | None = None, gazetteer: Gazetteer | None = None,
                   form: list[bool] | None = None) -> ElementResult
    form_sentences(sections: list[Section], analyzer: Analyzer) -> set[str]
    lexical_groups(element: Element, sentence: str, analyzer: Analyzer) -> set[int]
    coverage_json(report: CoverageReport) -> dict

How an element is recognised. An element that declares its ``evidence``
(every element of the shipped templates does) is ``covered`` only by evidence
of its kind (review/evidence.py): named actors, places or kinds of area, goals
named, each sustainability dimension, challenges or success factors stated as
such, figures; items count in sentences close enough in meaning to the element
(``evidence.floor``) and the answer needs ``evidence.min`` distinct ones. The
topic in words without the specifics, too few items, or a sentence close only
in meaning make it ``weak`` with a Swedish reason ("nämner samverkan men inga
namngivna aktörer"). An element without ``evidence`` is judged as before:
every sentence of the answer gets a *lexical*
score (the share of the element's word groups it names, e.g. two kinds of
actors out of the two required) and a *semantic* score (cosine between the
sentence and the element's description, both embedded). An element is
``covered`` when a sentence names it in words and means it (semantic score
above a floor), ``weak`` when it is only named in passing or only close in
meaning, and ``missing`` otherwise. Elements with several word groups (actors,
the three sustainability dimensions) may collect their groups across sentences.
The thresholds (:class:`Thresholds`) are calibrated for multilingual-e5-small;
with an embedder whose cosines sit lower (the test HashingEmbedder), named
elements come out ``weak`` rather than ``covered``.

JSON field names of :class:`CoverageReport` (extend, never rename):
``template``, ``draft``, ``document_id``, ``questions`` (list of QuestionCoverage),
``shared`` (list of SharedCoverage: ``questions``, ``elements``: elements asked
for throughout several questions, checked over their joined answers),
``limits`` (list of LimitUse), ``summary`` (``questions``, ``answered``,
``missing``, ``elements_covered``, ``elements_weak``, ``elements_missing``,
``limits_exceeded``, ``tables_over``).
QuestionCoverage: ``id``, ``title``, ``answer_type``, ``status`` ("answered" |
``missing``), ``section`` (the draft's section number or title), ``matched_by``
("number" | "title" | "meaning" | null), ``match_score``, ``chars``, ``limit``
(LimitUse or null), ``items``, ``max_items``, ``choice``, ``elements``.
ElementResult: ``id``, ``label``, ``required``, ``status`` ("covered" | "weak" |
"missing"), ``score`` (0..1), ``lexical``, ``semantic``, ``sentence`` (the
sentence that covers it), ``question`` (whose answer holds that sentence),
``reason`` (why, in Swedish), ``evidence`` (the specifics found: actors,
places, goals, dimensions, statements, figures), ``evidence_kind``.
LimitUse: ``questions``, ``max_chars``, ``used``, ``over``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from nlp.analyzer import Analyzer
from nlp.embed import Embedder
from nlp.gazetteer import Gazetteer, load_gazetteer
from review.evidence import SentenceEvidence, decide, find_evidence, sentence_words
from review.templates import CharLimit, Element, Question, Template
from underlag.model import BlockKind, Document, Section

#: ``progress(stage, share done)``, called as a long check goes.
Progress = Callable[[str, float], None]

Status = Literal["covered", "weak", "missing"]
# An answer shorter than this (after removing template text) is treated as no answer.
MIN_ANSWER_CHARS = 40


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Thresholds(_Model):
    """Where the semantic score starts to count (calibrated for multilingual-e5-small).

    e5 cosines between Swedish sentences lie mostly in 0.70..0.90; ``low``
    is the floor a sentence that names an element must reach to cover it,
    ``high`` the similarity that makes a sentence weak evidence on meaning alone.
    """

    low: float = 0.78
    high: float = 0.86
    # Minimum similarity for mapping a draft section to a question by meaning.
    mapping: float = 0.82


class ElementResult(_Model):
    id: str
    label: str
    required: bool = True
    status: Status
    score: float
    lexical: float
    semantic: float
    sentence: str | None = None
    # The question whose answer holds ``sentence`` (for elements shared by several questions).
    question: str | None = None
    # Why the verdict, in Swedish: the evidence that made it covered, or what is missing
    # ("nämner samverkan men inga namngivna aktörer").
    reason: str | None = None
    # The specifics found (named actors, places, goals, dimensions, figures, statements).
    evidence: list[str] = []
    # What counts as evidence for the element (its template's ``evidence.kind``), if declared.
    evidence_kind: str | None = None


class SharedCoverage(_Model):
    """Elements asked for throughout several questions, checked over their joined answers."""

    questions: list[str]
    elements: list[ElementResult]


class LimitUse(_Model):
    questions: list[str]
    max_chars: int
    used: int
    over: bool


class QuestionCoverage(_Model):
    id: str
    title: str
    answer_type: str
    status: Literal["answered", "missing"]
    section: str | None = None
    matched_by: Literal["number", "title", "meaning"] | None = None
    match_score: float | None = None
    chars: int = 0
    limit: LimitUse | None = None
    items: int | None = None
    max_items: int | None = None
    choice: list[str] = []
    elements: list[ElementResult] = []


class CoverageSummary(_Model):
    questions: int
    answered: int
    missing: int
    elements_covered: int
    elements_weak: int
    elements_missing: int
    limits_exceeded: int
    tables_over: int


class CoverageReport(_Model):
    template: str
    draft: str
    document_id: str | None = None
    questions: list[QuestionCoverage]
    shared: list[SharedCoverage] = []
    limits: list[LimitUse]
    summary: CoverageSummary


class SectionMatch(_Model):
    """Where a question's answer is in the draft."""

    start: int  # index of the draft section
    matched_by: Literal["number", "title", "meaning"]
    score: float


# -- answers ------------------------------------------------------------------------

def _unit_end(sections: list[Section], i: int) -> int:
    """End (exclusive) of section ``i`` with its subsections (deeper levels that follow)."""
    j = i + 1
    while j < len(sections) and sections[j].level > sections[i].level and not (
            sections[j].number and sections[i].number
            and not sections[j].number.startswith(sections[i].number + ".")):
        j += 1
    return j


def answer_sections(draft: Document, start: int) -> list[Section]:
    """The draft section at ``start`` and the subsections that belong to its answer."""
    return draft.sections[start:_unit_end(draft.sections, start)]


def answer_text(sections: list[Section]) -> str:
    """The answer's text (template instructions left out; subsection headings kept)."""
    parts = []
    for k, s in enumerate(sections):
        if k and s.title:
            parts.append(s.title)
        if s.text:
            parts.append(s.text)
    return "\n\n".join(parts)


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def map_sections(draft: Document, template: Template, embedder: Embedder,
                 thresholds: Thresholds = Thresholds()) -> dict[str, SectionMatch]:
    """Which draft section answers which question: by number, else by title, else by meaning."""
    secs = draft.sections
    found: dict[str, SectionMatch] = {}
    used: set[int] = set()
    by_number = {s.number: i for i, s in enumerate(secs) if s.number}
    for q in template.questions:
        i = by_number.get(q.id)
        if i is not None:
            found[q.id] = SectionMatch(start=i, matched_by="number", score=1.0)
            used.add(i)
    by_title = {_norm(s.title): i for i, s in enumerate(secs)}
    for q in template.questions:
        if q.id in found:
            continue
        i = by_title.get(_norm(q.title))
        if i is None:
            i = by_title.get(_norm(q.text))
        if i is not None and i not in used:
            found[q.id] = SectionMatch(start=i, matched_by="title", score=1.0)
            used.add(i)
    rest_q = [q for q in template.questions if q.id not in found]
    # A section whose subsections hold a matched answer (a title or group heading) is not
    # an answer itself: its unit would swallow the answers below it.
    rest_s = [i for i, s in enumerate(secs)
              if i not in used and not used.intersection(range(i, _unit_end(secs, i)))
              and len(answer_text(answer_sections(draft, i))) >= MIN_ANSWER_CHARS]
    if not rest_q or not rest_s:
        return found
    qv = embedder.encode_queries([f"{q.title}. {q.text}" for q in rest_q])
    sv = embedder.encode_passages([
        f"{secs[i].title}\n{answer_text(answer_sections(draft, i))[:600]}" for i in rest_s])
    sims = qv @ sv.T
    # Greedy one-to-one assignment, best pairs first.
    pairs = sorted(((float(sims[a, b]), a, b) for a in range(len(rest_q)) for b in range(len(rest_s))),
                   reverse=True)
    taken_q: set[int] = set()
    for score, a, b in pairs:
        if score < thresholds.mapping:
            break
        if a in taken_q or rest_s[b] in used:
            continue
        found[rest_q[a].id] = SectionMatch(start=rest_s[b], matched_by="meaning", score=round(score, 4))
        taken_q.add(a)
        used.add(rest_s[b])
    return found


# -- elements -----------------------------------------------------------------------

def lexical_groups(element: Element, sentence: str, analyzer: Analyzer) -> set[int]:
    """Indexes of the element's word groups the sentence names.

    An alternative with a space is a phrase looked for in the text; a single
    word matches a word, lemma or compound part that begins with it. One of the
    element's ``phrases`` names all groups at once.
    """
    low, words = sentence_words(sentence, analyzer)
    if any(ph.lower() in low for ph in element.phrases):
        return set(range(len(element.groups)))
    hit = set()
    for gi, group in enumerate(element.groups):
        for alt in group:
            alt = alt.lower()
            if (" " in alt and alt in low) or (" " not in alt and any(w.startswith(alt) for w in words)):
                hit.add(gi)
                break
    return hit


def _semantic_score(sem: float, t: Thresholds) -> float:
    return float(np.clip((sem - (t.low - 0.08)) / (t.high + 0.04 - (t.low - 0.08)), 0.0, 1.0))


def element_status(element: Element, sentences: list[str], vectors: np.ndarray | None,
                   description_vector: np.ndarray | None, analyzer: Analyzer,
                   thresholds: Thresholds = Thresholds(), required: bool = True,
                   owners: list[str] | None = None, gazetteer: Gazetteer | None = None,
                   form: list[bool] | None = None) -> ElementResult:
    """Whether an answer's sentences cover an element, the sentence that does, and why.

    ``vectors`` are the sentences' embeddings and ``description_vector`` the
    element description's (as a query); without them only words count.
    ``owners`` names the question each sentence comes from. An element that
    declares its evidence (``element.evidence``) is covered only by evidence of
    that kind (review/evidence.py), found with ``gazetteer`` (default: the
    package's ``nlp/data/gazetteer.yaml``); one that does not is judged by words
    and meaning as before. ``form`` marks the sentences of tables and Ja/Nej choices
    (:func:`form_sentences`): they give the topic but no evidence.
    """
    t = thresholds
    sems = (vectors @ description_vector) if vectors is not None and description_vector is not None \
        and len(sentences) else np.zeros(len(sentences))
    groups_per = [lexical_groups(element, s, analyzer) for s in sentences]
    if element.evidence is not None:
        return _evidence_status(element, sentences, [float(x) for x in sems], groups_per, analyzer, t,
                                required, owners, gazetteer or load_gazetteer(), form)
    need = max(1, element.min_groups)
    best: tuple[int, float, int, float, float] | None = None  # (rank, score, index, lex, sem)
    union: set[int] = set()
    for g in groups_per:
        union |= g
    union_full = len(union) >= need
    for i, (s, groups) in enumerate(zip(sentences, groups_per)):
        lex = min(1.0, len(groups) / need)
        sem = float(sems[i])
        if groups and (lex >= 1.0 or union_full) and sem >= t.low:
            rank = 2
        elif groups or sem >= t.high:
            rank = 1
        else:
            rank = 0
        score = 0.5 * lex + 0.5 * _semantic_score(sem, t)
        cand = (rank, score, i, lex, sem)
        if best is None or cand[:2] > best[:2]:
            best = cand
    if best is None:
        return ElementResult(id=element.id, label=element.label, required=required, status="missing",
                             score=0.0, lexical=0.0, semantic=0.0, reason="svaret har inga meningar")
    rank, score, i, lex, sem = best
    status: Status = ("missing", "weak", "covered")[rank]  # type: ignore[assignment]
    words = _named_words(element, sentences[i], analyzer) if rank else []
    reason = (f"nämner {', '.join(words)}" if words else "liknar kravet till innehållet") if rank \
        else "varken orden eller innebörden finns i svaret"
    return ElementResult(id=element.id, label=element.label, required=required, status=status,
                         score=round(score, 4), lexical=round(lex, 3), semantic=round(sem, 4),
                         sentence=sentences[i].strip() if rank else None,
                         question=owners[i] if owners and rank else None, reason=reason, evidence=words)


def _named_words(element: Element, sentence: str, analyzer: Analyzer) -> list[str]:
    """The alternatives of the element's word groups that a sentence names (for the reason)."""
    low, words = sentence_words(sentence, analyzer)
    out = [ph for ph in element.phrases if ph.lower() in low]
    for group in element.groups:
        for alt in group:
            a = alt.lower()
            if (" " in a and a in low) or (" " not in a and any(w.startswith(a) for w in words)):
                out.append(alt)
                break
    return out


def _evidence_status(element: Element, sentences: list[str], sems: list[float],
                     groups_per: list[set[int]], analyzer: Analyzer, t: Thresholds, required: bool,
                     owners: list[str] | None, gazetteer: Gazetteer, form: list[bool] | None) -> ElementResult:
    ev = element.evidence
    assert ev is not None
    # A table row (cells joined by " | ") lists insatser; the question asks the prose to say
    # it, so rows give the topic (weak) but no evidence (tune case c131: a row naming all
    # three dimensions in an answer whose prose on them was removed). The same holds for a
    # sentence inside a table cell (no " | " of its own: c093's "Delmål 4 ... kommuner i
    # Region Örebro och Bergslagen" was cited as a place) and for the form's Ja/Nej
    # priorities ("Tillvarata digitaliseringens möjligheter: Ja Nej" counted as a challenge).
    form = form or [False] * len(sentences)
    per = []
    for s, g, sem, f in zip(sentences, groups_per, sems, form):
        items, mentions = ((), ()) if f or " | " in s else find_evidence(ev.kind, s, analyzer, gazetteer)
        per.append(SentenceEvidence(items=tuple(items), topic=bool(g), semantic=sem, mentions=tuple(mentions)))
    v = decide(element, per, t.high)
    need = max(1, ev.min)
    if v.index is None:
        return ElementResult(id=element.id, label=element.label, required=required, status="missing",
                             score=0.0, lexical=0.0, semantic=round(max(sems, default=0.0), 4),
                             reason=v.reason, evidence_kind=ev.kind)
    i = v.index
    lex = min(1.0, len(v.items) / need) if v.status == "covered" else min(0.99, len(v.items) / need)
    score = 0.5 * lex + 0.5 * _semantic_score(sems[i], t)
    return ElementResult(id=element.id, label=element.label, required=required, status=v.status,
                         score=round(score, 4), lexical=round(lex, 3), semantic=round(sems[i], 4),
                         sentence=sentences[i].strip(), question=owners[i] if owners else None,
                         reason=v.reason, evidence=list(v.items), evidence_kind=ev.kind)


def form_sentences(sections: list[Section], analyzer: Analyzer) -> set[str]:
    """The sentences of an answer's tables and Ja/Nej choices (no evidence: see element_status)."""
    return {x for sec in sections for b in sec.blocks if b.kind in (BlockKind.TABLE, BlockKind.CHOICE)
            for x in split_sentences(b.text, analyzer)}


def split_sentences(text: str, analyzer: Analyzer) -> list[str]:
    """The answer's sentences (each line of a table counts as one)."""
    out = []
    for para in text.split("\n"):
        for a, b in analyzer.sentences(para):
            s = para[a:b].strip()
            if len(s) > 3:
                out.append(s)
    return out


# -- the check ------------------------------------------------------------------------

def _table_items(sections: list[Section]) -> int | None:
    """Insatser in the answer's tables: their rows after the header row, empty rows left out."""
    tables = [b for s in sections for b in s.blocks if b.kind is BlockKind.TABLE]
    if not tables:
        return None
    return sum(1 for b in tables for r in (b.rows or [])[1:] if any(c.strip() for c in r))


def _limit_use(limit: CharLimit, chars: dict[str, int]) -> LimitUse:
    used = sum(chars.get(q, 0) for q in limit.questions)
    return LimitUse(questions=limit.questions, max_chars=limit.max_chars, used=used,
                    over=used > limit.max_chars)


#: Sentences embedded per call when progress is reported: a 40-page draft has ~600,
#: so the page sees the share move every second or two on a shared machine.
PROGRESS_BATCH = 64


def _embed_sentences(embedder: Embedder, flat: list[str], progress: Progress | None) -> np.ndarray:
    if not flat:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    if progress is None:
        return embedder.encode_passages(flat)
    parts = []
    for start in range(0, len(flat), PROGRESS_BATCH):
        parts.append(embedder.encode_passages(flat[start:start + PROGRESS_BATCH]))
        progress("embedding", 0.1 + 0.8 * min(len(flat), start + PROGRESS_BATCH) / len(flat))
    return np.vstack(parts)


def check_coverage(draft: Document, template: Template, embedder: Embedder, analyzer: Analyzer,
                   thresholds: Thresholds = Thresholds(), gazetteer: Gazetteer | None = None,
                   progress: Progress | None = None) -> CoverageReport:
    """Check a parsed draft against a template: answers, elements, limits and table sizes.

    ``gazetteer`` holds the names elements' evidence is looked for with (actors,
    places, goals); default: the package's ``nlp/data/gazetteer.yaml``.
    ``progress(stage, share)`` (optional) hears "mapping", "embedding" and "elements"
    with the share of the work done (0..1).
    """
    gazetteer = gazetteer or load_gazetteer()
    if progress is not None:
        progress("mapping", 0.0)
    matches = map_sections(draft, template, embedder, thresholds)
    answers = {qid: answer_sections(draft, m.start) for qid, m in matches.items()}
    texts = {qid: answer_text(secs) for qid, secs in answers.items()}
    chars = {qid: len(t) for qid, t in texts.items()}

    # Embed every sentence of every prose answer (and each element description) in one go.
    in_shared = {qid for sh in template.shared_elements for qid in sh.questions}
    sentences: dict[str, list[str]] = {}
    for q in template.questions:
        if q.id in texts and q.answer_type == "prose" and (q.elements or q.optional_elements
                                                          or q.id in in_shared):
            sentences[q.id] = split_sentences(texts[q.id], analyzer)
    form = {qid: form_sentences(answers[qid], analyzer) for qid in sentences}
    flat = [s for ss in sentences.values() for s in ss]
    if progress is not None:
        progress("embedding", 0.1)
    vecs = _embed_sentences(embedder, flat, progress)
    if progress is not None:
        progress("elements", 0.9)
    desc = {e.id: v for e, v in zip(template.elements,
                                     embedder.encode_queries([e.description for e in template.elements]))
            } if template.elements else {}
    offsets: dict[str, tuple[int, int]] = {}
    pos = 0
    for qid, ss in sentences.items():
        offsets[qid] = (pos, pos + len(ss))
        pos += len(ss)

    limit_uses = [_limit_use(lim, chars) for lim in template.limits]
    results = []
    for q in template.questions:
        results.append(_question_coverage(q, template, matches.get(q.id), draft, answers.get(q.id, []),
                                          texts.get(q.id, ""), sentences.get(q.id, []),
                                          vecs[slice(*offsets[q.id])] if q.id in offsets else None,
                                          desc, analyzer, thresholds, limit_uses, gazetteer,
                                          [x in form[q.id] for x in sentences[q.id]] if q.id in form else []))
    shared = []
    for sh in template.shared_elements:
        qids = [qid for qid in sh.questions if qid in offsets]
        ss = [x for qid in qids for x in sentences[qid]]
        owners = [qid for qid in qids for _ in sentences[qid]]
        in_form = [x in form[qid] for qid in qids for x in sentences[qid]]
        sv = np.vstack([vecs[slice(*offsets[qid])] for qid in qids]) if qids else None
        shared.append(SharedCoverage(questions=sh.questions, elements=[
            element_status(template.element(eid), ss, sv, desc.get(eid), analyzer, thresholds,
                           owners=owners, gazetteer=gazetteer, form=in_form) for eid in sh.elements]))
    flat_el = [e for r in results for e in r.elements if e.required] + \
        [e for sh in shared for e in sh.elements]
    summary = CoverageSummary(
        questions=len(results), answered=sum(r.status == "answered" for r in results),
        missing=sum(r.status == "missing" for r in results),
        elements_covered=sum(e.status == "covered" for e in flat_el),
        elements_weak=sum(e.status == "weak" for e in flat_el),
        elements_missing=sum(e.status == "missing" for e in flat_el),
        limits_exceeded=sum(u.over for u in limit_uses),
        tables_over=sum(1 for r in results if r.items is not None and r.max_items and r.items > r.max_items))
    return CoverageReport(template=template.id, draft=draft.filename, document_id=draft.id,
                          questions=results, shared=shared, limits=limit_uses, summary=summary)


def _question_coverage(q: Question, template: Template, match: SectionMatch | None, draft: Document,
                       secs: list[Section], text: str, sentences: list[str], vecs: np.ndarray | None,
                       desc: dict[str, np.ndarray], analyzer: Analyzer, thresholds: Thresholds,
                       limit_uses: list[LimitUse], gazetteer: Gazetteer, form: list[bool]) -> QuestionCoverage:
    items = _table_items(secs) if secs else None
    choices = [b.choice for s in secs for b in s.blocks if b.kind is BlockKind.CHOICE and b.choice]
    answered = bool(secs) and (len(text.strip()) >= MIN_ANSWER_CHARS or bool(items) or bool(choices))
    limit = next((u for u in limit_uses if q.id in u.questions), None)
    if limit is None and q.max_chars:
        limit = LimitUse(questions=[q.id], max_chars=q.max_chars, used=len(text),
                         over=len(text) > q.max_chars)
    elements = []
    for eid, required in [*((e, True) for e in q.elements), *((e, False) for e in q.optional_elements)]:
        el = template.element(eid)
        if not answered:
            elements.append(ElementResult(id=el.id, label=el.label, required=required, status="missing",
                                          score=0.0, lexical=0.0, semantic=0.0, reason="frågan är obesvarad",
                                          evidence_kind=el.evidence.kind if el.evidence else None))
            continue
        elements.append(element_status(el, sentences, vecs, desc.get(eid), analyzer, thresholds, required,
                                       owners=[q.id] * len(sentences), gazetteer=gazetteer, form=form))
    sec = draft.sections[match.start] if match else None
    return QuestionCoverage(
        id=q.id, title=q.title, answer_type=q.answer_type,
        status="answered" if answered else "missing",
        section=(sec.number or sec.title) if sec else None,
        matched_by=match.matched_by if match else None, match_score=match.score if match else None,
        chars=len(text), limit=limit, items=items if q.answer_type == "table" or q.max_items else None,
        max_items=q.max_items, choice=choices, elements=elements)


def coverage_json(report: CoverageReport) -> dict:
    """The JSON shape of a coverage report (``underlag coverage --json``)."""
    return report.model_dump(mode="json")
