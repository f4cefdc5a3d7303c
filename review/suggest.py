"""Draft-section suggestions: earlier passages that together answer a template question.

Public API::

    suggest(question: str | Question, template: Template, index: SearchIndex, *,
            exclude_document: str | None = None, prefer_recent: bool = False,
            max_chars: int | None = None, exclude_passages: Collection[str] = (),
            exclude_documents: Collection[str] = ()) -> Suggestion
    suggestion_json(s: Suggestion) -> dict

How: candidates come from the hybrid index for the question (with its group's
title for context) and for each required element; their stored vectors are
compared with the question and with each element's description. A greedy
maximal-marginal-relevance selection then picks passages that are relevant,
add an element the draft does not cover yet and do not repeat what is already
chosen, until the question's character budget (its share of a shared limit)
is used; the last passage is cut at a sentence boundary to fit. Each part cites
its passage (document, section, year). Elements that the chosen text does not
cover are listed in ``uncovered``.

JSON field names of :class:`Suggestion` (extend, never rename): ``template``,
``question``, ``title``, ``question_text``, ``budget``, ``chars``, ``draft``
(the parts joined by blank lines), ``parts`` (``text``, ``citation`` (1-based
number), ``elements`` (ids it covers), ``trimmed``, ``relevance``), ``citations`` (``n``,
``passage_id``, ``document``, ``document_id``, ``filename``, ``section``,
``section_title``, ``year``, ``page``), ``elements`` (ElementResult of
:mod:`review.coverage` for the draft), ``uncovered`` (element ids not covered),
``excluded_document``, ``prefer_recent``.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
from pydantic import BaseModel, ConfigDict

from index.search import SearchIndex
from underlag.errors import UnknownDocumentError
from review.coverage import ElementResult, element_status, lexical_groups, split_sentences
from review.templates import Element, Question, Template
from underlag.model import Passage

# Budget for questions without a character limit (tables, free questions).
DEFAULT_BUDGET = 3000
# A passage is not started when less than this is left of the budget.
MIN_PART_CHARS = 150
# MMR weights: the bonus for covering elements not yet covered (relative to relevance)
# and the penalty for repeating a chosen passage.
ELEMENT_WEIGHT = 1.0
REDUNDANCY_WEIGHT = 0.6
# Near-duplicates (the same paragraph in two reports) are never both chosen.
DUPLICATE_SIM = 0.96
CANDIDATES_PER_QUERY = 30


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Citation(_Model):
    n: int
    passage_id: str
    document: str
    document_id: str
    filename: str
    section: str | None = None
    section_title: str
    year: int | None = None
    page: int | None = None


class DraftPart(_Model):
    text: str
    citation: int
    elements: list[str] = []
    trimmed: bool = False
    # Cosine between the passage and the question (e5 query vs passage); what a
    # whole-report draft weighs when it divides a shared limit between questions.
    relevance: float | None = None


class Suggestion(_Model):
    template: str
    question: str
    title: str
    question_text: str
    budget: int
    chars: int
    draft: str
    parts: list[DraftPart]
    citations: list[Citation]
    elements: list[ElementResult] = []
    uncovered: list[str] = []
    excluded_document: str | None = None
    prefer_recent: bool = False


def question_elements(question: Question, template: Template) -> list[tuple[Element, bool]]:
    """The elements an answer to ``question`` should cover: its own, the ones it shares
    with its group (required), then the optional ones."""
    ids: list[tuple[str, bool]] = [(e, True) for e in question.elements]
    for sh in template.shared_elements:
        if question.id in sh.questions:
            ids += [(e, True) for e in sh.elements if e not in dict(ids)]
    ids += [(e, False) for e in question.optional_elements if e not in dict(ids)]
    return [(template.element(e), req) for e, req in ids]


def _context(question: Question) -> str:
    return f"{question.group_title}: {question.text}" if question.group_title else question.text


def trim_to(text: str, budget: int, sentences) -> tuple[str, bool]:
    """``text`` cut to at most ``budget`` characters at a sentence boundary.

    Returns ("", True) when not even the first sentence fits: a draft of half
    sentences is worse than a shorter one, and the caller tries the next passage.
    """
    if len(text) <= budget:
        return text, False
    cut = 0
    for _, end in sentences(text):
        if end <= budget:
            cut = end
        else:
            break
    return (text[:cut].rstrip(), True) if cut >= MIN_PART_CHARS // 2 else ("", True)


def resolve_documents(index: SearchIndex, refs: Collection[str | None]) -> list[str]:
    """The ids of the documents ``refs`` name (id, id prefix or file name; empty ones skipped),
    each once, in order; :class:`UnknownDocumentError` for one that names no single document."""
    ids: list[str] = []
    for ref in refs:
        if not ref:
            continue
        doc_id = index.resolve(ref)
        if doc_id is None:
            raise UnknownDocumentError(f"no document {ref!r} in the index; see `underlag documents`")
        if doc_id not in ids:
            ids.append(doc_id)
    return ids


def suggest(question: str | Question, template: Template, index: SearchIndex, *,
            exclude_document: str | None = None, prefer_recent: bool = False,
            max_chars: int | None = None, exclude_passages: Collection[str] = (),
            exclude_documents: Collection[str] = ()) -> Suggestion:
    """A cited draft answer to a template question from earlier reports in the index.

    ``exclude_passages`` (passage ids) are never chosen: a whole-report draft
    passes the ones earlier questions already use. ``exclude_documents`` (ids, id
    prefixes or file names, as ``exclude_document``) are left out besides it.
    """
    q = template.question(question) if isinstance(question, str) else question
    if index.embedder is None:
        raise ValueError("suggestions need an index opened with an embedding model")
    left_out = resolve_documents(index, [exclude_document, *exclude_documents])
    excluded = left_out[0] if exclude_document else None
    budget = max_chars or template.budget(q.id) or DEFAULT_BUDGET
    elements = question_elements(q, template)
    context = _context(q)
    prefix = f"{q.group_title}: " if q.group_title else ""
    queries = [context, *(prefix + e.description for e, _ in elements)]

    # Candidates from both indexes, for the question and for every element.
    hit_ids = [h.id for text in queries for h in index.search(text, k=CANDIDATES_PER_QUERY, highlight=False)
               if h.document_id not in left_out and h.id not in exclude_passages]
    by_id = index.passages_by_id(list(dict.fromkeys(hit_ids)))
    cand: dict[str, tuple[int, Passage]] = {i: by_id[i] for i in hit_ids if i in by_id}
    want_table = q.answer_type == "table"
    pool = [(r, p) for r, p in cand.values() if (p.kind == "table") == want_table] or list(cand.values())
    if not pool:
        return _result(q, template, budget, [], index, elements, excluded, prefer_recent)

    vectors = index.vectors_by_rowid([r for r, _ in pool])
    pool = [(r, p) for r, p in pool if r in vectors]
    pv = np.vstack([vectors[r] for r, _ in pool])
    qv = index.embedder.encode_queries(queries)
    rel = pv @ qv[0]
    rel_n = (rel - rel.min()) / (np.ptp(rel) or 1.0)
    if prefer_recent:
        years = np.array([p.year or 0 for _, p in pool], dtype=float)
        known = years[years > 0]
        if known.size:
            span = (known.max() - known.min()) or 1.0
            rel_n = rel_n + 0.3 * np.clip((years - known.min()) / span, 0, 1)
    # Which elements each candidate names in words (its lexical groups, over the whole passage).
    covers = np.zeros((len(pool), len(elements)))
    for i, (_, p) in enumerate(pool):
        for j, (e, _) in enumerate(elements):
            got = len(lexical_groups(e, p.text, index.analyzer))
            covers[i, j] = min(1.0, got / max(1, e.min_groups))
    weights = np.array([1.0 if req else 0.5 for _, req in elements])

    chosen: list[int] = []
    parts: list[tuple[int, str, bool]] = []  # (candidate, text, trimmed)
    missing = np.ones(len(elements))
    left = budget
    available = set(range(len(pool)))
    while available and left >= MIN_PART_CHARS:
        best, best_gain = None, -np.inf
        for i in available:
            gain_el = float((covers[i] * missing * weights).sum() / max(1.0, weights.sum()))
            redund = max((float(pv[i] @ pv[j]) for j in chosen), default=0.0)
            if redund >= DUPLICATE_SIM:
                continue
            red_n = max(0.0, (redund - 0.75) / 0.25)
            # Element gain counts in proportion to relevance: an off-topic passage that
            # happens to name actors must not displace one about the question.
            gain = rel_n[i] * (1.0 + ELEMENT_WEIGHT * gain_el) - REDUNDANCY_WEIGHT * red_n
            if gain > best_gain:
                best, best_gain = i, gain
        if best is None:
            break
        available.discard(best)
        sep = 2 if parts else 0
        text, trimmed = trim_to(pool[best][1].text.strip(), left - sep, index.analyzer.sentences)
        if not text:
            continue
        chosen.append(best)
        parts.append((best, text, trimmed))
        left -= len(text) + sep
        missing = missing * (1 - np.minimum(1.0, covers[best]))
    return _result(q, template, budget, [(pool[i][1], t, tr, float(rel[i])) for i, t, tr in parts],
                   index, elements, excluded, prefer_recent)


def _result(q: Question, template: Template, budget: int, parts: list[tuple[Passage, str, bool, float]],
            index: SearchIndex, elements: list[tuple[Element, bool]],
            excluded: str | None, prefer_recent: bool) -> Suggestion:
    citations: list[Citation] = []
    out_parts: list[DraftPart] = []
    for p, text, trimmed, relevance in parts:
        n = next((c.n for c in citations if c.passage_id == p.id), None)
        if n is None:
            n = len(citations) + 1
            citations.append(Citation(n=n, passage_id=p.id, document=p.document, document_id=p.document_id,
                                      filename=p.filename, section=p.section, section_title=p.section_title,
                                      year=p.year, page=p.page))
        names = [e.id for e, _ in elements
                 if len(lexical_groups(e, text, index.analyzer)) >= max(1, e.min_groups)]
        out_parts.append(DraftPart(text=text, citation=n, elements=names, trimmed=trimmed,
                                   relevance=round(relevance, 4)))
    draft = "\n\n".join(p.text for p in out_parts)
    results: list[ElementResult] = []
    if elements:
        sents = split_sentences(draft, index.analyzer) if draft else []
        sv = _sentence_vectors(sents, [p.id for p, *_ in parts], index) if sents else None
        embedder = index.embedder
        dv = embedder.encode_queries([e.description for e, _ in elements])
        results = [element_status(e, sents, sv, dv[j], index.analyzer, required=req)
                   for j, (e, req) in enumerate(elements)]
    return Suggestion(
        template=template.id, question=q.id, title=q.title, question_text=q.text, budget=budget,
        chars=len(draft), draft=draft, parts=out_parts, citations=citations, elements=results,
        uncovered=[r.id for r in results if r.status != "covered"],
        excluded_document=excluded, prefer_recent=prefer_recent)


def _sentence_vectors(sents: list[str], passage_ids: list[str], index: SearchIndex) -> np.ndarray:
    """The draft's sentences embedded as passages: those stored with their passage at ingest
    are read, not embedded again; only the rest (a sentence cut by the budget) is embedded."""
    known = index.sentence_vectors_by_text(passage_ids)
    rest = [s for s in sents if s not in known]
    fresh = dict(zip(rest, index.embedder.encode_passages(rest))) if rest else {}
    return np.vstack([known.get(s, fresh.get(s)) for s in sents])


def suggestion_json(s: Suggestion) -> dict:
    """The JSON shape of a suggestion (``underlag suggest --json``)."""
    return s.model_dump(mode="json")
