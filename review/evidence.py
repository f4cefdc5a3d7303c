"""Evidence of the right kind for a template element, and the reason for a verdict.

A reviewer reads "täckt" as "the answer says it". For an element that asks *vilka
aktörer* that means actors named, not a sentence about samverkan; for the three
sustainability dimensions, each dimension present; for Agenda 2030, goals named.
Each element of a template declares its kind of evidence (``Element.evidence``,
see ``corpus/templates/README.md``); this module finds the specifics of that kind
in a sentence and turns what an answer holds into a verdict with a Swedish reason.

Kinds (``EvidenceKind``) and what counts as one item of evidence:

- ``actors``: a named organisation (gazetteer or name pattern: "Örebro universitet",
  "Lekebergs kommun", "länets tolv kommuner"); the writer itself does not count;
- ``challenges``: a challenge stated as such ("en utmaning har varit ...", "svårt att",
  "har försvårat"); the word inside "samhällsutmaningarna" does not count;
- ``success``: a success factor stated as such ("en framgångsfaktor", "har bidragit till
  att", "tack vare", "fungerat väl");
- ``results``: a figure with its unit ("120 deltagare", "35 %") or a concrete outcome
  ("har lett till", "har tagits fram", "beviljades");
- ``dimensions``: the economic, social and environmental dimension, each by its own words;
- ``places``: a named place ("Karlskoga", "Bergslagen") or kind of area ("landsbygder",
  "tätorter", "serviceglesa områden");
- ``goals``: an Agenda 2030 goal by number or title ("mål 8", "Hållbara städer och samhällen");
- ``societal``: one of the national strategy's societal challenges by name (demografi,
  globalisering, klimat och miljö, socioekonomi och sammanhållning, teknisk utveckling).

Public API::

    sentence_words(sentence, analyzer) -> tuple[str, frozenset[str]]
    find_items(kind, sentence, analyzer, gazetteer) -> list[str]
    decide(element, sentences: list[SentenceEvidence]) -> Verdict
    reason_text(element, status, items, n_needed) -> str
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from nlp.analyzer import Analyzer
from nlp.gazetteer import Gazetteer
from review.templates import Element

Status = Literal["covered", "weak", "missing"]
_WORD = re.compile(r"\w[\w:]*")


@lru_cache(maxsize=50_000)
def sentence_words(sentence: str, analyzer: Analyzer) -> tuple[str, frozenset[str]]:
    """The sentence lower-cased, and its words, lemmas and compound parts."""
    low = sentence.lower()
    return low, frozenset(_WORD.findall(low)) | frozenset(analyzer.terms(sentence))


def _begins(words: frozenset[str], low: str, alts: tuple[str, ...]) -> str | None:
    """The first alternative a word begins with (or, with a space, that the text holds)."""
    for a in alts:
        if (" " in a and a in low) or (" " not in a and any(w.startswith(a) for w in words)):
            return a
    return None


# -- statements (lower-case regexes; the matched text is the item) -------------------------

# "utmaning" standing as a word of its own: "samhällsutmaningar" and "utmaningsområden"
# do not match (no word boundary before or after).
_CHALLENGE = re.compile(
    r"\butmaning(?:en|ar|arna)?\b|\butmanande\b|\bsvårighet\w*|\bsvår(?:t|are)? att\b|\bhinder\b|"
    r"\bhindr(?:ar|at|ade)\b|\bförsvår\w*|\bproblem(?:et|en)? (?:med|är|var|har)\b|\bbrist(?:en)? på\b|"
    r"\w+brist(?:en)?\b|\b(?:har|hade) inte kunnat\b|\bförsen\w*|\bansträngd\w*|\bkämpar med\b|"
    r"\bunderskott\b|\bneddragning\w*|\bbegränsa(?:d|de|t|r|s)? (?:av|möjlighet\w*|resurs\w*)\b|"
    r"\bosäkerhet\w*|\bmotstånd\b|\bfördröj\w*|\btog längre tid\b|\bfragmenter\w*")
# "utmaning" after these words is a challenge of society or a requirement on others
# ("välfärdens utmaningar", "de demografiska utmaningarna", "specifika utmaningar kopplade
# till"), not a difficulty met in the work (tune cases c035, c051, c057).
_NOT_MET = re.compile(r"(?:välfärdens|samhällets|demografiska|globala|stora|komplexa|specifika|framtida|"
                      r"kommande|länets|regionens|gemensamma|tvärsektoriella|identifierade|"
                      r"samhälleliga|strukturella|de)\s+$")
# Stated as a factor of success, not an aim: "en förutsättning för" but not "skapa
# förutsättningar för", "har lyckats" but not "om det lyckas" (tune cases c067, c071).
_SUCCESS = re.compile(
    r"framgångsfaktor\w*|\bframgång(?:en|ar|arna|srik\w*)?\b|\b(?:har|hade|vi|och|att) lyckats\b|"
    r"\blyckades\b|\blyckad\w*|\bfungera(?:t|r|de) (?:väl|bra|mycket bra)\b|"
    r"\b(?:en|är|var|varit|den) (?:viktig |avgörande )?förutsättning(?:en)? för\b|\bnyckel(?:n)? (?:till|för)\b|"
    r"\bnyckelfaktor\w*|\bstyrk(?:a|an|or)\b|\btack vare\b|\bgott samarbete\b|\bgoda samarbete\w*|"
    r"\bunderlätta(?:t|de)\b|\bpositiv(?:a)? erfarenhet\w*|\bvarit avgörande\b|"
    r"\bvarit viktig\w* för\b|\bbidragit till (?:att arbetet|framgång)\w*")
_UNITS = (r"%|procent|st\b|stycken|deltagare|företag|personer|kommuner|projekt|miljon\w*|miljard\w*|"
          r"mnkr|mkr|msek|kronor|kr\b|timmar|ansökningar|elever|studenter|platser|arbetstillfällen|"
          r"jobb|utbildningar|aktörer|organisationer|besök\w*|träffar|möten|insatser|nätverk|km|ton|"
          r"kwh|mwh|gwh|hushåll|anställda|medarbetare|individer|ungdomar|kvinnor|män\b|"
          r"workshop\w*|seminarier|dialoger|kurser|deltagande|ärenden|beslut")
_FIGURE = re.compile(rf"\b\d[\d\u00a0 ]*(?:[.,]\d+)?\s*(?:{_UNITS})")
_OUTCOME = re.compile(
    r"\b(?:har|hade) (?:resulterat|lett) (?:i|till)\b|\bresulterade i\b|\bledde till\b|"
    r"\bhar (?:tagits|arbetats) fram\b|\bhar (?:antagits|beslutats|etablerats|startats|införts|"
    r"beviljats|invigts|anställts|certifierats|skapats)\b|\bbeviljades\b|\bantogs\b|"
    r"\b(?:har )?ökat? med\b|\b(?:har )?minskat? med\b|\bökade\b|\bminskade\b")

# The three dimensions, each by its own words (word beginnings; with a space: a phrase).
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "ekonomisk": ("ekonomisk", "näringsliv", "konkurrenskraft", "tillväxt", "företag", "sysselsättning",
                  "lönsam", "arbetstillfälle", "affärs", "export", "investering", "produktivitet"),
    "social": ("social", "livskvalitet", "jämställd", "jämlik", "inkludering", "inkluderande",
               "integration", "folkhälsa", "hälsa", "utanförskap", "trygghet", "delaktighet",
               "barn och unga", "mångfald", "segregation", "likvärdig", "välfärd", "demokrati"),
    "miljömässig": ("miljö", "klimat", "ekologisk", "naturresurs", "biologisk mångfald", "utsläpp",
                    "fossil", "energi", "cirkulär", "grön omställning", "hushållning", "resurseffektiv",
                    "biobaserad", "förnybar", "växthusgas"),
}
SOCIETAL: dict[str, tuple[str, ...]] = {
    "demografiska förändringar": ("demografi", "befolkningsutveckling", "befolkningsminskning",
                                  "åldrande", "försörjningskvot", "befolkningsstruktur", "inflyttning",
                                  "utflyttning"),
    "globalisering": ("globalisering", "internationell konkurrens", "globala marknad", "omvärldsläge",
                      "geopolitik"),
    "miljö och klimat": ("klimatförändring", "miljöproblem", "klimatomställning", "grön omställning",
                         "utsläpp", "klimatanpassning", "biologisk mångfald"),
    "socioekonomi och sammanhållning": ("socioekonomi", "sammanhållning", "segregation", "utanförskap",
                                        "ojämlikhet", "inkludering", "arbetslöshet"),
    "teknisk utveckling": ("teknisk utveckling", "teknikutveckling", "digitalisering", "artificiell",
                           "automatisering", "teknikskifte", "ai"),
}


def find_items(kind: str, sentence: str, analyzer: Analyzer, gazetteer: Gazetteer) -> list[str]:
    """The specifics of ``kind`` a sentence names (entity names, figures, dimensions, ...)."""
    if kind == "actors":
        return [m.label for m in gazetteer.actors(sentence)]
    if kind == "places":
        low, words = sentence_words(sentence, analyzer)
        return [m.label for m in gazetteer.places(sentence)] + gazetteer.area_types(words, low)
    if kind == "goals":
        return [m.label for m in gazetteer.goals(sentence)]
    low, words = sentence_words(sentence, analyzer)
    if kind == "challenges":
        return [m.group(0) for m in _CHALLENGE.finditer(low)
                if not (m.group(0).startswith("utmaning") and _NOT_MET.search(low[:m.start()]))]
    if kind == "success":
        return [m.group(0) for m in _SUCCESS.finditer(low)]
    if kind == "results":
        return [m.group(0).strip() for m in _FIGURE.finditer(low)] + [m.group(0) for m in _OUTCOME.finditer(low)]
    if kind in ("dimensions", "societal"):
        table = DIMENSIONS if kind == "dimensions" else SOCIETAL
        out = []
        for name, alts in table.items():
            hit = _begins(words, low, alts) if kind == "dimensions" else _societal_hit(words, low, alts)
            if hit:
                out.append(f"{name} ({hit})")
        return out
    raise ValueError(f"unknown evidence kind {kind!r}")


def _societal_hit(words: frozenset[str], low: str, alts: tuple[str, ...]) -> str | None:
    # "ai" as a word beginning would match "aida", "aikido": whole words for the short ones.
    for a in alts:
        if len(a) <= 3:
            if a in words:
                return a
        elif _begins(words, low, (a,)):
            return a
    return None


def distinct_key(kind: str, item: str) -> str:
    """What makes two items different evidence: a dimension counts once however it is named."""
    if kind in ("dimensions", "societal"):
        return item.split(" (")[0]
    if kind in ("challenges", "success", "results"):
        return item  # each statement cue counts; repeated cue words collapse
    return item.lower()


# -- the verdict ------------------------------------------------------------------------

@dataclass(frozen=True)
class SentenceEvidence:
    """What one sentence of an answer shows for an element."""

    items: tuple[str, ...]  # specifics of the element's kind
    topic: bool             # names the element's topic in words (its word groups)
    semantic: float         # cosine with the element's description


@dataclass(frozen=True)
class Verdict:
    status: Status
    index: int | None       # the sentence to cite
    items: tuple[str, ...]  # the evidence that counted (distinct, in order of appearance)
    reason: str


def decide(element: Element, sentences: list[SentenceEvidence], weak_semantic: float) -> Verdict:
    """Covered when the answer holds enough distinct items of the element's kind.

    Items count only in sentences whose meaning is close enough to the element
    (``element.evidence.floor``, calibrated: a municipality named in a sentence
    about the region's budget is no partner). With fewer items than
    ``element.evidence.min``, or only the topic in words, or only a sentence
    close in meaning (``weak_semantic``), the element is weak; with none of that,
    missing.
    """
    ev = element.evidence
    assert ev is not None
    need = max(1, ev.min)
    floor = ev.floor if ev.floor is not None else -1.0
    counted: dict[str, str] = {}
    per_count: list[int] = []
    for s in sentences:
        n = 0
        if s.semantic >= floor:
            for it in s.items:
                key = distinct_key(ev.kind, it)
                if key not in counted:
                    counted[key] = it
                n += 1
        per_count.append(n)
    items = tuple(counted.values())
    if len(counted) >= need:
        best = max(range(len(sentences)), key=lambda i: (per_count[i], sentences[i].semantic))
        return Verdict("covered", best, items, reason_text(element, "covered", items, need))
    any_items = tuple(dict.fromkeys(it for s in sentences for it in s.items))
    cands = [i for i, s in enumerate(sentences) if s.items or s.topic or s.semantic >= weak_semantic]
    if cands:
        best = max(cands, key=lambda i: (len(sentences[i].items), sentences[i].topic, sentences[i].semantic))
        shown = items or any_items
        return Verdict("weak", best, shown, reason_text(element, "weak", shown, need))
    return Verdict("missing", None, (), reason_text(element, "missing", (), need))


# What a reviewer is told, per kind: (the topic, what an answer lacks without evidence,
# what the evidence is called).
_SV = {
    "actors": ("samverkan", "inga namngivna aktörer", "aktörer"),
    "challenges": ("utmaningar", "ingen utmaning i genomförandet uttalas som sådan", "utmaningar"),
    "success": ("framgång", "ingen framgångsfaktor uttalas som sådan", "framgångsfaktorer"),
    "results": ("resultat", "inga siffror eller konkreta utfall", "resultat"),
    "dimensions": ("hållbarhet", "inte de tre dimensionerna var för sig", "dimensioner"),
    "places": ("territoriellt perspektiv", "inga platser eller områdestyper", "platser och områden"),
    "goals": ("Agenda 2030", "inga globala mål namngivna", "globala mål"),
    "societal": ("samhällsutmaningarna", "inte vilka samhällsutmaningar", "samhällsutmaningar"),
}


def reason_text(element: Element, status: Status, items: tuple[str, ...], need: int) -> str:
    """The verdict's reason in Swedish ("nämner samverkan men inga namngivna aktörer")."""
    kind = element.evidence.kind if element.evidence else None
    topic, lacks, called = _SV.get(kind or "", (element.label.lower(), "inga belägg", "belägg"))
    shown = ", ".join(items[:6]) + (" …" if len(items) > 6 else "")
    if status == "covered":
        return f"{called}: {shown}"
    if status == "missing":
        return f"ingenting om {topic}"
    have = {i.split(" (")[0] for i in items}
    lack = [d for d in DIMENSIONS if d not in have]
    if kind == "dimensions" and items and lack:
        return f"nämner {' och '.join(d for d in DIMENSIONS if d in have)} hållbarhet men inte {' eller '.join(lack)}"
    if items:
        return (f"nämner bara {len(items)} av {need} {called} som krävs ({shown})" if len(items) < need
                else f"{called} ({shown}) står inte i sammanhang med frågan")
    return f"nämner {topic} men {lacks}"
