"""The Aurora Universities Network's SDG search queries as a keyword signal per target.

The queries (``corpus/taxonomies/aurora/``, v5.0, CC BY 4.0: Vanderfeesten, M., Otten, R.,
Spielberg, E. (2020). Search Queries for "Mapping Research Output to the Sustainable
Development Goals (SDGs)" v5.0. Aurora Universities Network. doi:10.5281/zenodo.3817445)
are Scopus Boolean queries, one or more query lines per target. This module interprets the
subset they use over a plain text:

- ``"term"``, ``"two words"``: a word or phrase (consecutive words), case-insensitive; a word
  ending in ``*`` is a prefix; a plain word also matches its English plural (-s, -es), as
  Scopus' loose phrases do;
- ``OR``, ``AND``, ``AND NOT``, ``W/n`` (both sides within n words, either order) and
  parentheses, with Scopus' precedence: OR binds tightest, then W/n, then AND, then AND NOT.

Each query line is evaluated to the word spans where it holds; a target's evidence is the
number of its lines that match a text. Words are the text's letters-and-digits runs, so
"water-use" is the two words "water use". The queries are English; ``SWEDISH`` gives a
Swedish word for some of their key words, tried as well (a Swedish text rarely says
"drinking water", but "dricksvatten" is one word: the equivalents are whole words or
prefixes, matched like the originals).
"""

from __future__ import annotations

import bisect
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_NS = {"aqd": "http://aurora-network.global/queries/namespace/", "dc": "http://dublincore.org/documents/dcmi-namespace/"}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TOKEN = re.compile(r'"([^"]*)"|\(|\)|W/\d+|AND\s+NOT|AND|OR', re.I)

Span = tuple[int, int]


class AuroraSyntaxError(ValueError):
    """A query line outside the supported subset."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]


@dataclass(frozen=True)
class Op:
    op: str  # "or", "and", "not", "w"
    left: Node
    right: Node
    n: int = 0


Node = Term | Op


def parse(query: str) -> Node:
    """The syntax tree of one query line."""
    tokens: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(query):
        if query[pos:m.start()].strip():
            raise AuroraSyntaxError(f"unexpected {query[pos:m.start()].strip()!r} in {query!r}")
        pos = m.end()
        tokens.append(m.group(0) if m.group(1) is None else '"' + m.group(1))
    if query[pos:].strip():
        raise AuroraSyntaxError(f"unexpected {query[pos:].strip()!r} in {query!r}")
    tokens = [re.sub(r"\s+", " ", t.upper()) if not t.startswith('"') else t for t in tokens]
    i = 0

    def peek() -> str | None:
        return tokens[i] if i < len(tokens) else None

    def take() -> str:
        nonlocal i
        if i >= len(tokens):
            raise AuroraSyntaxError(f"unexpected end of {query!r}")
        i += 1
        return tokens[i - 1]

    def atom() -> Node:
        t = take()
        if t == "(":
            node = expr_not()
            if take() != ")":
                raise AuroraSyntaxError(f"unbalanced parentheses in {query!r}")
            return node
        if t.startswith('"'):
            words = tuple(w.lower() for w in re.findall(r"[^\W_]+\*?", t[1:]))
            if not words:
                raise AuroraSyntaxError(f"empty term in {query!r}")
            return Term(words)
        raise AuroraSyntaxError(f"expected a term in {query!r}")

    def binary(sub, match) -> Node:
        node = sub()
        while peek() is not None and match(peek()):
            op = take()
            right = sub()
            if op.startswith("W/"):
                node = Op("w", node, right, int(op[2:]))
            else:
                node = Op({"OR": "or", "AND": "and", "AND NOT": "not"}[op], node, right)
        return node

    def expr_or() -> Node:
        return binary(atom, lambda t: t == "OR")

    def expr_w() -> Node:
        return binary(expr_or, lambda t: t.startswith("W/"))

    def expr_and() -> Node:
        return binary(expr_w, lambda t: t == "AND")

    def expr_not() -> Node:
        return binary(expr_and, lambda t: t == "AND NOT")

    node = expr_not()
    if i != len(tokens):
        raise AuroraSyntaxError(f"unexpected {tokens[i]!r} in {query!r}")
    return node


class Text:
    """A text's words, indexed for term lookups."""

    def __init__(self, text: str):
        self.words = [w.lower() for w in _WORD.findall(text)]
        self.positions: dict[str, list[int]] = {}
        for k, w in enumerate(self.words):
            self.positions.setdefault(w, []).append(k)
        self.sorted = sorted(self.positions)
        self._spans: dict[tuple[str, ...], list[Span]] = {}

    def word_positions(self, word: str) -> list[int]:
        if word.endswith("*"):
            stem = word[:-1]
            out: list[int] = []
            for j in range(bisect.bisect_left(self.sorted, stem), len(self.sorted)):
                if not self.sorted[j].startswith(stem):
                    break
                out.extend(self.positions[self.sorted[j]])
            return out
        return [*self.positions.get(word, ()), *self.positions.get(word + "s", ()),
                *self.positions.get(word + "es", ())]

    def spans(self, term: Term) -> list[Span]:
        """Where the term occurs (memoised: the queries share many terms)."""
        if term.words not in self._spans:
            self._spans[term.words] = self._find(term)
        return self._spans[term.words]

    def _find(self, term: Term) -> list[Span]:
        first = self.word_positions(term.words[0])
        if len(term.words) == 1:
            return [(p, p + 1) for p in first]
        rest = [set(self.word_positions(w)) for w in term.words[1:]]
        return [(p, p + len(term.words)) for p in first
                if all(p + k + 1 in r for k, r in enumerate(rest))]


def evaluate(node: Node, text: Text, swedish: dict[str, tuple[Term, ...]] | None = None) -> list[Span]:
    """The word spans of ``text`` where ``node`` holds (empty: it does not); ``swedish``:
    alternative terms per term (by its words joined with spaces)."""
    if isinstance(node, Term):
        spans = text.spans(node)
        for alt in (swedish or {}).get(" ".join(node.words), ()):
            spans = spans + text.spans(alt)
        return spans
    left = evaluate(node.left, text, swedish)
    if node.op == "not":
        return left if left and not evaluate(node.right, text, swedish) else []
    if node.op == "and" and not left:
        return []
    right = evaluate(node.right, text, swedish)
    if node.op == "or" or node.op == "and":
        return (left + right) if (node.op == "or" or right) else []
    out = []  # W/n: within n words of each other, either order
    for a in left:
        for b in right:
            gap = max(a[0], b[0]) - min(a[1], b[1])
            if gap <= node.n:
                out.append((min(a[0], b[0]), max(a[1], b[1])))
    return out


#: Swedish words for some of the queries' key terms (query term -> Swedish words or
#: prefixes), so Swedish text can meet the English queries. Written for the terms that
#: carry the targets a Swedish regional report is likely to mention.
SWEDISH: dict[str, tuple[str, ...]] = {
    "poverty": ("fattigdom*",), "poor": ("fattig*",), "hunger": ("hunger", "svält"),
    "food security": ("livsmedelsförsörjning*", "livsmedelstrygghet*"), "agricultur*": ("jordbruk*", "lantbruk*"),
    "farmer*": ("lantbrukare*", "bönder", "bonde"), "malnutrition": ("undernäring",),
    "maternal mortality": ("mödradödlighet*",), "mortality": ("dödlighet*",), "health*": ("hälsa*", "hälso*"),
    "disease*": ("sjukdom*",), "vaccin*": ("vaccin*",), "suicide*": ("suicid*", "självmord*"),
    "drinking": ("dricksvatten*",), "water": ("vatten*",), "sanitation": ("sanitet*", "avlopp*"),
    "wastewater": ("avloppsvatten*",), "groundwater": ("grundvatten*",),
    "renewable energy": ("förnybar* energi*",), "energy efficiency": ("energieffektiv*",),
    "electricity": ("el", "elektricitet*", "elförsörjning*"), "solar": ("sol*",), "wind": ("vind*",),
    "unemployment": ("arbetslöshet*",), "employment": ("sysselsättning*",), "tourism": ("turism*", "besöksnäring*"),
    "youth": ("unga", "ungdom*"), "broadband": ("bredband*",), "internet": ("internet*", "uppkoppling*"),
    "infrastructure": ("infrastruktur*",), "innovation": ("innovation*",), "research": ("forskning*",),
    "inequalit*": ("ojämlikhet*",), "inclusion": ("inkludering*",), "migra*": ("migration*", "migrant*"),
    "discriminat*": ("diskriminer*",), "housing": ("bostad*", "bostäder*"), "public transport": ("kollektivtrafik*",),
    "cultural heritage": ("kulturarv*",), "waste": ("avfall*",), "recycl*": ("återvinning*",),
    "circular economy": ("cirkulär* ekonomi*",), "climate change": ("klimatförändring*",),
    "greenhouse gas*": ("växthusgas*",), "emission*": ("utsläpp*",), "climate": ("klimat*",),
    "ocean*": ("hav*",), "marine": ("marin*",), "fish*": ("fisk*",), "biodiversity": ("biologisk* mångfald*",),
    "forest*": ("skog*",), "deforestation": ("avskogning*",), "ecosystem*": ("ekosystem*",),
    "species": ("arter",), "corruption": ("korruption*",), "violence": ("våld*",), "crime*": ("brott*",),
    "justice": ("rättvisa*",), "rule of law": ("rättsstat*",), "partnership*": ("partnerskap*",),
    "women": ("kvinnor*",), "girls": ("flickor*",), "gender": ("kön", "jämställd*"), "education": ("utbildning*",),
    "school*": ("skol*",), "teacher*": ("lärare*",), "literacy": ("läskunnighet*",),
}


@dataclass(frozen=True)
class Query:
    target: str  # "6.1"
    line: str
    node: Node


class AuroraQueries:
    """The parsed query lines per target, matched against texts."""

    def __init__(self, queries: Iterable[Query], swedish: dict[str, tuple[str, ...]] | None = None):
        self.queries = list(queries)
        self.swedish = {k: tuple(Term(tuple(a.split())) for a in alts)
                        for k, alts in (SWEDISH if swedish is None else swedish).items()}

        # a query can only hold where one of its terms occurs: index the queries by their
        # terms' first words (exact and prefix), so a text evaluates only its candidates
        # (30 ms -> about 1 ms per sentence)
        self._by_word: dict[str, set[int]] = {}
        self._by_prefix: dict[str, set[int]] = {}
        for k, q in enumerate(self.queries):
            for term in _terms(q.node):
                for t in (term, *self.swedish.get(" ".join(term.words), ())):
                    w = t.words[0]
                    if w.endswith("*"):
                        self._by_prefix.setdefault(w[:-1], set()).add(k)
                    else:
                        for form in (w, w + "s", w + "es"):
                            self._by_word.setdefault(form, set()).add(k)

    def _candidates(self, text: Text) -> list[int]:
        found: set[int] = set()
        for w in text.sorted:
            found |= self._by_word.get(w, set())
            for n in range(1, len(w) + 1):
                found |= self._by_prefix.get(w[:n], set())
        return sorted(found)

    @classmethod
    def load(cls, folder: Path) -> AuroraQueries:
        return cls(_load(folder))

    @property
    def targets(self) -> set[str]:
        return {q.target for q in self.queries}

    def match(self, text: str) -> dict[str, int]:
        """Target id -> number of its query lines that match ``text``."""
        t = Text(text)
        out: dict[str, int] = {}
        for k in self._candidates(t):
            q = self.queries[k]
            if evaluate(q.node, t, self.swedish):
                out[q.target] = out.get(q.target, 0) + 1
        return out


def _terms(node: Node) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    return _terms(node.left) + _terms(node.right)


@lru_cache(maxsize=4)
def _load(folder: Path) -> tuple[Query, ...]:
    out = []
    for path in sorted(folder.glob("query_SDG*.xml")):
        root = ET.fromstring(path.read_text(encoding="utf-8-sig"))
        for definition in root.iter(f"{{{_NS['aqd']}}}query-definition"):
            uri = next((e.text or "" for e in definition.findall("dc:identifier", _NS) if e.get("type") == "uri"), "")
            target = uri.rstrip("/").rsplit("/", 1)[-1]
            for line in definition.iter(f"{{{_NS['aqd']}}}query-line"):
                text = " ".join((line.text or "").split())
                if text:
                    out.append(Query(target, text, parse(text)))
    return tuple(out)
