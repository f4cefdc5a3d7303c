"""Fusing the BM25 and the dense ranking, weighted per query by the evidence each has.

Reciprocal rank fusion with equal weights (:func:`rrf`, mode "rrf") lets BM25's ranks
from incidental words push the right passage out of the top 10 when query and passage
share no content word. :func:`adaptive` instead adds scores: the dense cosine,
standardised over the dense list, plus BM25 divided by its best score, times a weight
that grows with how much of the query the best BM25 passages actually hold
(:func:`coverage`). A query whose words the passages hold (keywords, names, numbers)
keeps BM25's precision; a paraphrase or an English query is left to the embeddings.

Chosen on the tune split of evaluations/data/retrieval_queries_hard.jsonl (54 queries)
and the 64 older queries (MRR@10): RRF 0.677 / 0.805, score sum with a fixed weight
0.716 / 0.851, with the coverage weight 0.719 / 0.879 (keyword queries 0.960 -> 0.980).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Reciprocal rank fusion constant (Cormack et al. 2009): large enough that the
# first few ranks of either list do not drown the other list.
RRF_K = 60
# BM25's weight against the standardised dense score at full coverage: 1.6 x 3 (the
# best BM25 hit is worth ~5 standard deviations of the dense scores). Tune-split MRR@10
# for 1.6 / 1.2 / 0.8 x 3: 0.719 / 0.710 / 0.705 (old set 0.879 / 0.870 / 0.863).
LEXICAL_WEIGHT = 4.8
# the weight rises linearly from nothing at COVERAGE_LOW to LEXICAL_WEIGHT at COVERAGE_HIGH:
# paraphrases with no shared word reach 0.17-0.4 (a stop-word-like word or two match),
# keyword, fact and multi-document queries 0.6-1.0
COVERAGE_LOW, COVERAGE_HIGH = 0.2, 0.8
# how many of BM25's best passages coverage looks at
COVERAGE_DEPTH = 10


def rrf(*rankings: Sequence[tuple[int, float]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of several rankings of rowids (the old hybrid, mode "rrf")."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, (rowid, _) in enumerate(ranking, start=1):
            scores[rowid] = scores.get(rowid, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda x: x[1], reverse=True)


def coverage(words: Sequence[Sequence[str]], passages_terms: Sequence[set[str]]) -> float:
    """The largest share of the query's words that one passage holds (a word is held when
    the passage has any of its terms: lemma or compound part)."""
    if not words or not passages_terms:
        return 0.0
    return max(sum(any(t in terms for t in w) for w in words) / len(words) for terms in passages_terms)


def lexical_weight(cover: float) -> float:
    """BM25's weight for a query whose best BM25 passages hold ``cover`` of its words."""
    share = (cover - COVERAGE_LOW) / (COVERAGE_HIGH - COVERAGE_LOW)
    return LEXICAL_WEIGHT * min(1.0, max(0.0, share))


@dataclass(frozen=True)
class DenseScale:
    """How :func:`adaptive` puts a cosine on its scale: standardised over the dense list read,
    and the score of a passage that list does not hold (``floor``, its lowest)."""

    mean: float = 0.0
    std: float = 1.0
    floor: float = 0.0

    @classmethod
    def of(cls, den: Sequence[tuple[int, float]]) -> DenseScale:
        if not den:
            return cls()
        cos = np.fromiter((s for _, s in den), dtype=np.float64, count=len(den))
        mean, std = float(cos.mean()), float(cos.std()) or 1.0
        return cls(mean, std, (float(cos.min()) - mean) / std)

    def z(self, cosine: float) -> float:
        return (cosine - self.mean) / self.std


def adaptive(lex: Sequence[tuple[int, float]], den: Sequence[tuple[int, float]],
             weight: float) -> list[tuple[int, float]]:
    """Standardised dense score plus ``weight`` x BM25 / best BM25, best first.

    A passage only BM25 found gets the dense list's lowest score (its cosine is below
    that); on the tune split this floor ranks as well as its true cosine (MRR@10 0.719 both).
    """
    scale = DenseScale.of(den)
    scores = {r: scale.z(s) for r, s in den}
    if lex and weight > 0:
        best = max(s for _, s in lex) or 1.0
        for r, s in lex:
            scores[r] = scores.get(r, scale.floor) + weight * s / best
    elif not den:
        return list(lex)
    return sorted(scores.items(), key=lambda x: x[1], reverse=True)


def unit_score(score: float) -> float:
    """A fused score mapped into (0, 1), order kept (a hit's public ``score``): the logistic of
    half the score, so the dense list's mean is 0.5 and a strong hit (~5) is ~0.92."""
    return 1.0 / (1.0 + math.exp(-score / 2))
