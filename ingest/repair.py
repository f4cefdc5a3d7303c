"""PLACEHOLDER, being written now: character-level text repair. See the helper's task."""
from __future__ import annotations
from functools import lru_cache


class Lexicon:
    def is_word(self, word: str) -> bool:
        raise NotImplementedError


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return Lexicon()


def repair_line(text: str, lexicon: Lexicon) -> str:
    return text


def join_hyphenated(left: str, right: str, lexicon: Lexicon) -> str:
    raise NotImplementedError
