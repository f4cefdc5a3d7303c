"""Swedish text analysis with spaCy: sentences, lemmas, stop words and compounds.

No trained Swedish spaCy pipeline is installable from the package registry, so
this uses spaCy's Swedish language data (tokenizer exceptions for "t.ex.",
"bl.a.", stop words), the rule-based sentencizer and the Swedish lookup
lemmatizer table from ``spacy-lookups-data``. Compound words, which Swedish
writes as one word ("kompetensförsörjningsarbetet"), are split into their parts
against a word list so lexical search finds "kompetensförsörjning" in them.
"""

from __future__ import annotations

import gzip
import json
import os
import pickle
import sqlite3
import sys
import tempfile
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.wordlist import DOMAIN_WORDS, hunspell_dir
from underlag.settings import get_settings

if TYPE_CHECKING:
    from spacy.language import Language

# A word shorter than this is never split and never used as a compound part.
MIN_PART = 3
MIN_COMPOUND = 8
# Swedish joins compound parts with a linking "s" (kompetens|försörjning|s|arbete).
LINKERS = ("", "s")
#: Bump when the cached lexicon's contents change shape.
_LEXICON_VERSION = 1
#: See :class:`LexiconLookups`: 0.5 s of CPU to load the lexicon, 10-30 µs per disk lookup.
DISK_LOOKUPS = 20_000


@dataclass(frozen=True)
class Token:
    text: str
    lemma: str
    start: int
    end: int
    is_stop: bool


def import_spacy() -> Any:
    """spaCy, imported without letting its thinc import torch, nor spaCy its command line.

    thinc probes for torch on import (``thinc.compat``), which costs 1.5-3 s and
    nothing here uses (a blank pipeline with a sentencizer). Hiding torch for the
    length of the import makes thinc note "no torch"; the entry is removed after,
    so a later ``import torch`` (the reference embedding backend) works as usual.
    spaCy's ``__init__`` also imports ``spacy.cli.info`` for ``spacy.info``, which pulls in
    its whole command line (weasel, requests, httpx, jinja2): 0.28 s of CPU of the 1.0 s
    the import costs (measured here). It stands in for the length of the import and
    ``spacy.info`` imports the real one when called; ``import spacy.cli`` works as usual.
    """
    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy
        return spacy
    hidden = {"torch": None}  # `import torch` -> ImportError
    if "spacy.cli" not in sys.modules:
        cli = types.ModuleType("spacy.cli")
        cli.__path__ = []  # a package, so that `from .cli.info import info` finds its child
        info = types.ModuleType("spacy.cli.info")
        info.info = _spacy_info  # type: ignore[attr-defined]
        hidden |= {"spacy.cli": cli, "spacy.cli.info": info}
    sys.modules.update(hidden)  # type: ignore[arg-type]
    try:
        import spacy
    finally:
        for name, stand_in in hidden.items():
            if sys.modules.get(name, 0) is stand_in:
                del sys.modules[name]
        if getattr(sys.modules.get("spacy"), "cli", None) is hidden.get("spacy.cli", 0):
            del sys.modules["spacy"].cli
    return spacy


def _spacy_info(*args: Any, **kwargs: Any) -> Any:
    """``spacy.info``, from spaCy's command line imported now (see :func:`import_spacy`)."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


def _load_spacy() -> Language:
    nlp = import_spacy().blank("sv")
    nlp.add_pipe("sentencizer")
    return nlp


@dataclass(frozen=True)
class SwedishLexicon:
    """What the analyzer looks words up in, as plain Python objects (no spaCy needed)."""

    #: spaCy's Swedish lemma lookup table, word -> lemma (from spacy-lookups-data).
    lemmas: dict[str, str]
    #: Lower-case Swedish base forms: hunspell-sv's word list and the domain's own words.
    words: frozenset[str]
    #: spaCy's Swedish stop words.
    stop_words: frozenset[str]

    def lemma(self, lower: str) -> str | None:
        """The lemma table's lemma of an inflected form, else None."""
        return self.lemmas.get(lower)

    def known(self, lower: str) -> bool:
        """A word of the word list or an inflected form of the lemma table."""
        return lower in self.words or lower in self.lemmas


def _lookups_file() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("spacy_lookups_data")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("spacy-lookups-data is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "sv_lemma_lookup.json.gz"


def _build_lexicon() -> SwedishLexicon:
    # The same table spacy.lookups.load_lookups("sv", ["lemma_lookup"]) builds; spaCy's
    # Table only hashes the keys, so a dict answers every lookup the same way.
    with gzip.open(_lookups_file(), "rt", encoding="utf-8") as f:
        lemmas = {k: v for k, v in json.load(f).items() if isinstance(v, str)}
    words = {w.lower() for w in DOMAIN_WORDS.split()}
    with open(hunspell_dir() / "sv_SE.dic", encoding="utf-8", errors="replace") as f:
        next(f, None)  # the first line is the entry count
        for line in f:
            stem = line.split("/", 1)[0].strip()
            if stem and not stem.startswith("#"):
                words.add(stem.lower())
    # every lemma the lookup table leads to is a word too ("samverkan" is only
    # listed as the lemma of "samverkans")
    words.update(v.lower() for v in lemmas.values())
    import_spacy()
    from spacy.lang.sv.stop_words import STOP_WORDS

    return SwedishLexicon(lemmas=lemmas, words=frozenset(words), stop_words=frozenset(STOP_WORDS))


def _lexicon_key() -> str:
    """Names the sources of the lexicon, so a changed dictionary or word list rebuilds the cache."""
    parts = [str(_LEXICON_VERSION), DOMAIN_WORDS]
    for path in (_lookups_file(), hunspell_dir() / "sv_SE.dic"):
        st = path.stat()
        parts.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts)


def lexicon_cache_path() -> Path:
    """Where the built lexicon is kept: beside the models, shared by every data folder."""
    return get_settings().cache_dir / "swedish-lexicon.pickle"


@lru_cache(maxsize=1)
def swedish_lexicon() -> SwedishLexicon:
    """The lexicon, from its cache when the sources are unchanged, else built and cached.

    Building reads the 660 000-entry lemma table and hunspell's list and imports spaCy
    for its stop words (several seconds); the pickle loads in a fraction of that.
    """
    path, key = lexicon_cache_path(), _lexicon_key()
    try:
        with path.open("rb") as f:
            cached_key, lexicon = pickle.load(f)
        if cached_key == key and isinstance(lexicon, SwedishLexicon):
            return lexicon
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
        pass
    lexicon = _build_lexicon()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".tmp") as f:
            pickle.dump((key, lexicon), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(f.name, path)
        write_lexicon_db(lexicon, key)
    except (OSError, sqlite3.Error):
        pass  # a read-only model folder: build again next time
    return lexicon


def lexicon_db_path() -> Path:
    """The lexicon's SQLite copy, beside its pickle: one row per form, for a process that
    looks up a few hundred words (a search from the terminal) instead of loading it whole."""
    return lexicon_cache_path().with_suffix(".sqlite")


def write_lexicon_db(lexicon: SwedishLexicon, key: str, path: Path | None = None) -> Path:
    """Write the SQLite copy of ``lexicon`` (atomically); ``key`` names its sources."""
    path = path or lexicon_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.execute("PRAGMA journal_mode = OFF")  # a new file, renamed into place when whole
        db.execute("PRAGMA synchronous = OFF")
        db.execute("CREATE TABLE meta (key TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES (?)", (key,))
        db.execute("CREATE TABLE forms (form TEXT PRIMARY KEY, lemma TEXT, word INTEGER NOT NULL, "
                   "stop INTEGER NOT NULL) WITHOUT ROWID")
        forms = set(lexicon.lemmas) | lexicon.words | lexicon.stop_words
        db.executemany("INSERT INTO forms VALUES (?, ?, ?, ?)",
                       ((f, lexicon.lemmas.get(f), f in lexicon.words, f in lexicon.stop_words)
                        for f in sorted(forms)))
        db.commit()
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    db.close()
    os.replace(tmp, path)
    return path


class LexiconLookups:
    """The lexicon's two questions (lemma, known word), answered from its SQLite
    copy until this process has asked :data:`DISK_LOOKUPS` of them, then from the whole
    lexicon in memory.

    Loading the pickle costs 0.5 s of CPU (660 000 lemmas, 290 000 words); a search from the
    terminal asks about 10 000 questions (its query and its hits' highlights, compound
    splitting included), 0.04 s from disk. Ingest and the server ask millions: they pay the
    load once, as before. The switch is the rent-or-buy rule: after as many disk lookups as
    the load costs, loading is cheaper from then on.
    """

    def __init__(self, path: Path):
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._rows: dict[str, tuple[str | None, bool] | None] = {}  # form -> (lemma, in the word list)
        self._memory: SwedishLexicon | None = None
        self.disk_lookups = 0
        #: spaCy's Swedish stop words (386: read at once)
        self.stop_words = frozenset(f for (f,) in self._db.execute("SELECT form FROM forms WHERE stop"))
        #: The two questions: from disk, and once the lexicon is loaded the lookups in its own
        #: tables, so a process that switched analyses as fast as one that loaded it at start.
        self.lemma: Callable[[str], str | None] = self._lemma_from_disk
        self.known: Callable[[str], bool] = self._known_from_disk

    def _row(self, form: str) -> tuple[str | None, bool] | None:
        """(its lemma, whether the word list holds it) from disk, or None for a form not stored;
        the call past :data:`DISK_LOOKUPS` loads the lexicon instead and answers from it."""
        with self._lock:
            if self._memory is None:
                if form in self._rows:
                    return self._rows[form]
                self.disk_lookups += 1
                if self.disk_lookups <= DISK_LOOKUPS:
                    found = self._db.execute("SELECT lemma, word FROM forms WHERE form = ?", (form,)).fetchone()
                    row = self._rows[form] = None if found is None else (found[0], bool(found[1]))
                    return row
                memory = self._memory = swedish_lexicon()
                self._db.close()
                self.lemma = memory.lemmas.get
                words, inflected = memory.words, memory.lemmas
                self.known = lambda w: w in words or w in inflected
        return self._memory.lemma(form), form in self._memory.words

    def _lemma_from_disk(self, lower: str) -> str | None:
        row = self._row(lower)
        return row[0] if row else None

    def _known_from_disk(self, lower: str) -> bool:
        row = self._row(lower)
        return bool(row and (row[1] or row[0] is not None))


def _lexicon_db_fresh(path: Path) -> bool:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return db.execute("SELECT key FROM meta").fetchone() == (_lexicon_key(),)
        finally:
            db.close()
    except sqlite3.Error:
        return False


def ensure_lexicon_db() -> Path:
    """The lexicon's SQLite copy, written now if it is missing or its sources changed (setup
    runs this once: writing it costs several seconds)."""
    path = lexicon_db_path()
    if not _lexicon_db_fresh(path):
        write_lexicon_db(swedish_lexicon(), _lexicon_key())
    return path


@lru_cache(maxsize=1)
def lexicon_lookups() -> LexiconLookups | SwedishLexicon:
    """The SQLite-backed lookups when the copy is there and current, else the lexicon itself
    (a folder set up before the copy existed works as before, at the old cost)."""
    path = lexicon_db_path()
    return LexiconLookups(path) if _lexicon_db_fresh(path) else swedish_lexicon()


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
        # Everything loads on first use: listing documents needs none of it, and a query
        # needs the lexicon and the tokenizer but never the training-time pieces.
        self._nlp = nlp
        self._is_word = is_word

    @cached_property
    def nlp(self) -> Language:
        """spaCy's blank Swedish pipeline with a sentencizer (imported on first use)."""
        return self._nlp if self._nlp is not None else _load_spacy()

    @cached_property
    def _lexicon(self) -> LexiconLookups | SwedishLexicon:
        """Either answers ``lemma``, ``known`` and ``stop_words`` alike."""
        return lexicon_lookups()

    @cached_property
    def stop_words(self) -> frozenset[str]:
        if self._nlp is not None:
            return frozenset(self._nlp.Defaults.stop_words)
        return self._lexicon.stop_words

    @cached_property
    def known(self) -> Callable[[str], bool]:
        """Whether a lower-case word is in the word list (the injected one, or hunspell-sv's
        words and the lemma table's inflected forms)."""
        if self._is_word is not None:
            return self._is_word
        lexicon = self._lexicon
        return lambda w: lexicon.known(w)  # LexiconLookups swaps its own when it loads the lexicon

    @cached_property
    def splitter(self) -> CompoundSplitter:
        known = self.known
        # a compound's head is inflected ("...arbetet"); accept a part whose lemma is a word
        return CompoundSplitter(lambda w: known(w) or known(self.lemma(w)))

    def is_swedish(self, lower: str) -> bool:
        """A lower-case word the Swedish lexicon knows: a word, an inflected form or a compound."""
        return (self.known(lower) or self._lexicon.lemma(lower) is not None or self.known(self.lemma(lower))
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
        return self._lexicon.lemma(lower) or lower

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

