"""Named actors, places and Agenda 2030 goals in Swedish text: a gazetteer plus name patterns.

The coverage check asks an answer for *evidence* of the right kind: which
organisations it names as partners, which places or kinds of area it names,
which global goals. This module finds them. Two sources:

- the gazetteer ``nlp/data/gazetteer.yaml`` (public lists written by hand: Örebro
  län's municipalities and towns, Sweden's regions, state agencies, universities,
  business and civil-society organisations, plus names that recur in the sample
  corpus);
- NER-like patterns for organisation names the list does not hold: a capitalised
  name followed by a suffix that makes it an organisation ("Lekebergs kommun",
  "Exempel AB", "Mälardalens högskola", "Region Västmanland", "Energimyndigheten",
  "Länsstyrelsen i Värmlands län", "Bergslagens bildningsförbund").

No statistical NER: no Swedish spaCy pipeline with NER is published on PyPI (the
official ``sv_core_news_*`` packages are distributed as GitHub release assets,
which this project cannot fetch at install time), and the project loads no model
weights at run time beyond the embedding model.

Public API::

    load_gazetteer(path: Path = GAZETTEER) -> Gazetteer
    Gazetteer.actors(text) -> list[Mention]      # organisations (the writer itself left out)
    Gazetteer.name_spans(text) -> list[Mention]  # organisation names, the writer's own included
    Gazetteer.places(text) -> list[Mention]      # named places
    Gazetteer.area_types(words) -> list[str]     # kinds of area among a sentence's words
    Gazetteer.goals(text) -> list[Mention]       # Agenda 2030 goals named
    mine_names(texts) -> Counter[str]            # candidate names for the gazetteer
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from underlag import yamlfile

GAZETTEER = Path(__file__).resolve().parent / "data" / "gazetteer.yaml"

_CAP = r"[A-ZÅÄÖÉ][\wåäöéü&-]*"
# Genitive and definite endings a listed name may carry ("Tillväxtverkets", "Almis").
_ENDING = r"(?:s|en|ens|et|ets|n|ns)?"
_NUM_WORD = r"(?:ett|en|två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|femton|tjugo)"


@dataclass(frozen=True)
class Mention:
    """One name found in a text: its canonical label, its kind and where it stands."""

    label: str
    kind: str
    start: int
    end: int


# NER-like patterns: (kind, regex). Order matters: the first pattern that claims a
# span wins, so specific shapes come before general ones.
_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("myndighet", re.compile(rf"\bLänsstyrelsen(?:s)?(?: i (?:{_CAP} )?{_CAP} län)?")),
    ("kommun", re.compile(rf"\b(?:{_CAP} ){{0,2}}{_CAP} kommuns?\b")),
    ("region", re.compile(rf"\bRegion (?:{_CAP} )?{_CAP}(?: län)?\b")),
    ("larosate", re.compile(rf"\b(?:{_CAP} ){{0,2}}{_CAP} (?:universitet|högskola|universitets|högskolas)\b"
                            rf"|\bHögskolan (?:i |på )?{_CAP}\b")),
    ("naringsliv", re.compile(rf"\b(?:{_CAP} ){{0,3}}{_CAP} AB\b")),
    ("myndighet", re.compile(r"\b[A-ZÅÄÖ][a-zåäö]+(?:verket|myndigheten|inspektionen)s?\b")),
    ("civilsamhalle", re.compile(rf"\b(?:{_CAP} ){{0,2}}{_CAP} (?:bildningsförbund|idrottsförbund|"
                                 rf"föreningsråd|folkhögskola|församling)\b")),
    ("organisation", re.compile(r"\b[A-ZÅÄÖ][a-zåäö]+(?:förbundet|kammaren|rådet|institutet|centrum|"
                                r"centret|nätverket|akademin|stiftelsen)s?\b")),
]
# Capitalised words that the patterns above would take for organisations but that name
# no one (a sentence-initial common noun, a document, a programme).
_NOT_ACTORS = frozenset({
    "Regionstyrelsen", "Kulturområdet", "Livsmedelsområdet", "Området", "Nätverket", "Rådet",
    "Centrum", "Institutet", "Förbundet", "Verket", "Myndigheten", "Kammaren", "Akademin",
    "Samverkansrådet", "Partnerskapet", "Arbetsmarknadsrådet", "Stiftelsen",
})

# "mål 8", "globala målen 8, 9 och 11", "SDG 13", "delmål 4.4": the numbers of a list are all kept.
_GOAL_NUMBER = re.compile(
    r"\b(?:(?:globala|hållbarhets)?mål(?:et|en)?|sdg|delmål)\s*(?:nr\.?\s*|nummer\s*)?"
    r"(\d{1,2}(?:\.\w{1,2})?(?:\s*(?:,|och|samt|&)\s*\d{1,2}(?:\.\w{1,2})?)*)\b",
    re.IGNORECASE)


class Gazetteer:
    """Finds actors, places and goals in text (see the module docstring)."""

    def __init__(self, data: dict):
        self.self_names = tuple(data.get("self", []))
        self._actor_names = [(name, kind) for kind, names in data.get("actors", {}).items()
                             for name in names]
        # Longest names first so "Länsstyrelsen i Örebro län" wins over "Länsstyrelsen".
        self._actor_names.sort(key=lambda nk: -len(nk[0]))
        self._actor_rx = _alternation(n for n, _ in self._actor_names)
        self._actor_kind = {n: k for n, k in self._actor_names}
        self._collective = [(label, re.compile(rx)) for label, rx in data.get("collective", {}).items()]
        self._places = sorted(data.get("places", []), key=len, reverse=True)
        self._place_rx = _alternation(self._places)
        self._area_types = tuple(a.lower() for a in data.get("area_types", []))
        titles = data.get("goals", [])
        # A single-word title ("Jämställdhet") is an ordinary word too: only titles of two or
        # more words are taken as naming the goal without its number.
        self._goal_titles = {t.lower(): i + 1 for i, t in enumerate(titles) if " " in t}
        self._goal_rx = re.compile("|".join(re.escape(t) for t in sorted(self._goal_titles, key=len,
                                                                          reverse=True)))

    # -- actors -----------------------------------------------------------------------

    def actors(self, text: str) -> list[Mention]:
        """Organisations named in ``text`` (listed names, name patterns, collective actors).

        The writer itself (``self`` in the gazetteer) is left out. Each span is
        claimed once: a listed name first, then the patterns in their order.
        """
        return [m for m in self._names(text) if m.kind != "self"]

    def name_spans(self, text: str) -> list[Mention]:
        """Every organisation name in ``text``, the writer's own among them (kind ``self``):
        the spans a place inside a name stands in ("Örebro universitet", "Handelskammaren
        Mälardalen", "Region Örebro län")."""
        return self._names(text)

    def _names(self, text: str) -> list[Mention]:
        found: list[Mention] = []
        taken: list[tuple[int, int]] = []

        def claim(label: str, kind: str, a: int, b: int) -> None:
            if any(a < y and x < b for x, y in taken):
                return
            taken.append((a, b))
            if _is_self(label, self.self_names) or label in _NOT_ACTORS:
                return
            found.append(Mention(label=label, kind=kind, start=a, end=b))

        for s in self.self_names:  # claim the writer's own name first so its parts are not actors
            for m in re.finditer(rf"\b{re.escape(s)}{_ENDING}\b", text):
                taken.append((m.start(), m.end()))
                found.append(Mention(label=s, kind="self", start=m.start(), end=m.end()))
        if self._actor_rx is not None:
            for m in self._actor_rx.finditer(text):
                name = m.group(1)
                claim(name, self._actor_kind[name], m.start(), m.end())
        for kind, rx in _PATTERNS:
            for m in rx.finditer(text):
                claim(_canonical(m.group(0)), kind, m.start(), m.end())
        low = text.lower()
        for label, rx in self._collective:
            for m in rx.finditer(low):
                claim(label, "kommun" if "kommun" in label else "naringsliv", m.start(), m.end())
        return sorted(found, key=lambda x: x.start)

    # -- places -----------------------------------------------------------------------

    def places(self, text: str) -> list[Mention]:
        """Named places (towns, municipalities, parts of Sweden) in ``text``.

        A place that is only the first word of an organisation's name ("Örebro
        universitet", "Region Örebro län") still counts: the answer names where.
        """
        if self._place_rx is None:
            return []
        own = [(m.start(), m.end()) for s in self.self_names
               for m in re.finditer(rf"\b{re.escape(s)}{_ENDING}\b", text)]
        return [Mention(label=m.group(1), kind="plats", start=m.start(), end=m.end())
                for m in self._place_rx.finditer(text)
                if not any(a <= m.start() < b for a, b in own)]

    def area_types(self, words: Iterable[str], low_text: str = "") -> list[str]:
        """Kinds of area among a sentence's lower-case words, lemmas and compound parts.

        A one-word kind matches a word that begins with it ("landsbygderna",
        "tätortsstruktur"); a kind with a space is looked for in ``low_text``.
        """
        words = list(words)
        out = []
        for a in self._area_types:
            if (" " in a and a in low_text) or (" " not in a and any(w.startswith(a) for w in words)):
                out.append(a)
        return out

    # -- goals ------------------------------------------------------------------------

    def goals(self, text: str) -> list[Mention]:
        """Agenda 2030 goals named by number ("mål 8", "globala mål 11", "SDG 7") or title."""
        out = []
        for m in _GOAL_NUMBER.finditer(text):
            for g in re.findall(r"(\d{1,2})(?:\.\w{1,2})?", m.group(1)):
                if 1 <= int(g) <= 17:
                    out.append(Mention(label=f"mål {int(g)}", kind="mål", start=m.start(), end=m.end()))
        low = text.lower()
        for m in self._goal_rx.finditer(low) if self._goal_titles else ():
            n = self._goal_titles[m.group(0)]
            out.append(Mention(label=f"mål {n} {text[m.start():m.end()]}", kind="mål",
                               start=m.start(), end=m.end()))
        return out


def _alternation(names: Iterable[str]) -> re.Pattern | None:
    names = list(names)
    if not names:
        return None
    return re.compile(r"(?<![\wÅÄÖåäö])(" + "|".join(re.escape(n) for n in names) + rf"){_ENDING}(?![\wåäö])")


def _canonical(name: str) -> str:
    """A pattern match without its genitive ending ("Lekebergs kommuns" -> "Lekebergs kommun")."""
    for suffix in (" kommuns", " universitets", " högskolas"):
        if name.endswith(suffix):
            return name[:-1]
    if name.endswith("s") and re.search(r"(verket|myndigheten|förbundet|kammaren|rådet|institutet|"
                                        r"nätverket|akademin|stiftelsen|inspektionen)s$", name):
        return name[:-1]
    if name.startswith("Länsstyrelsens"):
        return "Länsstyrelsen" + name[len("Länsstyrelsens"):]
    return name


def _is_self(label: str, self_names: tuple[str, ...]) -> bool:
    return any(label == s or label.startswith(s + " ") for s in self_names)


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> Gazetteer:
    return Gazetteer(yamlfile.safe_load(path.read_text(encoding="utf-8")) or {})


def load_gazetteer(path: Path = GAZETTEER) -> Gazetteer:
    """The gazetteer of ``path`` (default ``nlp/data/gazetteer.yaml``), read once per change."""
    path = Path(path).resolve()
    return _load(path, path.stat().st_mtime)


def mine_names(texts: Iterable[str]) -> Counter:
    """Organisation-like names the patterns find in ``texts``, with their counts.

    Used to grow the gazetteer from a corpus: run it, read the list, and copy the
    names that are actors into ``gazetteer.yaml`` under their kind.
    """
    counts: Counter = Counter()
    for text in texts:
        for _, rx in _PATTERNS:
            for m in rx.finditer(text):
                counts[_canonical(m.group(0))] += 1
        for m in re.finditer(r"\b[A-ZÅÄÖ]{2,6}(?:-[A-ZÅÄÖ]{2,6})?\b", text):
            counts[m.group(0)] += 1
    return counts


if __name__ == "__main__":  # python -m nlp.gazetteer mine FILE...  (plain-text files)
    if len(sys.argv) < 3 or sys.argv[1] != "mine":
        sys.exit("usage: python -m nlp.gazetteer mine FILE...")
    for name, n in mine_names(Path(p).read_text(encoding="utf-8", errors="replace")
                              for p in sys.argv[2:]).most_common(300):
        print(n, name)
