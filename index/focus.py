"""The focus of a long question: its rarest words, read by BM25 on their own.

A template-style question ("Beskriv hur det strategiskt viktigaste arbetet inom
kompetensförsörjning ... har genomförts under året, med särskilt fokus på validering,
och ange vilka branscher och aktörer ni har samverkat med") is 13-16 content words, most
of them the template's own wording, which every passage of the area repeats. What it
asks about in particular ("validering", "barnfattigdom", "industrihubb") is one or two
rare words, and in BM25 over the whole question they weigh as one word among sixteen:
the passage on validering ranked 16th. :func:`focus_words` picks the query's
``FOCUS_WORDS`` rarest words (by how many passages hold them), the search reads BM25 for
them alone, and :func:`add_focus` adds that list's scores, divided by its best, times
``FOCUS_WEIGHT`` to the fused scores (in standard deviations of the dense scores, see
index.fusion).

Chosen on the tune split (the 11 template questions; no other query is long) and the 64
older queries, MRR@10 of the template kind, 0.831 without: the 2 rarest words at weight
0.5 / 0.75 / 1.0 / 1.25 / 1.5 / 1.75 / 2.0: 0.841 / 0.848 / 0.858 / 0.874 / 0.877 / 0.882 /
0.836; the 1 rarest at 1.0: 0.812, 3 at 1.0: 0.841, 4 at 1.0: 0.836. Kept: 2 words at
1.25, inside the plateau and clear of the fall at 2.0. Applied to every query, the same
read lowered tune MRR@10 0.785 -> 0.734 (paraphrases 0.415 -> 0.274: a short query's
rarest word is often its only matching one, already weighed by the fusion), so only long
questions (:attr:`index.query.QueryPlan.long_question`) get it.

Tried for the same questions and left out (tune, template MRR@10 from 0.831): a larger
BM25 weight in the fusion (6.4-8.0: 0.836; 8.8 and up: 0.745 and below), the heading's
words held by the query as extra evidence (0.3-2.0: 0.739-0.831), sentence evidence by
the query's clauses (0.665-0.833).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

#: how many of the query's rarest words the focus read searches
FOCUS_WORDS = 2
#: the focus list's weight: its best passage gets this much (standard deviations of the dense scores)
FOCUS_WEIGHT = 1.25


def focus_words(words: Sequence[Sequence[str]], doc_freq: Mapping[str, int], n: int = FOCUS_WORDS) -> list[str]:
    """The terms of the ``n`` rarest of the query's ``words`` (per word, its terms as the lexical
    index holds them); a word is as rare as its rarest term that some passage holds (a word
    no passage holds cannot match and is skipped). Of equally rare words the later one wins:
    a template question opens with the template's wording and ends with its specifics."""
    rarity = []  # (passages holding it, minus its position): the rarest first, then the later
    for i, word in enumerate(words):
        held = [doc_freq[t] for t in word if doc_freq.get(t, 0) > 0]
        if held:
            rarity.append((min(held), -i))
    return list(dict.fromkeys(t for _, minus_i in sorted(rarity)[:n] for t in words[-minus_i]))


def add_focus(ranked: Sequence[tuple[int, float]], focus: Sequence[tuple[int, float]],
              weight: float = FOCUS_WEIGHT) -> list[tuple[int, float]]:
    """``ranked`` with ``weight`` x the focus read's score / its best added to the passages it
    holds, best first again (a passage only the focus read found is not added: the two full
    lists, 100 deep each, are the candidates)."""
    if not focus or weight <= 0:
        return list(ranked)
    best = max(s for _, s in focus) or 1.0
    bonus = {r: weight * s / best for r, s in focus}
    return sorted(((r, s + bonus.get(r, 0.0)) for r, s in ranked), key=lambda x: x[1], reverse=True)
