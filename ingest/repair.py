"""Stage 2: character-level repair of extracted text.

Readers hand over text as the source had it; this module makes it clean
Swedish before structure sees it:

* Unicode NFC, ligatures expanded, soft hyphens and zero-width characters
  dropped, odd spaces (no-break, thin, ideographic) made plain spaces;
* the split letters of broken PDF extraction: a base letter followed by a
  letter standing in for the lost diacritic ("foö r" = "för", "paå" = "på",
  "OÄ rebro" = "Örebro", "AÅ terrapportering" = "Återrapportering"). The
  extraction often adds a space after the marker, and sometimes that space is
  real; a :class:`Lexicon` decides which;
* :func:`join_hyphenated` decides, for the structure stage, whether a line-end
  hyphen was a hyphenation or a real hyphen ("kommun- och landsting").

The lexicon is injected: production uses :func:`default_lexicon` (the
hunspell-sv dictionary through spylls plus a domain list), tests may pass
``Lexicon.from_words(...)``.
"""

from __future__ import annotations

import atexit
import hashlib
import itertools
import json
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from nlp.wordlist import DOMAIN_WORDS, hunspell_dir
from underlag.settings import get_settings

# --- character normalisation ------------------------------------------------

_CHAR_MAP = str.maketrans({
    "\u00ad": None,  # soft hyphen
    "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None,
    "\u00a0": " ", "\u1680": " ", "\u202f": " ", "\u205f": " ", "\u3000": " ",
    **{chr(c): " " for c in range(0x2000, 0x200B)},
    "\u2011": "-",  # non-breaking hyphen
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
    "\ufb05": "st", "\ufb06": "st",
})
_NEEDS_MAP = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff\u00a0\u1680\u2000-\u200a"
                        "\u202f\u205f\u3000\u2011\ufb00-\ufb06]")

# --- split letters ----------------------------------------------------------

# Base letter + marker -> the letter with its diacritic. The marker is the
# diacritic's glyph mis-mapped to a whole letter: a diaeresis comes out as
# "ö" (or "Ä" after a capital), a ring as "å"/"Å". Marker case follows base case.
_PAIRS = {
    "aö": "ä", "aä": "ä", "oö": "ö", "oä": "ö", "aå": "å",
    "AÄ": "Ä", "AÖ": "Ä", "OÄ": "Ö", "OÖ": "Ö", "AÅ": "Å",
}
_PAIR = re.compile("|".join(_PAIRS))
_ENDS_IN_PAIR = re.compile(f"(?:{_PAIR.pattern})$")
_INNER_PAIR = re.compile(f"(?:{_PAIR.pattern})(?=[^\\W\\d_])")
_WORD = re.compile(r"[^\W\d_]+")
# Words that hold a compound open ("kommun- och landsting", "miljö- och ...").
_SUSPENDERS = frozenset("och eller samt respektive resp liksom men som till".split())
# Closed-class words: never a part of a compound the lexicon builds itself
# (else "påatt" would pass as "på" + "att").
_FUNCTION_WORDS = _SUSPENDERS | frozenset(
    "att av de den det dess din dit där eller en ett från för han hon hur i in inte jag "
    "man med mig min mot nu när och om på sig sin som så till under ut vad vi vid är åt"
    .split())
# Single letters that are Swedish words on their own.
_LETTER_WORDS = frozenset("iåöIÅÖ")
# More than this many ambiguous spaces in one run are decided pairwise.
_MAX_EXHAUSTIVE = 6
# Raise when a change to the lexicon's rules (compounds, names) changes its answers:
# the saved answers of the old rules are then not read.
_ANSWERS_VERSION = 1
# About 30 MB of JSON; the sample corpus needs ~20 000 answers.
_MAX_ANSWERS = 1_000_000



class Lexicon:
    """Which strings are Swedish words, case-insensitively.

    Backed by a word set and optionally a hunspell dictionary (a spylls
    ``Dictionary``). Compounds the dictionary does not list are accepted when
    they split into known parts, with the Swedish linking -s- allowed
    ("regional" + "fonds" + "programmet").
    """

    def __init__(self, words: Iterable[str] = (), hunspell: Any | None = None, *,
                 load_hunspell: Callable[[], Any] | None = None, answers: Path | None = None):
        """``load_hunspell`` loads the dictionary at its first use instead of now;
        ``answers`` is a file of earlier answers (see :meth:`save_answers`), valid for
        exactly these words and this dictionary: the caller names it by them."""
        self._lower: set[str] = set()
        # Words seen only capitalised are names ("Örebro", not "örebro").
        self._names: set[str] = set()
        for w in words:
            w = unicodedata.normalize("NFC", w.strip())
            if not w:
                continue
            if w[0].isupper() and not w.isupper():
                self._names.add(w.lower())
            else:
                self._lower.add(w.lower())
        self._names -= self._lower
        self._loaded = hunspell
        self._load_hunspell = load_hunspell if hunspell is None else None
        self._loading = threading.Lock()
        self._cache: dict[str, int] = {}
        self._name_cache: dict[str, bool] = {}
        self._simple_cache: dict[str, bool] = {}
        self._stem_cache: dict[str, bool] = {}
        self._answers = answers
        self._saved = (0, 0)
        if answers is not None:
            self._cache, self._name_cache = _read_answers(answers)
            self._saved = (len(self._cache), len(self._name_cache))

    @property
    def _hunspell(self) -> Any | None:
        """The hunspell dictionary, loaded when a word is first not answered from memory
        (spylls takes about 10 s to read hunspell-sv, the whole parse of a report ~1 s)."""
        if self._load_hunspell is not None:
            with self._loading:  # the server's threads may ask at once: read it once
                if self._load_hunspell is not None:
                    self._loaded, self._load_hunspell = self._load_hunspell(), None
        return self._loaded

    @classmethod
    def from_words(cls, words: Iterable[str]) -> Lexicon:
        """A lexicon of exactly these words (and their compounds); for tests and small tools."""
        return cls(words)

    @classmethod
    def from_hunspell(cls, dic_stem: str | Path, extra_words: Iterable[str] = (), *,
                      answers: Path | None = None) -> Lexicon:
        """A lexicon over a hunspell dictionary (``<stem>.dic`` + ``<stem>.aff``) plus extra
        words; the dictionary is read when a word is first not in ``answers``."""

        def load() -> Any:
            from spylls.hunspell import Dictionary  # heavy; only when a real lexicon is needed

            return Dictionary.from_files(str(dic_stem))

        return cls(extra_words, load_hunspell=load, answers=answers)

    @property
    def dictionary_loaded(self) -> bool:
        """Whether the hunspell dictionary has been read (False while memory answered all)."""
        return self._load_hunspell is None and self._loaded is not None

    def save_answers(self) -> bool:
        """Keep what this lexicon has answered in its ``answers`` file, merged with what
        other processes stored there meanwhile (the answers of one dictionary never
        disagree). A report's words are mostly answered from memory the next time: the
        sample corpus parses in about 1 s instead of 20. Returns whether it wrote."""
        if self._answers is None or (len(self._cache), len(self._name_cache)) == self._saved:
            return False
        strengths, names = _read_answers(self._answers)
        strengths.update(self._cache)
        names.update(self._name_cache)
        if len(strengths) + len(names) > _MAX_ANSWERS:
            return False  # a runaway archive of one-off strings: keep the file as it is
        try:
            self._answers.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self._answers.parent,
                                             delete=False, suffix=".tmp") as f:
                json.dump({"strength": strengths, "name": names}, f, ensure_ascii=False,
                          separators=(",", ":"))
            os.replace(f.name, self._answers)
        except OSError:
            return False  # a read-only model folder: answer from the dictionary next time
        self._saved = (len(self._cache), len(self._name_cache))
        return True

    def is_word(self, word: str) -> bool:
        """Whether ``word`` is a Swedish word (any case; hyphenated parts each checked)."""
        return self.strength(word) > 0

    def strength(self, word: str) -> int:
        """How sure the lexicon is of ``word``: 2 listed (or a hunspell compound),
        1 only as a compound of known parts split here, 0 not a word."""
        hit = self._cache.get(word)
        if hit is None:
            hit = self._cache[word] = self._check(word)
        return hit

    def is_name(self, word: str) -> bool:
        """Whether ``word`` is known only as a proper name ("Örebro", not "regionen")."""
        hit = self._name_cache.get(word)
        if hit is None:
            hit = self._name_cache[word] = self._check_name(word)
        return hit

    def _check_name(self, word: str) -> bool:
        low = word.lower()
        if low in self._lower:
            return False
        look = self._hunspell.lookuper if self._hunspell is not None else None
        if look is not None and look(low, capitalization=False):
            return False
        if low in self._names:
            return True
        return look is not None and bool(look(low.capitalize()))

    # -- internals ---------------------------------------------------------

    def _check(self, word: str) -> int:
        word = word.strip()
        if not word:
            return 0
        if "-" in word.strip("-"):
            return min(self.strength(p) for p in word.split("-") if p)
        if self._simple(word) or self._hunspell_compound(word):
            return 2
        return 1 if self._split_compound(word.lower()) else 0

    def _simple(self, word: str) -> bool:
        """A word as listed (with inflection), not built as a compound."""
        hit = self._simple_cache.get(word)
        if hit is not None:
            return hit
        low = word.lower()
        hit = low in self._lower or low in self._names
        if not hit and self._hunspell is not None:
            look = self._hunspell.lookuper
            variants = {word, low, low.capitalize()}
            hit = any(any(look.good_forms(v, compound_forms=False)) for v in variants)
        self._simple_cache[word] = hit
        return hit

    def _stem(self, word: str) -> bool:
        """A listed word without inflection: the only form a compound's head may take."""
        hit = self._stem_cache.get(word)
        if hit is None:
            hit = word in self._lower or word in self._names
            if not hit and self._hunspell is not None:
                hit = any(f.suffix is None and f.prefix is None
                          for v in (word, word.capitalize())
                          for f in self._hunspell.lookuper.good_forms(v, compound_forms=False))
            self._stem_cache[word] = hit
        return hit

    def _hunspell_compound(self, word: str) -> bool:
        if self._hunspell is None or len(word) < 5:
            return False
        look = self._hunspell.lookuper
        return any(any(look.good_forms(v, affix_forms=False))
                   for v in {word, word.lower().capitalize()})

    def _split_compound(self, low: str, parts: int = 1) -> bool:
        """``low`` is head + [s] + rest: head an uninflected known word, rest a word or again a compound."""
        if parts > 3 or len(low) < 6:
            return False
        for i in range(3, len(low) - 2):
            head, rest = low[:i], low[i:]
            if head in _FUNCTION_WORDS:
                continue
            if self._stem(head):
                tails = [rest]
                if rest.startswith("s") and len(rest) > 3:
                    tails.append(rest[1:])  # the linking -s-
                for tail in tails:
                    if tail not in _FUNCTION_WORDS and (self._simple(tail)
                                                        or self._split_compound(tail, parts + 1)):
                        return True
        return False


def _read_answers(path: Path) -> tuple[dict[str, int], dict[str, bool]]:
    try:
        with path.open(encoding="utf-8") as f:
            data = json.load(f)
        return dict(data["strength"]), dict(data["name"])
    except (OSError, ValueError, KeyError, TypeError):
        return {}, {}  # none yet, or a damaged file: answer from the dictionary


def answers_path(cache_dir: Path) -> Path:
    """The answers file of the production lexicon in ``cache_dir``, named by what the
    answers depend on (the dictionary files, the domain words, this module's rules), so a
    changed dictionary or rule starts a new file instead of reading stale answers."""
    key = hashlib.sha256(str(_ANSWERS_VERSION).encode())
    key.update(DOMAIN_WORDS.encode())
    for suffix in (".dic", ".aff"):
        key.update((hunspell_dir() / f"sv_SE{suffix}").read_bytes())
    return cache_dir / f"repair-answers-{key.hexdigest()[:16]}.json"


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The production lexicon: hunspell-sv via spylls plus :data:`DOMAIN_WORDS` (loaded
    once), with the answers of earlier runs kept beside the models and saved at exit."""
    lexicon = Lexicon.from_hunspell(hunspell_dir() / "sv_SE", DOMAIN_WORDS.split(),
                                    answers=answers_path(get_settings().cache_dir))
    atexit.register(lexicon.save_answers)
    return lexicon


# --- repair -----------------------------------------------------------------

def repair_line(text: str, lexicon: Lexicon) -> str:
    """Repair the characters of one physical line or paragraph.

    Normalises Unicode (NFC, ligatures, soft hyphens, zero-width and odd
    spaces) and restores split Swedish letters, keeping text that is already
    correct as it is.
    """
    if not text:
        return text
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        if _NEEDS_MAP.search(text):
            text = text.translate(_CHAR_MAP)
        if _PAIR.search(text):
            text = _restore_split_letters(text, lexicon)
    return text


def _combine(word: str) -> str:
    return _PAIR.sub(lambda m: _PAIRS[m.group()], word)


def _fix_word(word: str, lexicon: Lexicon) -> str:
    """The word with its pairs combined, unless it is a better word as it stands.

    "folkhälsoöverenskommelserna" is a compound with "o" + "ö" at the seam, not
    a broken "ö". Only a pair inside the word can be real: no Swedish word
    ends in "aå" or "oö".
    """
    fixed = _combine(word)
    if fixed == word or not _INNER_PAIR.search(word):
        return fixed
    here = lexicon.strength(fixed)
    if here < 2 and lexicon.strength(word) > here:
        return word
    return fixed


def _restore_split_letters(text: str, lexicon: Lexicon) -> str:
    words = list(_WORD.finditer(text))
    out: list[str] = []
    pos = 0
    i = 0
    while i < len(words):
        first = words[i]
        if not _PAIR.search(first.group()):
            i += 1
            continue
        # A run of fragments: each but the last ends in a pair followed by
        # exactly one space and a letter. Those spaces are the open questions.
        j = i
        while (j + 1 < len(words) and _ENDS_IN_PAIR.search(words[j].group())
               and words[j + 1].start() == words[j].end() + 1
               and text[words[j].end()] == " "):
            j += 1
        fragments = [_fix_word(m.group(), lexicon) for m in words[i:j + 1]]
        out.append(text[pos:first.start()])
        out.append(_segment(fragments, lexicon))
        pos = words[j].end()
        if _ENDS_IN_PAIR.search(words[j].group()):
            pos += _artefact_after(text, pos)
        i = j + 1
    out.append(text[pos:])
    return "".join(out)


_STRAY_SPACE = re.compile(r" (?=[.,;:!?)\]”’]| |$)"
                          rf"| (?=- (?:{'|'.join(sorted(_SUSPENDERS))})\b)")


def _artefact_after(text: str, pos: int) -> int:
    """How many characters after a word-final pair are the extraction's stray space (0 or 1).

    The stray space is certain before closing punctuation, before a hyphen
    that holds a compound open ("miljoö - och" = "miljö- och"), at the end of
    the line and when more spaces follow (the real word space comes after it).
    """
    return 1 if _STRAY_SPACE.match(text, pos) else 0


def _segment(fragments: list[str], lexicon: Lexicon) -> str:
    """Join the fragments, or keep single spaces between some, whichever reads as words.

    Every choice of joins is scored by how far its tokens fall short of sure
    words (a dictionary word counts 0, a compound only split here 1, a
    non-word 2), then by how many tokens it has: the stray space is the common
    case, so a tie joins. A lower-case fragment never joins a capitalised one.
    """
    n = len(fragments) - 1
    if n == 0:
        return fragments[0]
    if n > _MAX_EXHAUSTIVE:
        # Decide space by space, each with the token built so far.
        text = fragments[0]
        for frag in fragments[1:]:
            head, _, last = text.rpartition(" ")
            pair = _segment([last, frag], lexicon)
            text = f"{head} {pair}" if head else pair
        return text
    candidates = []
    for joins in itertools.product((True, False), repeat=n):
        tokens = [fragments[0]]
        for join, frag in zip(joins, fragments[1:]):
            if not join:
                tokens.append(frag)
            elif tokens[-1][-1].islower() and frag[0].isupper():
                break
            else:
                tokens[-1] += frag
        else:
            candidates.append(tokens)
    # Fewest tokens first, so the first candidate of all words wins and the
    # lexicon is asked as little as possible (the whole joined run usually is one).
    candidates.sort(key=len)
    best: tuple[int, int] | None = None
    best_tokens = fragments
    for tokens in candidates:
        score = (sum(2 - _strength(t, lexicon) for t in tokens), len(tokens))
        if best is None or score < best:
            best, best_tokens = score, tokens
        if score[0] == 0:
            break
    return " ".join(best_tokens)


def _strength(token: str, lexicon: Lexicon) -> int:
    if len(token) == 1:
        return 2 if token in _LETTER_WORDS else 0
    return lexicon.strength(token)


# --- line-end hyphens -------------------------------------------------------

_LAST_WORD = re.compile(r"([^\W_]+)-$")
_FIRST_WORD = re.compile(r"[^\W\d_]+")


def join_hyphenated(left: str, right: str, lexicon: Lexicon) -> str:
    """Join a line ending in "-" to the next line, keeping the hyphen only when it is real.

    "utveck-" + "lingsarbetet" is a hyphenation and joins to one word;
    "kommun-" + "och landsting" holds a compound open and keeps its space;
    "EU-" + "medel", "Örebro-" + "regionen" and "regionalt-" + "kommunalt"
    are hyphenated compounds and keep the hyphen.
    """
    left, right = left.rstrip(), right.lstrip()
    m = _LAST_WORD.search(left)
    if not m or not right:
        return f"{left} {right}".strip()
    head = m.group(1)
    tail_m = _FIRST_WORD.match(right)
    tail = tail_m.group() if tail_m else ""
    if tail.lower() in _SUSPENDERS:
        return f"{left} {right}"
    keep = (
        not tail or tail[0].isupper()          # "icke-EU", "2023-" + "2024"
        or len(head) == 1 or not head.isalpha()  # "e-tjänster", "covid19-"
        or any(c.isupper() for c in head[1:])    # "EU-", "AI-", "YH-"
        or (head[0].isupper() and lexicon.is_name(head))  # "Örebro-regionen"
    )
    if not keep and lexicon.strength(head + tail) < 2:
        # Two words that the dictionary does not make a compound of: "regionalt-kommunalt".
        keep = min(lexicon.strength(head), lexicon.strength(tail)) == 2
    return left + right if keep else left[:-1] + right
