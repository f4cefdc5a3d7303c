"""The patterns the structure passes share, and :class:`Para`, the paragraph candidate they pass along."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TERMINAL = re.compile(r"[.!?:]\)?\s*$")
SENTENCE_END = re.compile(r"[.!?]\s*$")
# "1.3.2 Title", "1. Title", "6 Övriga medskick", "10.  Fördelning".
NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(\S.*)$")
ATERRAPPORTERING = re.compile(r"^Återrapportering\s+(\d{1,2})\s*[–—-]\s*(\S.*)$")
# A template question opens with an imperative, or asks with a question word.
IMPERATIVE_Q = re.compile(
    r"^(?:Beskriv|Ge exempel|Ange|Redovisa|Lista|Bedöm|Motivera|Om ja|Om nej|Om möjligt)\b")
ASKING_Q = re.compile(r"^(?:Har|Hur|Vilka|Vilken|Vilket|Finns|Är|Kan)\b")
LIST_MARKER = re.compile(r"^\s*(?:[-–•▪◦·]|\*(?!\*))\s+")
LONE_BULLET = re.compile(r"^\s*[-–•▪◦·]\s*$")
TICKED = "☒☑✓✔■"
_UNTICKED = "☐□"
CHOICE_LINE = re.compile(rf"^(Ja|Nej)\s*([{TICKED}{_UNTICKED}])?\s*$")
# "Hög livskvalitet ...: Ja Nej" - a checkbox pair whose ticks the export lost.
_BOX = f"[{TICKED}{_UNTICKED}]"
CHOICE_INLINE = re.compile(rf"^(.*\S)\s+Ja\s*({_BOX})?\s+Nej\s*({_BOX})?\s*$")
TOC_TITLE = re.compile(r"^(?:Innehåll|Innehållsförteckning)\s*$", re.IGNORECASE)
TOC_LINE = re.compile(r"(?:\t|\s)\d{1,3}\s*$")
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
SUPERSCRIPT_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
SUPERSCRIPT_NOTE = re.compile(r"^\s*([⁰¹²³⁴⁵⁶⁷⁸⁹]+)\s*(\S.*)$")
INLINE_NOTE = re.compile(r"^\s*(\d{1,2})\s+(\S.*)$")
URL = re.compile(r"^\s*<?(https?://\S+?)>?\s*$")
TAGS = re.compile(r"</?(?:p|i|b|em|strong|span|br)\s*/?>", re.IGNORECASE)
ANGLE_URL = re.compile(r"<(https?://[^>\s]+)>")
BOLD = re.compile(r"\*\*(.+?)\*\*")
ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
TABLE_RULE = re.compile(r"^[\s\t]*-{2,}[-\s\t]*$")
DELMAL = re.compile(r"^(Delmål\s+\d+)\s*:\s*(.*)$")
OMRADE = re.compile(r"^Område\s+\S")

FIRST_PERSON = re.compile(r"\b(?:[Vv]i|[Vv]år|[Vv]årt|[Vv]åra|[Oo]ss|Regionen|Region [A-ZÅÄÖ]\w+)\b")
SECOND_PERSON = re.compile(r"\b(?:[Nn]i|[Ee]r|[Ee]rt|[Ee]ra)\b")
IMPERATIVE = re.compile(
    r"^(?:(?:Beskriv|Ange|Redovisa|Ge exempel|Lista|Bedöm|Motivera|Fyll i|Observera|Om möjligt|"
    r"Om nej|Om ja|Klicka här|I detta sammanhang|Redovisningen (?:bör|ska))\b|Kommentar\s*:)",
    re.IGNORECASE)
TEMPLATE_PHRASE = re.compile(r"Maximalt antal tecken|fyll i tabellen|Klicka här för att ange text",
                              re.IGNORECASE)

FUNCTION_WORDS = {"i", "o", "och", "av", "för", "på", "med", "till", "om", "som", "en", "ett",
                   "de", "den", "det"}
# An unnumbered heading: short, title-like.
MAX_HEADING_CHARS = 90
MAX_HEADING_WORDS = 12


@dataclass
class Para:
    """A paragraph candidate and what the layout says about it."""

    kind: str  # "text", "list", "table", "choice", "head"
    text: str = ""
    page: int | None = None
    # True when the paragraph was a group of its own (blank lines around it).
    alone: bool = False
    italic: bool = False
    rows: list[list[str]] | None = None
    choice: str | None = None
    # Headings.
    number: str | None = None
    level: int | None = None
    question: str | None = None
    family: str | None = None
    instruction: bool = False
    # Template introduction (before the first numbered part of a template).
    intro: bool = False
    extra: list[Para] = field(default_factory=list)
