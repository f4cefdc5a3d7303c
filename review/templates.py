"""Report templates as data: questions, character limits and required elements.

A template (``corpus/templates/<id>.yaml``) is what a government report form asks:
its questions with their ids ("3.1"), texts and groups, the answer type (prose,
a table of at most N insatser, Ja/Nej), the character limits (often shared by
several questions: "för frågorna 1.1–1.3 är sammantaget 4 500") and the
required elements each answer must cover (actors, challenges, territorial
perspectives, ...), each with a description (compared by meaning) and a
lexicon of lemmas/compound parts (compared by words).

Public API (used by the CLI and the web service)::

    list_templates(directory: Path) -> list[Template]
    load_template(template_id: str, directory: Path) -> Template
    save_template(template: Template, path: Path) -> None
    extract_template(doc: Document, template_id: str | None = None) -> Template
    template_json(template: Template) -> dict

JSON/YAML field names (a public interface: extend, never rename):

- Template: ``id``, ``title``, ``year``, ``source`` (the file it was extracted
  from), ``instructions`` (general guidance), ``elements`` (list of Element),
  ``limits`` (list of CharLimit), ``questions`` (list of Question).
- Element: ``id``, ``label``, ``description``, ``groups`` (lists of alternative
  words; a sentence matching ``min_groups`` groups names the element in words),
  ``min_groups``, ``phrases`` (phrases that name the whole element at once).
- CharLimit: ``questions`` (ids), ``max_chars``, ``text`` (the template's wording).
- SharedElements: ``questions``, ``elements``, ``text`` (elements asked for
  "genomgående i frågorna 1.1–1.3", checked over those answers together).
- ``notes``: what the reviewer changed after extraction.
- Question: ``id``, ``title``, ``text``, ``group`` (id), ``group_title``,
  ``answer_type`` ("prose" | "table" | "choice"), ``max_items`` (for tables),
  ``max_chars`` (its own limit, when not shared), ``elements`` (required
  element ids), ``optional_elements`` (asked for as "Ni erbjuds även ..."),
  ``instructions``.

Extraction reads the template's own text out of a filled-in report (questions and
instruction blocks; the region's answers are left out). Elements are found by
the trigger patterns of :data:`ELEMENT_LIBRARY`; a new year's template needs
``underlag template extract FILE`` plus a review of the YAML.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

from underlag.errors import TemplateError, UnknownQuestionError
from underlag.model import BlockKind, Document, Section
from underlag import yamlfile

AnswerType = Literal["prose", "table", "choice"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


EvidenceKind = Literal["actors", "challenges", "success", "results", "dimensions", "places", "goals",
                       "societal"]


class Evidence(_Model):
    """What counts as evidence for an element (see review/evidence.py for each kind).

    ``min`` distinct items make the element covered ("two named actors", "all three
    dimensions"); items count only in sentences at least ``floor`` close in meaning
    to the element's description (None: anywhere in the answer). Both calibrated on
    the tune split of evaluations/data/coverage_cases.jsonl (evaluations/README.md).
    """

    kind: EvidenceKind
    min: int = 1
    floor: float | None = None


class Element(_Model):
    """Something an answer must contain, and how to recognise it."""

    id: str
    label: str
    # Compared by meaning with the answer's sentences (an e5 query).
    description: str
    # Each group lists alternative words (lemmas, compound parts or word beginnings);
    # a sentence that matches ``min_groups`` different groups names the element.
    groups: list[list[str]]
    min_groups: int = 1
    # Phrases that name the element as a whole ("de tre dimensionerna av hållbar utveckling").
    phrases: list[str] = []
    # What counts as evidence; without it, words and meaning decide (the checker before issue 18).
    evidence: Evidence | None = None


class CharLimit(_Model):
    """A character limit (spaces included) shared by one or more questions."""

    questions: list[str]
    max_chars: int
    text: str = ""


class SharedElements(_Model):
    """Elements asked for throughout several questions together.

    "Beskriv genomgående i frågorna 1.1–1.3 eventuella utmaningar och
    framgångsfaktorer ... Ange också vilka aktörer ..." is met when the three
    answers together cover them, so they are checked over the joined answers.
    """

    questions: list[str]
    elements: list[str]
    text: str = ""


class Question(_Model):
    """One question of a template."""

    id: str
    title: str
    text: str
    group: str | None = None
    group_title: str | None = None
    answer_type: AnswerType = "prose"
    max_items: int | None = None
    max_chars: int | None = None
    elements: list[str] = []
    optional_elements: list[str] = []
    instructions: list[str] = []


class Template(_Model):
    """A report template: its questions, limits and required elements."""

    id: str
    title: str
    year: int | None = None
    source: str | None = None
    instructions: list[str] = []
    elements: list[Element] = []
    limits: list[CharLimit] = []
    shared_elements: list[SharedElements] = []
    questions: list[Question] = []
    # What a reviewer changed after extraction, and why.
    notes: list[str] = []

    def question(self, question_id: str) -> Question:
        """The question with this id ("3.1"); raises :class:`UnknownQuestionError`."""
        for q in self.questions:
            if q.id == question_id.strip():
                return q
        raise UnknownQuestionError(
            f"template {self.id!r} has no question {question_id!r}; "
            f"its questions are {', '.join(q.id for q in self.questions)}")

    def element(self, element_id: str) -> Element:
        for e in self.elements:
            if e.id == element_id:
                return e
        raise TemplateError(f"template {self.id!r} names element {element_id!r} but does not define it")

    def limit_for(self, question_id: str) -> CharLimit | None:
        """The (possibly shared) character limit that applies to a question."""
        for lim in self.limits:
            if question_id in lim.questions:
                return lim
        q = self.question(question_id)
        return CharLimit(questions=[q.id], max_chars=q.max_chars) if q.max_chars else None

    def budget(self, question_id: str) -> int | None:
        """A question's share of its limit: a shared limit split evenly between its questions."""
        lim = self.limit_for(question_id)
        return lim.max_chars // len(lim.questions) if lim else None


# -- the element library ------------------------------------------------------------

class _LibraryEntry(_Model):
    element: Element
    # Regular expressions (case-insensitive) over template text that ask for the element.
    triggers: list[str]


def _el(id: str, label: str, description: str, groups: list[list[str]], min_groups: int,
        triggers: list[str], phrases: list[str] | None = None,
        evidence: Evidence | None = None) -> _LibraryEntry:
    return _LibraryEntry(element=Element(id=id, label=label, description=description, groups=groups,
                                         min_groups=min_groups, phrases=phrases or [], evidence=evidence),
                         triggers=triggers)


# The elements the Swedish återrapportering templates ask for. Groups hold word
# beginnings and lemmas; they are matched against a sentence's words, lemmas and
# compound parts (see review.coverage.lexical_groups).
# Evidence ``min`` and ``floor`` were calibrated on the tune split of
# evaluations/data/coverage_cases.jsonl (66 hand-judged cases; `python
# evaluations/coverage.py --calibrate`, best detection minus false-alarm rate):
# actors 2 named (1 named: 1 of 4 removals flagged); challenges 1 stated, against the
# grid's 2 (7 of 7 removals flagged but 2 of 9 covered answers, above the 10 % aim, and an
# answer that states one challenge, "En utmaning har varit att ...", would be weak);
# success factors 1 (first round: at cosine >= 0.84, no floor flagged 2 of 3; third round,
# on tune and tune2 with "fungerar bra" counted only beside its reason: no floor 5 of 6
# flagged, 0 of 6 covered answers flagged, against 6 of 6 and 2 of 6 at 0.84); dimensions all
# 3 (second round: with each dimension counted only in a sentence on effect, or all three
# named at once, 2 and 3 tie on tune at 3 of 4 flagged, 0 of 7 covered answers flagged;
# the issue asks for each); places, goals, societal challenges 1 (no floor changed a
# thing below 0.81).
ELEMENT_LIBRARY: list[_LibraryEntry] = [
    _el("aktorer", "Samverkande aktörer",
        "Vilka aktörer vi har samverkat med: kommuner, länsstyrelsen, statliga myndigheter, "
        "organisationer, civilsamhället, näringslivet och akademin.",
        [["kommun"], ["länsstyrelse"], ["myndighet", "tillväxtverket", "arbetsförmedling",
                                         "trafikverket", "försäkringskassa", "skolverket"],
         ["organisation", "förening", "folkbildning", "studieförbund"],
         ["civilsamhälle", "civila samhälle", "ideell", "social ekonomi"],
         ["näringsliv", "företag", "branschorganisation", "almi", "handelskammare"],
         ["universitet", "högskola", "akademi", "lärosäte"]],
        2, [r"vilka aktörer", r"aktörer ni har samverkat", r"samverka[dt]? med"],
        evidence=Evidence(kind="actors", min=2)),
    _el("utmaningar", "Utmaningar",
        "Vilka utmaningar, svårigheter och hinder vi har mött i genomförandet.",
        [["utmaning", "svårighet", "hinder", "problem", "försvår", "begränsning", "brist", "utmanande"]],
        1, [r"\butmaningar"], evidence=Evidence(kind="challenges", min=1)),
    _el("framgangsfaktorer", "Framgångsfaktorer",
        "Vilka framgångsfaktorer som har bidragit till att arbetet lyckats.",
        [["framgång", "lyckas", "lyckad", "styrka", "förutsättning för", "nyckel", "bidragit till att",
          "möjliggjort", "fungerat väl", "gott samarbete", "framgångsrik"]],
        1, [r"framgångsfaktor"], evidence=Evidence(kind="success", min=1)),
    _el("territoriellt", "Territoriella perspektiv",
        "Hur territoriella perspektiv har beaktats: skillnader mellan landsbygder, tätorter och "
        "städer, geografiska förutsättningar i olika delar av länet och kommunerna.",
        [["territoriell", "landsbygd", "landbygd", "glesbygd", "tätort", "stad", "städer", "geografisk",
          "delar av länet", "hela länet", "landsänd", "gis", "stråk", "kommunerna", "lokala förutsättning",
          "strukturella skillnad", "serviceglesa", "platsbaserad", "landsbygds"]],
        1, [r"territoriell[at]? perspektiv"], evidence=Evidence(kind="places")),
    _el("hallbarhet", "Tre hållbarhetsdimensioner",
        "Hur ekonomisk, social och miljömässig hållbarhet har integrerats i arbetet.",
        [["ekonomisk"], ["social", "socialt"], ["miljömässig", "ekologisk", "miljö", "klimat"]],
        2, [r"ekonomisk, social och miljömässig", r"dimensioner av hållbar utveckling",
            r"hållbarhetsdimension"],
        ["tre dimension", "hållbarhetsdimension", "samtliga dimensioner", "alla dimensioner",
         "dimensionerna av hållbar", "tre hållbarhetsdimension"],
        evidence=Evidence(kind="dimensions", min=3)),
    _el("agenda2030", "Agenda 2030",
        "Hur arbetet har bidragit till Agenda 2030 och de globala målen för hållbar utveckling.",
        [["agenda 2030", "agenda2030", "globala mål", "globala målen", "fn:s mål", "hållbarhetsmål"]],
        1, [r"agenda 2030"], evidence=Evidence(kind="goals")),
    _el("samhallsutmaningar", "Samhällsutmaningarna",
        "Hur arbetet möter samhällsutmaningarna: demografiska förändringar, globalisering, "
        "miljöproblem och klimatförändringar, socioekonomi och sammanhållning, teknisk utveckling.",
        [["samhällsutmaning", "demografi", "globalisering", "klimatförändring", "miljöproblem",
          "socioekonomi", "sammanhållning", "teknisk utveckling", "digitalisering", "omställning"]],
        1, [r"samhällsutmaningar"], evidence=Evidence(kind="societal")),
    _el("resultat", "Resultat",
        "Vilka resultat som har uppnåtts: prestationer och effekter av insatserna under året.",
        [["resultat", "effekt", "prestation", "uppnått", "ökat", "ökning", "minskat", "lett till",
          "antal", "deltagare"]],
        1, [r"resultat i form av", r"vilka resultat"], evidence=Evidence(kind="results")),
]


def library_element(element_id: str) -> Element:
    """An element of the built-in library, by id."""
    for entry in ELEMENT_LIBRARY:
        if entry.element.id == element_id:
            return entry.element
    raise TemplateError(f"no element {element_id!r} in the library")


def elements_asked(text: str) -> list[str]:
    """Ids of the library elements a piece of template text asks for, in library order."""
    low = text.lower()
    return [e.element.id for e in ELEMENT_LIBRARY if any(re.search(t, low) for t in e.triggers)]


# -- extraction -----------------------------------------------------------------------

_NUM = r"\d+(?:\.\d+)*"
# "frågorna 1.1–1.3 är sammantaget 4 500", "fråga 7.1 är 4 500"
_LIMIT = re.compile(
    rf"tecken[^.]*?fråg(?:a|orna)\s+({_NUM})(?:\s*[–-]\s*({_NUM}))?\s+är\s+(?:sammantaget\s+)?"
    r"(\d{1,3}(?:[ \u00a0]\d{3})*|\d+)", re.IGNORECASE)
# "Beskriv genomgående i frågorna 1.1–1.3 ..."
_RANGE = re.compile(rf"fråg(?:a|orna)\s+({_NUM})\s*[–-]\s*({_NUM})", re.IGNORECASE)
_MAX_ITEMS = re.compile(r"\bmax(?:imalt)?\s+(\d+|en|två|tre|fyra|fem|sex|sju|åtta|nio|tio|femton)\b",
                        re.IGNORECASE)
_NUMBER_WORDS = {"en": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7, "åtta": 8,
                 "nio": 9, "tio": 10, "femton": 15}
_ASKS = re.compile(r"^(beskriv|ange|ge exempel|lista|bedöm|har |om möjligt|redovisa|finns det)",
                   re.IGNORECASE)
_TABLE = re.compile(r"tabell", re.IGNORECASE)
_OPTIONAL = re.compile(r"ni erbjuds|ni erbjuder|om möjligt", re.IGNORECASE)


def _num_key(qid: str) -> tuple[int, ...]:
    return tuple(int(p) for p in qid.split(".") if p.isdigit())


def _expand(first: str, last: str, ids: list[str]) -> list[str]:
    """Question ids between ``first`` and ``last`` (inclusive) among ``ids``."""
    lo, hi = _num_key(first), _num_key(last)
    return [i for i in ids if lo <= _num_key(i) <= hi and len(_num_key(i)) == len(lo)]


def _max_items(text: str) -> int | None:
    m = _MAX_ITEMS.search(text)
    if not m:
        return None
    v = m.group(1).lower()
    return int(v) if v.isdigit() else _NUMBER_WORDS.get(v)


def _parse_limits(texts: list[str], ids: list[str]) -> list[CharLimit]:
    limits = []
    for t in texts:
        for m in _LIMIT.finditer(t):
            first, last, n = m.group(1), m.group(2) or m.group(1), m.group(3)
            qs = _expand(first, last, ids) or [first]
            limits.append(CharLimit(questions=qs, max_chars=int(re.sub(r"\D", "", n)),
                                    text=t.strip()))
    return limits


def _answer_type(section: Section, text: str) -> AnswerType:
    if any(b.kind is BlockKind.CHOICE for b in section.blocks) and not re.match(
            r"(beskriv|ge exempel|lista|om möjligt)", text, re.IGNORECASE):
        return "choice"
    if _TABLE.search(text) and re.match(r"(ge exempel|lista|om möjligt)", text, re.IGNORECASE):
        return "table"
    return "prose"


def _question(qid: str, title: str, text: str, section: Section, group: Section | None,
              instructions: list[str]) -> Question:
    """One question, with the elements its text and instructions ask for."""
    asked = elements_asked(text)
    optional = [e for e in elements_asked(" ".join(i for i in instructions if _OPTIONAL.search(i)))
                if e not in asked]
    required = [e for e in asked if e not in optional]
    required += [e for e in elements_asked(" ".join(i for i in instructions if not _OPTIONAL.search(i)))
                 if e not in required and e not in optional]
    answer_type = _answer_type(section, text)
    if answer_type != "prose":  # a table or a Ja/Nej answer has no prose elements to check
        required, optional = [], []
    all_text = " ".join([text, *instructions])
    return Question(
        id=qid, title=title, text=text,
        group=group.number if group else None, group_title=group.title if group else None,
        answer_type=answer_type,
        max_items=_max_items(all_text) if _TABLE.search(all_text) else None,
        elements=required, optional_elements=optional, instructions=instructions)


def extract_template(doc: Document, template_id: str | None = None) -> Template:
    """The template a report was written on: its questions, limits and elements.

    Two layouts are understood: question sections ("1.1 Beskriv hur ...", the
    2023 form, where ``Section.question`` is set) and numbered sections whose
    instruction blocks are the questions (the 2021 form, where the guidance of
    unnumbered subsections belongs to the numbered section above them).
    """
    year = max(doc.metadata.years) if doc.metadata.years else None
    template_id = template_id or f"{_slug(doc.metadata.doc_type or 'mall')}-{year or 'okänt'}"
    has_questions = any(s.question for s in doc.sections)
    general: list[str] = []
    questions: list[Question] = []
    group_guidance: list[tuple[Section, list[str]]] = []
    shared: list[SharedElements] = []

    if has_questions:
        groups: dict[str, Section] = {}
        for s in doc.sections:
            if s.number and not s.question and "." not in s.number:
                groups[s.number] = s
        qsecs = [s for s in doc.sections if s.question and s.number]
        ids = [s.number for s in qsecs if s.number]
        for g in groups.values():
            group_guidance.append((g, [b.text for b in g.blocks if b.kind is BlockKind.INSTRUCTION]))
        for _, g_texts in group_guidance:
            for t in g_texts:
                m = _RANGE.search(t)
                if m and not _LIMIT.search(t) and elements_asked(t):
                    shared.append(SharedElements(questions=_expand(m.group(1), m.group(2), ids),
                                                 elements=elements_asked(t), text=t))
        for s in qsecs:
            group = groups.get(s.number.split(".")[0]) if s.number else None
            instructions = [b.text for b in s.blocks if b.kind is BlockKind.INSTRUCTION]
            questions.append(_question(s.number or "", s.title, s.question or s.title, s, group,
                                       instructions))
        limits = _parse_limits([t for _, ts in group_guidance for t in ts], ids)
        # An unnumbered closing section with guidance ("Övriga medskick") is a question too.
        last_q = doc.sections.index(qsecs[-1]) if qsecs else len(doc.sections)
        for s in doc.sections[last_q + 1:]:
            if s.number is None and s.level == 1 and s.instruction_text:
                instr = [b.text for b in s.blocks if b.kind is BlockKind.INSTRUCTION]
                questions.append(_question(_slug(s.title), s.title, instr[0], s, None, instr[1:]))
        for s in doc.sections[: doc.sections.index(qsecs[0]) if qsecs else 0]:
            general.extend(b.text for b in s.blocks if b.kind is BlockKind.INSTRUCTION)
    else:
        limits = []
        current: Section | None = None
        collected: dict[int, list[str]] = {}
        owners: list[Section] = []
        for s in doc.sections:
            if s.number:
                current = s
            if current is None:
                continue
            instr = [b.text for b in s.blocks if b.kind is BlockKind.INSTRUCTION]
            if instr:
                if id(current) not in collected:
                    collected[id(current)] = []
                    owners.append(current)
                collected[id(current)].extend(instr)
        tops = {s.number: s for s in doc.sections if s.number and "." not in s.number}
        for s in owners:
            instr = collected[id(s)]
            asks = [t for t in instr if _ASKS.match(t) and not _OPTIONAL.match(t)] or instr
            # "Beskriv ..." is the question; "Ange vilka prioriteringar" is its Ja/Nej part.
            text = next((t for t in asks if t.lower().startswith("beskriv")), asks[0])
            group = tops.get((s.number or "").split(".")[0])
            questions.append(_question(s.number or "", s.title, text, s,
                                       group if group is not s else None,
                                       [t for t in instr if t != text]))
    used = sorted({e for q in questions for e in (*q.elements, *q.optional_elements)}
                  | {e for sh in shared for e in sh.elements},
                  key=lambda e: [x.element.id for x in ELEMENT_LIBRARY].index(e))
    return Template(
        id=template_id, title=doc.metadata.title or doc.filename, year=year, source=doc.filename,
        instructions=general, elements=[library_element(e) for e in used], limits=limits,
        shared_elements=shared, questions=questions)


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9åäö]+", "-", text.lower()).strip("-")
    return s.translate(str.maketrans("åäö", "aao")) or "mall"


# -- storage --------------------------------------------------------------------------

def template_json(template: Template) -> dict:
    """The JSON shape of a template (also what the YAML files hold)."""
    return template.model_dump(mode="json", exclude_none=True)


def save_template(template: Template, path: Path) -> None:
    """Write a template as YAML (the format of ``corpus/templates``)."""
    Path(path).write_text(
        yaml.safe_dump(template_json(template), allow_unicode=True, sort_keys=False, width=100),
        encoding="utf-8")


@lru_cache(maxsize=32)
def _read(path: Path, mtime: float) -> Template:
    try:
        data = yamlfile.safe_load(path.read_text(encoding="utf-8"))
        return Template.model_validate(data)
    except (yaml.YAMLError, ValueError) as e:
        raise TemplateError(f"{path.name}: not a valid template ({e}); compare it with "
                            f"corpus/templates/README.md") from None


def _files(directory: Path) -> list[Path]:
    d = Path(directory)
    return sorted(p for p in d.glob("*.yaml")) if d.is_dir() else []


def list_templates(directory: Path) -> list[Template]:
    """Every template in the folder (``settings.templates_dir``: ``corpus/templates``), by id."""
    return [_read(p, p.stat().st_mtime) for p in _files(directory)]


def load_template(template_id: str, directory: Path) -> Template:
    """The template with this id (the YAML file's stem) in ``directory``, or a path to a YAML file."""
    p = Path(template_id)
    if p.suffix in (".yaml", ".yml") and p.is_file():
        return _read(p.resolve(), p.stat().st_mtime)
    for f in _files(directory):
        if f.stem == template_id:
            return _read(f, f.stat().st_mtime)
    known = ", ".join(f.stem for f in _files(directory)) or "none"
    raise TemplateError(f"no template {template_id!r} (known: {known}); "
                        f"make one with `underlag template extract FILE`")
