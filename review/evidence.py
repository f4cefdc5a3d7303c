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
- ``dimensions``: the economic, social and environmental dimension, each by its own words
  in a sentence about the work's effect or sustainability ("bidrar till", "påverkan",
  "hänsyn", "hållbar": "företag" in a list of who took part is no economic dimension), or
  all three at once ("samtliga tre dimensioner av hållbarhet");
- ``places``: a named place ("Karlskoga", "Bergslagen"), kind of area ("landsbygder",
  "tätorter", "serviceglesa områden") or where-word ("mellan länets kommuner", "områden inom
  kommunerna") with a cue of a difference, spread or targeting between places within a few
  words ("förutom i Örebro tätort", "skillnader i tätortsstruktur", "tillgängliga på fler
  mindre orter"), or a link between places in itself ("funktionella samband", "angränsande
  län"): a place named elsewhere says *where*, not how the territorial perspective was
  considered; a place inside an organisation's name ("Örebro universitet") or the writer's
  own county ("Örebro län") is no place at all;
- ``goals``: an Agenda 2030 goal by number or title ("mål 8", "Hållbara städer och samhällen");
- ``societal``: one of the national strategy's societal challenges named as a change of
  society (demografiska förändringar, globalisering, klimatförändringar, segregation,
  teknisk utveckling); a topic word ("digitalisering", "inkludering", "AI") counts only in
  a sentence that frames it as a challenge met ("möta", "ställer krav", "omställning").

A specific named without the context that makes it evidence (a place in a sentence about
something else) is kept as a *mention*: it makes the element weak, and the reason says
what is missing ("nämner platser (Kumla) men inte hur skillnader mellan platser beaktats").

Public API::

    sentence_words(sentence, analyzer) -> tuple[str, frozenset[str]]
    find_items(kind, sentence, analyzer, gazetteer) -> list[str]
    find_evidence(kind, sentence, analyzer, gazetteer) -> tuple[list[str], list[str]]
        # (items that count, specifics named without the context that makes them count)
    decide(element, sentences: list[SentenceEvidence], weak_semantic) -> Verdict
    reason_text(element, status, items, n_needed) -> str
"""

from __future__ import annotations

import bisect
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
                      r"samhälleliga|strukturella|de|vilka|områden\s+med|(?:länet|regionen|samhället)\s+har"
                      r"(?:\s+även|\s+också)?)\s+$")
# ... nor is "utmaningarna beskrivna i RUS" or "Utmaningarna är breda och rör alla dimensioner"
# (the strategy's challenge areas, tune cases c044, c215), and "hinder och möjligheter" is a
# topic, not an obstacle met (c037).
# Barriers to tear down are an aim ("riva hinder för utsatta grupper", tune case c211).
_AIM_BEFORE = re.compile(r"\b(?:riva|undanröja|röja|bryta|ta\s+bort)\s+(?:\w+\s+)?$")
_NOT_MET_AFTER = re.compile(r"^\s+(?:beskrivna|är\s+breda|som\s+(?:länet|regionen|samhället)|och\s+möjligheter)")
# A requirement that projects describe their challenges is no challenge met (the cases'
# guideline; tune case c051: "ska det finnas en beskrivning av specifika utmaningar ... samt
# hur dessa utmaningar ska bemötas"), nor are the challenges a follow-up identified.
_CHALLENGE_NOT_MET_SENTENCE = re.compile(r"\bska\b[^.]{0,60}\bbeskriv\w*|\bidentifiera(?:t|ts|de)\b")
# Stated as a factor of success, not an aim: "en förutsättning för" but not "skapa
# förutsättningar för", "har lyckats" but not "om det lyckas" (tune cases c067, c071).
_SUCCESS = re.compile(
    r"framgångsfaktor\w*|\bframgång(?:en|ar|arna|srik\w*)?\b|\b(?:har|hade|vi|och|att) lyckats\b|"
    r"\blyckades\b|\blyckad\w*|\bfungera(?:t|r|de) (?:väl|bra|mycket bra)\b|"
    r"\b(?:en|är|var|varit|den) (?:viktig |avgörande )?förutsättning(?:en)? för\b|\bnyckel(?:n)? (?:till|för)\b|"
    r"\bnyckelfaktor\w*|\bstyrk(?:a|an|or)\b|\btack vare\b|\bgott samarbete\b|\bgoda samarbete\w*|"
    r"\bunderlätta(?:t|de)\b|\bpositiv(?:a)? erfarenhet\w*|\bvarit avgörande\b|"
    r"\bvarit viktig\w* för\b|\bbidragit till (?:att arbetet|framgång)\w*|"
    # what brought a result about ("har bidragit till resultatet", "Det som främst bidragit till
    # förflyttningen är ...", "Bidragande till resultatet är ..."; tune case c216)
    r"\b(?:bidragit|bidrog|bidragande) till (?:resultat|förflyttning|etablering)\w*|"
    r"\b(?:en|den stora|största) fördel(?:en)? (?:med|är|har)\b")
# "fungerar bra" alone is the general judgement the cases' guideline calls weak (tune case
# c243: "Samverkan ... fungerar bra."); it counts with its reason ("utifrån dialog och snabba
# återkopplingar", "tack vare", "genom", "eftersom").
_WORKS_WELL = re.compile(r"^fungera(?:t|r|de) (?:väl|bra|mycket bra)$")
_REASON = re.compile(r"\b(?:utifrån|tack vare|genom|eftersom|därför att|då)\b")
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
# A sentence that says something about the work's effect or its sustainability: a
# dimension's words count only here ("företag" in a list of who took part does not).
_DIM_CUE = re.compile(
    r"\bhållbar\w*|\bdimension\w*|\bbidra\w*|\bpåverk\w*|\w+påverkan\b|\bhänsyn\w*|\bkonsekvens\w*|"
    r"\beffekt(?:er|erna|en)?\b|\bgynna\w*|\bfrämja\w*|\bminska\w*|\bstärk\w*|\bök(?:a|ar|ade|at|ad|ning)\b|"
    r"\bförbättr\w*|\bnytta\b|\w*vinster\b|\bomställning\w*|\bintegrera\w*")
# All three dimensions named at once ("samtliga tre dimensioner av hållbarhet",
# "hållbarhetsdimensionerna", "ekonomisk, social och ekologisk hållbarhet").
_ALL_DIMS = re.compile(
    r"\b(?:tre|samtliga|alla)\s+(?:tre\s+)?(?:hållbarhets)?dimension\w*|\b(?:tre|samtliga|alla)\s+"
    r"(?:de\s+)?(?:tre\s+)?hållbarhetsdimension\w*|\bekonomisk\w*,\s*social\w*\s+och\s+(?:miljömässig|ekologisk)\w*")

# The national strategy's five societal challenges, each by names that say a change of
# society (regexes on the lower-cased sentence; inflected forms: "den snabba tekniska
# utvecklingen", "gröna omställningen"), then topic words that name a challenge only in a
# sentence that frames them as one (``_CHALLENGE_FRAME``): "digitaliseringen ställer nya
# krav" is the challenge, "digitalisering av verksamheten" a topic, and "främjar inkludering
# och mångfald" in a recruitment sentence no challenge of society (tune case c158).
SOCIETAL: dict[str, tuple[str, str]] = {
    "demografiska förändringar": (
        r"\bdemografi\w*|\bbefolkningsutveckling\w*|\bbefolkningsminskning\w*|\bbefolkningsförändring\w*|"
        r"\båldrande befolkning\w*|\bbefolkningens åldrande|\w*försörjningskvot\w*|\bbefolkningsstruktur\w*|"
        r"\burbanisering\w*",
        r"\binflyttning\w*|\butflyttning\w*|\båldrande\b|\bäldre befolkning\w*"),
    "globalisering": (
        r"\bglobalisering\w*|\binternationell\w* konkurrens\w*|\bgeopoliti\w*|\bomvärldsläge\w*",
        r"\bglobala? marknad\w*|\binternationalisering\w*"),
    "miljö och klimat": (
        r"\bklimatförändring\w*|\bklimatomställning\w*|\bgrön\w* omställning\w*|\bmiljöproblem\w*|"
        r"\bklimatanpassning\w*|\bklimatkris\w*|\bklimatutmaning\w*|\bförlust\w* av biologisk mångfald",
        r"\butsläpp\w*|\bbiologisk mångfald|\bklimatpåverkan\w*|\bfossilfri\w*"),
    "socioekonomi och sammanhållning": (
        r"\bsocioekonomi\w*|\w*segregation\w*|\butanförskap\w*|\bojämlikhet\w*|\w*sammanhållning\w*|"
        r"\binkomstklyft\w*|\barbetslöshet\w*",
        r"\binkludering\w*|\bintegration\w*|\bjämlikhet\w*"),
    "teknisk utveckling": (
        r"\bteknisk\w* utveckling\w*|\bteknologisk\w* utveckling\w*|\bteknikutveckling\w*|\bteknikskifte\w*|"
        r"\bdigital\w* omställning\w*|\bdigital\w* transformation\w*|\bautomatisering\w*|"
        r"\bartificiell\w* intelligens",
        r"\bdigitalisering\w*|\bai\b|\bteknikens utveckling"),
}
_SOCIETAL_RX = {name: (re.compile(named), re.compile(framed)) for name, (named, framed) in SOCIETAL.items()}
_CHALLENGE_FRAME = re.compile(
    r"utmaning|\bmöt(?:a|er|te|s)\b|\bhantera\w*|\bställer\b[^.]{0,30}\bkrav|\bförändr\w*|\bomställning\w*|"
    r"\bpåverk\w*|\bkonsekvens\w*|\brisk\w*|\bhot\w*|\banpass\w*|\bmotverka\w*|\bminska\w*")

# A sentence about a difference, spread or targeting between places (the template: "hur
# insatser och prioriteringar tar hänsyn till varierande förutsättningar mellan ...
# landsbygder och städer ..., men också olika funktionella samband över kommun-, läns-,
# och landsgränser"), written from that definition; "km", "bo kvar" and "delar av" were
# added reading the tune split's covered answers (c082, c103). Bare "olika" and "tillgång"
# are left out: they stand in most sentences ("olika aktörer", "tillgång till kompetens").
# On the tune split this took removals flagged from 4/7 to 6/7, false alarms 0/7 both.
_PLACE_CUE = re.compile(
    r"\bskillnad\w*|\bolikhet\w*|\bvarier\w*|\bskilj\w*|\bojämn\w*|\bjämfört med\b|"
    r"\b(?:högre|lägre|större|mindre|fler|färre|sämre|bättre|starkare|svagare)\b[^.;:]{0,80}\bän\b|"
    r"\bövriga? (?:delar|delen|länet|kommuner\w*|orter\w*)\b|\b(?:för)?utom (?:i|på|inom)\b|\boavsett\b|"
    r"\bförutsättning\w*|\banpass\w*|\brikta(?:d|de|t|s)?\b|\bprioriter\w*|\bfrämst i\b|\bsärskilt i\b|"
    r"\bsprid\w*|\bspridning\w*|\btillgänglig\w*|\bnärhet\w*|\bnärmast\w*|\bnärmsta\b|\bavstånd\w*|"
    r"\b\d+ ?km\b|\blångt till\b|\bpendl\w*|\bbo kvar\b|\bhela länet\b|\balla delar\b|"
    r"\bsamtliga (?:kommuner|delar)\b|\balla (?:länets )?kommuner\b|\binomregional\w*|\böverregional\w*|"
    r"\binterregional\w*|\bdelregional\w*|\bfunktionell\w*|\bsamband\b|\bgränsöverskrid\w*|"
    r"\bangränsande\b|\b(?:kommun|läns|lands|region)gräns\w*|\bdelar av\b|\bgeografisk\w*|"
    r"\bterritoriell\w*|\bplatsbaserad\w*|"
    # third round, tune cases c231, c237: equal conditions and the distribution between places
    r"\blikvärdig\w*|\bfördeln\w*|\bfördela\w*|\btilldelning\w*")


# Where-words without a name: the county's municipalities or parts, areas within them, the
# neighbouring counties ("stora skillnader mellan länets kommuner men också mellan olika
# områden inom kommunerna", "i de delar av länets kommuner där ..."). They say *where* only
# beside a difference cue (``_PLACE_CUE``), like a named place; "länets" alone does not.
_WHERE = re.compile(
    r"\b(?:mellan|inom)\s+(?:och\s+inom\s+|och\s+mellan\s+)?(?:länets\s+|olika\s+|våra\s+)?"
    r"(?:(?:tolv|12)\s+)?kommuner(?:na)?\b|"
    r"\b(?:länets|våra|olika|de\s+mindre|mindre)\s+(?:(?:tolv|12)\s+)?kommuner(?:na|s)?\b|"
    r"\b(?:olika\s+)?områden\s+(?:inom|i)\s+(?:länet|kommuner\w*|regionen)\b|"
    r"\b(?:olika|alla|de|vissa)\s+delar\s+av\s+(?:länet\w*|kommuner\w*|regionen)\b|\bvarje\s+kommun\b|"
    r"\bolika\s+platser\b|\b(?:angränsande|närliggande|övriga)\s+län\b")
# Territorial in themselves, a *where* and a *how* at once (the template: "olika funktionella
# samband över kommun-, läns-, och landsgränser"): no place needs to stand beside them.
_TERRITORIAL_LINK = re.compile(
    r"\bfunktionella\s+samband\b|\b(?:inom|över)regional\w*\s+samverkan\b|"
    r"\b(?:angränsande|närliggande)\s+län\b|\bpendl\w*\s+mellan\b|\böver\s+(?:kommun|läns|lands)\w*gräns\w*")
# A cue relates to a place when at most this many words stand between them: "skillnad" and
# "Karlskoga" at the two ends of a long sentence about something else do not. On the tune
# splits' 27 territorial cases 3 or 5 words flagged 2 of 17 covered answers; 8, 12, 16 words
# and the whole sentence all flagged 8 of 10 removals and 0 of 17 covered answers: 8 is the
# narrowest window that loses nothing (the first test reading found cues far from the place).
PLACE_CUE_WINDOW = 8
# The writer's own county is where the whole report is, not a place of a difference.
_OWN_COUNTY = re.compile(r"^Örebro\s+läns?\b")
_TOKEN = re.compile(r"\w+")


def _word_gap(a: tuple[int, int], b: tuple[int, int], starts: list[int]) -> int:
    """Words standing between two character spans (0 when they touch or overlap)."""
    if a[1] > b[0] and b[1] > a[0]:
        return 0
    first, second = (a, b) if a[0] < b[0] else (b, a)
    return max(0, bisect.bisect_left(starts, second[0]) - bisect.bisect_left(starts, first[1]))


def _places_and_where(sentence: str, low: str, words: frozenset[str],
                      gazetteer: Gazetteer) -> list[tuple[str, tuple[int, int], bool]]:
    """The places, kinds of area and where-words of a sentence: (label, span, is a where-word). A place inside
    an organisation's name ("Örebro universitet", "Handelskammaren Mälardalen", "Business
    Region Örebro") is the name, not a place; a municipality ("Hällefors kommun") stays one;
    the writer's own county ("Örebro län") is left out."""
    names = [(m.start, m.end) for m in gazetteer.name_spans(sentence) if m.kind != "kommun"]
    out = []
    for m in gazetteer.places(sentence):
        if any(a <= m.start < b for a, b in names) or _OWN_COUNTY.match(sentence[m.start:]):
            continue
        out.append((m.label, (m.start, m.end), False))
    for a in gazetteer.area_types(words, low):
        at = low.find(a)
        out.append((a, (at, at + len(a)) if at >= 0 else (0, len(low)), False))
    out += [(m.group(0), m.span(), True) for m in _WHERE.finditer(low)]
    return out


def find_items(kind: str, sentence: str, analyzer: Analyzer, gazetteer: Gazetteer) -> list[str]:
    """The specifics of ``kind`` a sentence names (entity names, figures, dimensions, ...)
    that count as evidence (see :func:`find_evidence`)."""
    return find_evidence(kind, sentence, analyzer, gazetteer)[0]


def find_evidence(kind: str, sentence: str, analyzer: Analyzer,
                  gazetteer: Gazetteer) -> tuple[list[str], list[str]]:
    """(items that count as evidence of ``kind``, specifics named without the context that
    makes them count: places in a sentence about something else, a dimension's words
    outside a sentence on effect or sustainability, a topic word not framed as a challenge)."""
    if kind == "actors":
        return [m.label for m in gazetteer.actors(sentence)], []
    if kind == "places":
        low, words = sentence_words(sentence, analyzer)
        where = _places_and_where(sentence, low, words, gazetteer)
        cues = [m.span() for m in _PLACE_CUE.finditer(low)]
        starts = [m.start() for m in _TOKEN.finditer(low)]
        # a cue counts beside a place, not on it ("delar av" in "olika delar av länet")
        near = [label for label, span, _ in where
                if any(_word_gap(span, c, starts) <= PLACE_CUE_WINDOW and not (c[0] >= span[0] and c[1] <= span[1])
                       for c in cues)]
        links = [m.group(0) for m in _TERRITORIAL_LINK.finditer(low)]
        counted = list(dict.fromkeys(near + links))
        named = [label for label, _, is_where in where if not is_where]
        return (counted, []) if counted else ([], list(dict.fromkeys(named)))
    if kind == "goals":
        return [m.label for m in gazetteer.goals(sentence)], []
    low, words = sentence_words(sentence, analyzer)
    if kind == "challenges":
        if _CHALLENGE_NOT_MET_SENTENCE.search(low):
            return [], []
        return [m.group(0) for m in _CHALLENGE.finditer(low)
                if not (_NOT_MET_AFTER.match(low[m.end():]) or _AIM_BEFORE.search(low[:m.start()]) or
                        m.group(0).startswith("utmaning") and _NOT_MET.search(low[:m.start()]))], []
    if kind == "success":
        return [m.group(0) for m in _SUCCESS.finditer(low)
                if not _WORKS_WELL.match(m.group(0)) or _REASON.search(low[m.end():])], []
    if kind == "results":
        return [m.group(0).strip() for m in _FIGURE.finditer(low)] + [m.group(0) for m in _OUTCOME.finditer(low)], []
    if kind == "dimensions":
        every = _ALL_DIMS.search(low)
        if every:
            return [f"{name} ({every.group(0)})" for name in DIMENSIONS], []
        out = [f"{name} ({hit})" for name, alts in DIMENSIONS.items() if (hit := _begins(words, low, alts))]
        return (out, []) if _DIM_CUE.search(low) else ([], out)
    if kind == "societal":
        framed = bool(_CHALLENGE_FRAME.search(low))
        out, near = [], []
        for name, (named_rx, topic_rx) in _SOCIETAL_RX.items():
            hit = named_rx.search(low) or (topic_rx.search(low) if framed else None)
            if hit:
                out.append(f"{name} ({hit.group(0)})")
            elif (topic := topic_rx.search(low)):
                near.append(f"{name} ({topic.group(0)})")
        return out, near
    raise ValueError(f"unknown evidence kind {kind!r}")


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
    # Specifics named without the context that makes them evidence (``find_evidence``).
    mentions: tuple[str, ...] = ()


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
    cands = [i for i, s in enumerate(sentences)
             if s.items or s.mentions or s.topic or s.semantic >= weak_semantic]
    if cands:
        best = max(cands, key=lambda i: (len(sentences[i].items), sentences[i].topic, bool(sentences[i].mentions),
                                         sentences[i].semantic))
        shown = items or any_items
        if shown:
            return Verdict("weak", best, shown, reason_text(element, "weak", shown, need))
        firsts: dict[str, str] = {}
        for s in sentences:
            for m in s.mentions:
                firsts.setdefault(distinct_key(ev.kind, m), m)
        named = tuple(firsts.values())
        return Verdict("weak", best, named, reason_text(element, "weak", (), need, mentions=named))
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


# What a weak answer lacks when it names specifics outside the context that makes them
# evidence: (what the mentions are called, what is missing).
_SV_MENTIONS = {
    "places": ("platser och områden", "inte hur insatserna tar hänsyn till skillnader mellan platser"),
    "dimensions": ("", "inte som hållbarhetsdimensioner av arbetet (inget om effekt eller hänsyn)"),
    "societal": ("", "inte som samhällsutmaningar som arbetet möter"),
}


def _listed(items: tuple[str, ...]) -> str:
    """Items for a reason; dimensions found by the same words are joined: "social och
    miljömässig (samtliga tre dimensioner)", not the words repeated for each."""
    groups: dict[str, list[str]] = {}
    for it in items:
        name, _, hit = it.partition(" (")
        groups.setdefault("(" + hit if name in DIMENSIONS else it, []).append(name if name in DIMENSIONS else "")
    parts = [(", ".join(names[:-1]) + " och " + names[-1] if len(names) > 1 else names[0]) + " " + hit
             if any(names) else hit for hit, names in groups.items()]
    return ", ".join(parts[:6]) + (" …" if len(parts) > 6 else "")


def reason_text(element: Element, status: Status, items: tuple[str, ...], need: int,
                mentions: tuple[str, ...] = ()) -> str:
    """The verdict's reason in Swedish ("nämner samverkan men inga namngivna aktörer").

    ``mentions``: specifics named without the context that makes them evidence (weak only):
    "nämner platser och områden (Kumla, Nora) men inte hur insatserna tar hänsyn till
    skillnader mellan platser".
    """
    kind = element.evidence.kind if element.evidence else None
    topic, lacks, called = _SV.get(kind or "", (element.label.lower(), "inga belägg", "belägg"))
    shown = _listed(items)
    if status == "weak" and not items and mentions and kind in _SV_MENTIONS:
        what, lacking = _SV_MENTIONS[kind]
        return f"nämner {what + ' (' + _listed(mentions) + ')' if what else _listed(mentions)} men {lacking}"
    if status == "covered" and kind == "places":
        return f"{called} i meningar om skillnader, spridning eller anpassning mellan platser: {shown}"
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
