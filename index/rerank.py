"""Re-scoring the fused top passages: by their best sentence, and by cues the query states
(a year, a number asked for).

A passage is often long and the query matches one sentence of it; the passage vector
averages that sentence away. :func:`by_best_sentence` re-scores the fused top
``SENTENCE_DEPTH`` by the query's cosine to the passage's best sentence (sentence
vectors stored at ingest, :func:`index.passages.sentence_texts`), mixed with the
passage cosine, on the dense list's standardised scale (:class:`index.fusion.DenseScale`).

"under 2023" or "2021" in a query is a soft preference for passages of that year (the
report's years or the year in the text), never a filter; "hur många ...", "how much ..."
prefer passages that state a number. Both add a fixed amount to the fused score (in
standard deviations of the dense scores, see index.fusion) of the top ``RERANK_DEPTH``.

Tune split (54 queries), MRR@10 with the adaptive fusion: 0.719 without, 0.732 with the
number cue (fact queries 0.848 -> 0.894); the year cue changed no tune query's rank at
0.3-0.6 and stays at the low end, a nudge between near-equal passages.

Measured and left out: no cross-encoder ships inside a PyPI package (flashrank and the
sentence-transformers rerankers download their weights at run time).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from index.fusion import DenseScale
from index.query import YEAR, QueryPlan
from underlag.model import Passage

#: how many of the fused best passages their best sentence re-scores (tune-split MRR@10, sentences
#: embedded under their heading, weight 0.5: 0.770 at 20 and 30; at 0.7: 0.739 / 0.742 / 0.732
#: at 10 / 30 / 50)
SENTENCE_DEPTH = 30
#: the best sentence's share of the cosine a passage is re-scored by (the passage's is the rest).
#: Tune-split / old-set MRR@10 (long questions left out): 0.732 / 0.879 at 0 (no sentences);
#: sentences alone 0.785 / 0.897 at 0.5, 0.780 / 0.897 at 0.6, 0.781 / 0.871 at 0.7; sentences
#: under their heading 0.758 / 0.900 at 0.3, 0.770 / 0.895 at 0.5, 0.780 / 0.904 at 0.6, 0.769 /
#: 0.885 at 0.7 (facts fall from 0.894 to 0.848 there: a near-duplicate's sentence states the
#: topic too)
SENTENCE_WEIGHT = 0.5
RERANK_DEPTH = 30
YEAR_BOOST = 0.3
NUMBER_BOOST = 0.6
_DIGIT = re.compile(r"\d")


def sentence_weight(plan: QueryPlan) -> float:
    """The best sentence's share for this query: :data:`SENTENCE_WEIGHT`, or nothing for a long
    question (:attr:`index.query.QueryPlan.long_question`) that describes a whole passage rather
    than one statement in it: with every query re-scored, the template questions fell from
    MRR@10 0.831 to 0.745 at weight 0.5 (tune); the mean of a long question's 2, 3 or 5 best
    sentences, at weight 0.2-0.5, gave 0.712-0.833, never above whole passages."""
    return 0.0 if plan.long_question else SENTENCE_WEIGHT


def states_number(text: str) -> bool:
    """A passage that states a number other than a year ("76 ansökningar", "4,8 mkr")."""
    return bool(_DIGIT.search(YEAR.sub("", text)))


def rerank(ranked: list[tuple[int, float]], plan: QueryPlan,
           passages: Callable[[Sequence[int]], dict[int, Passage]]) -> list[tuple[int, float]]:
    """``ranked`` with the query's year and number cues applied to its first ``RERANK_DEPTH``.

    ``passages`` reads passages by rowid; it is called only when the query has a cue.
    """
    if not ranked or not (plan.years or plan.asks_number):
        return ranked
    head, tail = ranked[:RERANK_DEPTH], ranked[RERANK_DEPTH:]
    found = passages([r for r, _ in head])
    rescored = []
    for rowid, score in head:
        p = found.get(rowid)
        if p is not None:
            if plan.years and (plan.years.intersection(p.years) or any(str(y) in p.text for y in plan.years)):
                score += YEAR_BOOST
            if plan.asks_number and states_number(p.text):
                score += NUMBER_BOOST
        rescored.append((rowid, score))
    rescored.sort(key=lambda x: x[1], reverse=True)
    # the boosted head stays above the tail (a boost reorders the head, it does not pull
    # a passage from below RERANK_DEPTH)
    return rescored + tail


def by_best_sentence(ranked: list[tuple[int, float]], query: np.ndarray, den: Sequence[tuple[int, float]],
                     sentences: Callable[[Sequence[int]], dict[int, np.ndarray]],
                     vectors: Callable[[Sequence[int]], dict[int, np.ndarray]],
                     weight: float | None = None, depth: int | None = None) -> list[tuple[int, float]]:
    """``ranked`` (fused from ``den`` by :func:`index.fusion.adaptive`) with the dense part of its
    first ``depth`` scores replaced by ``(1 - weight) x passage cosine + weight x best sentence
    cosine``, standardised as the fusion did.

    ``sentences`` reads passages' sentence vectors by rowid (a passage without, one sentence
    or stored before they were, keeps its fused score: a data folder without sentence vectors
    ranks as before them); ``vectors`` reads passage vectors, for the head's passages that
    only BM25 found (fused at the dense list's floor).
    """
    weight = SENTENCE_WEIGHT if weight is None else weight
    depth = SENTENCE_DEPTH if depth is None else depth
    if not ranked or not den or depth <= 0 or weight <= 0:
        return ranked
    head, tail = ranked[:depth], ranked[depth:]
    scale = DenseScale.of(den)
    cosine = dict(den)
    rowids = [r for r, _ in head]
    found = sentences(rowids)
    missing = [r for r in rowids if r not in cosine and r in found]
    passage_vectors = vectors(missing) if missing else {}
    q = np.asarray(query, dtype=np.float32)
    rescored = []
    for rowid, score in head:
        cos, m = cosine.get(rowid), found.get(rowid)
        if cos is None and rowid in passage_vectors:
            cos = float(passage_vectors[rowid] @ q)
        if m is None or cos is None:
            rescored.append((rowid, score))  # no sentences of its own: its fused score stands
            continue
        used = scale.z(cosine[rowid]) if rowid in cosine else scale.floor
        rescored.append((rowid, score - used + scale.z((1 - weight) * cos + weight * float((m @ q).max()))))
    rescored.sort(key=lambda x: x[1], reverse=True)
    return rescored + tail
