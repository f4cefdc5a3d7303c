"""A page of search results with a real total, facet counts and near-duplicates collapsed.

:meth:`SearchIndex.search` always fills ``k``: the dense half ranks every passage, so
even a made-up word gets k hits. A page here counts only the *relevant* candidates:

- a passage in the lexical match set (it contains a query word, its lemma or a
  compound part: BM25 matched it at all), or
- a passage whose cosine similarity to the query is at least ``dense_floor``.

Both halves are read up to ``depth`` candidates each (:data:`MAX_RESULTS`), so the
total is exact below that and a lower bound (``total_capped``) at it. Passages whose
text is the same after normalisation (re-saved copies of a report, the same paragraph
repeated in two reports) collapse into the best-ranked one, which lists the others as
``duplicates``; the total and the facets count collapsed hits.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from index.filters import MAX_RESULTS, SEARCH_DEPTH, Filters
from index.search import Candidates, Mode, Ranking, SearchIndex
from underlag.model import Hit, Passage

FACET_SIZE = 12

_NON_WORD = re.compile(r"\W+")

#: The cosine a passage needs to count by meaning alone, per model (by the start of its
#: name): the lowest value at which no off-topic query ("xylofonorkester", "recept på
#: kanelbullar", ...) counts a passage of the sample corpus (evaluations/search_floor.py).
#: e5's cosines are compressed (0.77-0.92 for every passage); the hashing test model's
#: spread wide (off-topic best 0.22, "kompetensförsörjning" 0.69).
DENSE_FLOORS = {"e5-small": 0.84, "hashing-test": 0.25}
#: A model not measured: e5's floor, the strictest of the two.
DEFAULT_DENSE_FLOOR = 0.84


def dense_floor_for(model_name: str | None) -> float:
    """The similarity floor measured for an embedding model (see :data:`DENSE_FLOORS`)."""
    return next((f for prefix, f in DENSE_FLOORS.items() if (model_name or "").startswith(prefix)),
                DEFAULT_DENSE_FLOOR)


@dataclass(frozen=True)
class FacetCount:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class PagedHit:
    hit: Hit
    duplicates: list[Passage] = field(default_factory=list)
    # whether the hit counts in the total (a query word, or close enough in meaning)
    counted: bool = True


@dataclass(frozen=True)
class ResultPage:
    hits: list[PagedHit]
    total: int
    total_capped: bool
    offset: int
    facets: dict[str, list[FacetCount]]


def duplicate_key(text: str) -> str:
    """What two passages share when one is a copy of the other: the words, in order, lower case."""
    return _NON_WORD.sub(" ", text.lower()).strip()


def counted(ranking: Ranking, mode: Mode, dense_floor: float) -> set[int]:
    """The rowids that count as hits: in the lexical match set, or close enough in meaning."""
    close = {r for r, s in ranking.dense if s >= dense_floor}
    if mode == "dense":
        return close
    words = {r for r, _ in ranking.lexical}
    return words if mode == "lexical" else words | close


def search_page(index: SearchIndex, query: str, filters: Filters = Filters(), mode: Mode = "hybrid",
                offset: int = 0, limit: int = 10, dense_floor: float | None = None,
                depth: int = MAX_RESULTS, candidates: Candidates | None = None) -> ResultPage:
    """Hits ``offset`` .. ``offset + limit`` of a query, with the total and facets of all of them.

    The hits follow the search's own ranking (:meth:`SearchIndex.ranking`, the same order as
    :meth:`SearchIndex.search`), copies collapsed into the best-ranked one; each says whether
    it is ``counted``. A search in other words than the passage's (a paraphrase, English) can
    rank the right passage first below the similarity floor, so the page never hides a hit
    the search ranked: the total says how many count, and a made-up word's page shows its
    nearest passages with a total of 0. ``dense_floor`` None: the floor measured for the
    index's embedding model. ``candidates``: the search's reads (:meth:`SearchIndex.candidates`
    to ``depth``), when the caller made them already (the command line's ``--with-total``).
    """
    if dense_floor is None:
        dense_floor = dense_floor_for(index.embedder.name if index.embedder is not None else None)
    # one read of each half to ``depth`` (the query embedded once); the first SEARCH_DEPTH are
    # fused from the head of those lists, in exactly the order of SearchIndex.search (its fusion
    # standardises over the lists it reads, so fusing all of them would reorder the first);
    # the total and the pages beyond come from fusing all of them
    candidates = (index.candidates(query, filters, mode, depth) if candidates is None
                  else candidates.head(depth))
    ranking = index.rank(candidates, min(SEARCH_DEPTH, depth))
    wide = index.rank(candidates) if depth > SEARCH_DEPTH else ranking
    keep = counted(wide, mode, dense_floor)
    rowids = [r for r, _ in ranking.ranked]
    seen = set(rowids)
    rowids += [r for r, _ in wide.ranked if r not in seen]
    found = index.passages(rowids)
    groups: dict[str, list[int]] = {}
    for r in rowids:
        p = found.get(r)
        if p is not None:
            groups.setdefault(duplicate_key(p.text), []).append(r)
    leaders = [rs[0] for rs in groups.values()]  # dicts keep insertion order: the best first
    is_counted = {r: any(x in keep for x in groups[duplicate_key(found[r].text)]) for r in leaders}
    relevant = [r for r in leaders if is_counted[r]]
    lex_rank = {r: i for i, (r, _) in enumerate(wide.lexical, start=1)}
    dense_rank = {r: i for i, (r, _) in enumerate(wide.dense, start=1)}
    score = {**dict(wide.ranked), **dict(ranking.ranked)}
    query_terms = set(ranking.terms)
    page = []
    for r in leaders[offset:offset + limit]:
        p = found[r]
        hit = Hit.of(p, score=round(float(score.get(r, 0.0)), 5),
                     highlights=index.highlights(p.text, query_terms),
                     lexical_rank=lex_rank.get(r), dense_rank=dense_rank.get(r))
        dups = [found[d] for d in groups[duplicate_key(p.text)][1:]]
        page.append(PagedHit(hit, dups, counted=is_counted[r]))
    den = wide.dense
    capped = len(wide.lexical) >= depth or (len(den) >= depth and den[-1][1] >= dense_floor)
    return ResultPage(hits=page, total=len(relevant), total_capped=capped, offset=offset,
                      facets=facets(index, [found[r] for r in relevant], relevant))


def _top(counts: Counter, labels: dict[str, str]) -> list[FacetCount]:
    return [FacetCount(value=v, label=labels.get(v, v), count=n)
            for v, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:FACET_SIZE]]


def facets(index: SearchIndex, hits: list[Passage], rowids: list[int]) -> dict[str, list[FacetCount]]:
    """How many of the hits fall in each year, document type, document and goal.

    A goal facet value is ``framework:goal`` (what the goal filter takes); a passage
    counts for each goal (not target) it is tagged with.
    """
    years: Counter = Counter(y for p in hits for y in set(p.years))
    types: Counter = Counter(p.doc_type for p in hits if p.doc_type)
    docs: Counter = Counter(p.document_id for p in hits)
    doc_titles = {p.document_id: p.document for p in hits}
    goals: Counter = Counter()
    for tags in index.passage_tags(rowids).values():
        goals.update({f"{fw}:{label}" for fw, label, level, _ in tags if level == "goal"})
    goal_titles = {}
    if index.tagger is not None:
        for fw in index.tagger.frameworks.values():
            goal_titles.update({f"{fw.id}:{g.id}": g.title for g in fw.goals})
    return {
        "year": [FacetCount(value=str(y), label=str(y), count=n)
                 for y, n in sorted(years.items(), key=lambda x: -x[0])[:FACET_SIZE]],
        "doc_type": _top(types, {}),
        "document": _top(docs, doc_titles),
        "goal": _top(goals, goal_titles),
    }
