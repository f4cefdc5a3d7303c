"""Swedish text analysis with spaCy: sentences, lemmas, stop words and compounds.

No trained Swedish spaCy pipeline is installable from the package registry, so
this uses spaCy's Swedish language data (tokenizer exceptions for "t.ex.",
"bl.a.", stop words), the rule-based sentencizer and the Swedish lookup
lemmatizer table from ``spacy-lookups-data``. Compound words, which Swedish
writes as one word ("kompetensförsörjningsarbetet"), are split into their parts
against a word list so lexical search finds "kompetensförsörjning" in them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language

from nlp.wordlist import DOMAIN_WORDS, hunspell_dir

# A word shorter than this is never split and never used as a compound part.
MIN_PART = 3
MIN_COMPOUND = 8
# Swedish joins compound parts with a linking "s" (kompetens|försörjning|s|arbete).
LINKERS = ("", "s")


@dataclass(frozen=True)
class Token:
    text: str
    lemma: str
    start: int
    end: int
    is_stop: bool


def _load_spacy() -> Language:
    nlp = spacy.blank("sv")
    nlp.add_pipe("sentencizer")
    return nlp


@lru_cache(maxsize=1)
def _lemma_table():
    """spaCy's Swedish lemma lookup table (a ``spacy.lookups.Table``, keyed by string hash)."""
    from spacy.lookups import load_lookups

    return load_lookups("sv", ["lemma_lookup"]).get_table("lemma_lookup")


@lru_cache(maxsize=1)
def swedish_words() -> frozenset[str]:
    """Lower-case Swedish base forms: hunspell-sv's word list and the domain's own words.

    A plain set, because compound splitting asks about every substring of every
    word; the repair lexicon's full hunspell morphology is far too slow for that.
    """
    words = {w.lower() for w in DOMAIN_WORDS.split()}
    with open(hunspell_dir() / "sv_SE.dic", encoding="utf-8", errors="replace") as f:
        next(f, None)  # the first line is the entry count
        for line in f:
            stem = line.split("/", 1)[0].strip()
            if stem and not stem.startswith("#"):
                words.add(stem.lower())
    # every lemma the lookup table leads to is a word too ("samverkan" is only
    # listed as the lemma of "samverkans"); dict.values skips Table's key hashing
    words.update(v.lower() for v in dict.values(_lemma_table()) if isinstance(v, str))
    return frozenset(words)


class CompoundSplitter:
    """Split Swedish compounds into known parts.

    ``is_word`` decides what a known part is (a word list); the split with the
    fewest parts wins, ties broken by the longest last part (the head), which
    is what Swedish compounds carry their meaning in.
    """

    def __init__(self, is_word: Callable[[str], bool]):
        self._is_word = is_word
        self._cache: dict[str, tuple[str, ...]] = {}

    def split(self, word: str) -> tuple[str, ...]:
        """The parts of a lower-case word, or ``(word,)`` when it is not a compound."""
        if len(word) < MIN_COMPOUND or not word.isalpha():
            return (word,)
        if word not in self._cache:
            self._cache[word] = self._split(word)
        return self._cache[word]

    def _split(self, word: str) -> tuple[str, ...]:
        n = len(word)
        # best[i]: the best split of word[i:] as (number of parts, -len(head), parts)
        best: list[tuple[int, int, tuple[str, ...]] | None] = [None] * (n + 1)
        best[n] = (0, 0, ())
        for i in range(n - MIN_PART, -1, -1):
            for j in range(i + MIN_PART, n + 1):
                if not self._is_word(word[i:j]):
                    continue
                # the part may be followed by a linking "s" before the next part
                for link in LINKERS:
                    k = j + len(link)
                    if k > n or word[j:k] != link or (link and k == n):
                        continue
                    tail = best[k]
                    if tail is None:
                        continue
                    parts = (word[i:j],) + tail[2]
                    head = len(parts[-1])
                    cand = (len(parts), -head, parts)
                    if best[i] is None or cand[:2] < best[i][:2]:  # type: ignore[index]
                        best[i] = cand
        found = best[0]
        if found is None or len(found[2]) < 2:
            return (word,)
        return found[2]


class Analyzer:
    """Swedish analysis for indexing and queries.

    ``terms`` turns text into the terms the lexical index stores: lower-case
    lemmas without stop words, plus the parts of compounds and the compounds
    their consecutive parts form, so "kompetensförsörjningsarbetet" is found by
    "kompetensförsörjning", "försörjning" and "arbete".
    """

    def __init__(self, is_word: Callable[[str], bool] | None = None, nlp: Language | None = None):
        self.nlp = nlp or _load_spacy()
        self.lemmas = _lemma_table()
        self.stop_words = self.nlp.Defaults.stop_words
        if is_word is None:
            words, inflected = swedish_words(), self.lemmas

            def is_word(w: str) -> bool:
                return w in words or w in inflected

        known = is_word
        self._known = known
        # a compound's head is inflected ("...arbetet"); accept a part whose lemma is a word
        self.splitter = CompoundSplitter(lambda w: known(w) or known(self.lemma(w)))

    def is_swedish(self, lower: str) -> bool:
        """A lower-case word the Swedish lexicon knows: a word, an inflected form or a compound."""
        return (self._known(lower) or lower in self.lemmas or self._known(self.lemma(lower))
                or len(self.splitter.split(lower)) > 1)

    def tokens(self, text: str) -> list[Token]:
        out = []
        for t in self.nlp.make_doc(text):
            if t.is_punct or t.is_space:
                continue
            low = t.text.lower()
            out.append(Token(t.text, self.lemma(low), t.idx, t.idx + len(t.text), low in self.stop_words))
        return out

    def lemma(self, lower: str) -> str:
        return self.lemmas.get(lower, lower)

    def sentences(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the sentences in ``text``."""
        doc = self.nlp(text)
        spans = []
        for s in doc.sents:
            start, end = s.start_char, s.end_char
            if text[start:end].strip():
                spans.append((start, end))
        return spans

    def word_terms(self, lower: str) -> list[str]:
        """The terms of one lower-case word: its lemma, and its compound parts and spans."""
        lemma = self.lemma(lower)
        terms = [lemma]
        parts = self.splitter.split(lower)
        if len(parts) > 1:
            # the head carries the inflection: lemmatise it, keep the other parts as they are
            parts = parts[:-1] + (self.lemma(parts[-1]),)
            for i in range(len(parts)):
                for j in range(i + 1, len(parts) + 1):
                    if j - i == len(parts):
                        continue  # the whole word is the lemma, already there
                    terms.append("".join(parts[i:j]))
            terms.append("".join(parts))
        return list(dict.fromkeys(t for t in terms if len(t) > 1))

    def terms(self, text: str) -> list[str]:
        """Index terms of a text (with repeats, for term frequencies)."""
        out: list[str] = []
        for t in self.tokens(text):
            if t.is_stop or not any(c.isalnum() for c in t.text):
                continue
            out.extend(self.word_terms(t.text.lower()))
        return out

    def query_terms(self, text: str) -> list[str]:
        """Distinct terms of a query, in order."""
        return list(dict.fromkeys(self.terms(text)))


@lru_cache(maxsize=1)
def default_analyzer() -> Analyzer:
    return Analyzer()

