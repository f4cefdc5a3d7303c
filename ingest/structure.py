"""Stage 4: from repaired raw lines to sections, blocks and footnotes.

The passes, each a small function over a list of :class:`_Para` (a paragraph
candidate with its layout facts):

1. drop the front matter (title, date, letterhead; see ``ingest.metadata``)
   and the table of contents;
2. lift footnotes out of the body: PDF text has them inline at page breaks
   ("4 Villkorsbeslut 2023:1.1, 1.3, 2.") with their marks glued to a word
   ("utvecklingsstrategin4"), Word text has superscripts ("RUS¹");
3. cut the lines into paragraphs: hard-wrapped PDF lines are joined, Word
   lines are paragraphs already; numbered headings, template questions, list
   items, Ja/Nej lines and table rows always start a new paragraph;
4. rejoin paragraphs that a page break split in two, build the insats tables
   of PDF templates, fold Ja/Nej lines into CHOICE blocks, tell the template's
   instructions from the region's answer, find unnumbered headings;
5. nest the headings into sections.

Heuristics prefer precision: a paragraph is an instruction only on a clear
template cue (imperative opening, "ni/er", "Observera!", italics in Word
exports) and never when it speaks as the region ("vi", "vår", "Regionen").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ingest import metadata as meta
from ingest import repair
from ingest.raw import RawDocument, RawLine
from underlag.model import Block, BlockKind, Document, Footnote, Section, render_rows

# --- patterns ---------------------------------------------------------------

_TERMINAL = re.compile(r"[.!?:]\)?\s*$")
_SENTENCE_END = re.compile(r"[.!?]\s*$")
# "1.3.2 Title", "1. Title", "6 Övriga medskick", "10.  Fördelning".
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(\S.*)$")
_ATERRAPPORTERING = re.compile(r"^Återrapportering\s+(\d{1,2})\s*[–—-]\s*(\S.*)$")
# A template question opens with an imperative, or asks with a question word.
_IMPERATIVE_Q = re.compile(
    r"^(?:Beskriv|Ge exempel|Ange|Redovisa|Lista|Bedöm|Motivera|Om ja|Om nej|Om möjligt)\b")
_ASKING_Q = re.compile(r"^(?:Har|Hur|Vilka|Vilken|Vilket|Finns|Är|Kan)\b")
_LIST_MARKER = re.compile(r"^\s*(?:[-–•▪◦·]|\*(?!\*))\s+")
_LONE_BULLET = re.compile(r"^\s*[-–•▪◦·]\s*$")
_TICKED = "☒☑✓✔■"
_UNTICKED = "☐□"
_CHOICE_LINE = re.compile(rf"^(Ja|Nej)\s*([{_TICKED}{_UNTICKED}])?\s*$")
# "Hög livskvalitet ...: Ja Nej" - a checkbox pair whose ticks the export lost.
_BOX = f"[{_TICKED}{_UNTICKED}]"
_CHOICE_INLINE = re.compile(rf"^(.*\S)\s+Ja\s*({_BOX})?\s+Nej\s*({_BOX})?\s*$")
_TOC_TITLE = re.compile(r"^(?:Innehåll|Innehållsförteckning)\s*$", re.IGNORECASE)
_TOC_LINE = re.compile(r"(?:\t|\s)\d{1,3}\s*$")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUPERSCRIPT_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_SUPERSCRIPT_NOTE = re.compile(r"^\s*([⁰¹²³⁴⁵⁶⁷⁸⁹]+)\s*(\S.*)$")
_INLINE_NOTE = re.compile(r"^\s*(\d{1,2})\s+(\S.*)$")
_URL = re.compile(r"^\s*<?(https?://\S+?)>?\s*$")
_TAGS = re.compile(r"</?(?:p|i|b|em|strong|span|br)\s*/?>", re.IGNORECASE)
_ANGLE_URL = re.compile(r"<(https?://[^>\s]+)>")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_TABLE_RULE = re.compile(r"^[\s\t]*-{2,}[-\s\t]*$")
_DELMAL = re.compile(r"^(Delmål\s+\d+)\s*:\s*(.*)$")
_OMRADE = re.compile(r"^Område\s+\S")

_FIRST_PERSON = re.compile(r"\b(?:[Vv]i|[Vv]år|[Vv]årt|[Vv]åra|[Oo]ss|Regionen|Region [A-ZÅÄÖ]\w+)\b")
_SECOND_PERSON = re.compile(r"\b(?:[Nn]i|[Ee]r|[Ee]rt|[Ee]ra)\b")
_IMPERATIVE = re.compile(
    r"^(?:(?:Beskriv|Ange|Redovisa|Ge exempel|Lista|Bedöm|Motivera|Fyll i|Observera|Om möjligt|"
    r"Om nej|Om ja|Klicka här|I detta sammanhang|Redovisningen (?:bör|ska))\b|Kommentar\s*:)",
    re.IGNORECASE)
_TEMPLATE_PHRASE = re.compile(r"Maximalt antal tecken|fyll i tabellen|Klicka här för att ange text",
                              re.IGNORECASE)

_FUNCTION_WORDS = {"i", "o", "och", "av", "för", "på", "med", "till", "om", "som", "en", "ett",
                   "de", "den", "det"}
# An unnumbered heading: short, title-like.
_MAX_HEADING_CHARS = 90
_MAX_HEADING_WORDS = 12


@dataclass
class _Para:
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
    extra: list[_Para] = field(default_factory=list)


# --- 1. front matter and table of contents ---------------------------------


def _drop_front_matter(lines: list[RawLine]) -> list[RawLine]:
    skip, _ = meta.front_matter([line.text for line in lines])
    if all(i in skip for i, line in enumerate(lines) if line.text.strip() or line.table):
        return lines  # all of it is "front matter" (one line without a final period): it is the text
    return [RawLine("", page=line.page) if i in skip else line for i, line in enumerate(lines)]


def _drop_toc(lines: list[RawLine]) -> list[RawLine]:
    """Blank out an "Innehåll" block: lines ending in a page number, up to the first real paragraph."""
    out = list(lines)
    for i, line in enumerate(lines[:200]):
        if not _TOC_TITLE.match(line.text):
            continue
        j = i + 1
        end = i
        while j < len(lines):
            t = lines[j].text
            if not t.strip():
                j += 1
                continue
            if _TOC_LINE.search(t):
                end = j
                j += 1
                continue
            break
        if end > i:
            for k in range(i, end + 1):
                out[k] = RawLine("", page=lines[k].page)
        break
    return out


# --- 2. footnotes -------------------------------------------------------------


def _mark_patterns(n: str) -> list[re.Pattern[str]]:
    """Where footnote mark ``n`` can be glued in PDF text, most specific first."""
    end = r"(?=$|[\s,;:)!?])"
    return [
        re.compile(rf"(?<=\b\d{{4}}[–-]\d{{4}}){n}(?=$|[\s,.;:)!?])"),  # "2021–20302"
        re.compile(rf"(?<=[.!?)”\"]){n}(?=$|\s)"),  # "har bedrivits.5", "1–10.15"
        re.compile(rf"(?<=[a-zåäöé]{{2}}){n}{end}"),  # "utvecklingsstrategin4"
    ]


def _find_mark(texts: list[str], lo: int, hi: int, n: str) -> tuple[int, re.Match[str]] | None:
    """The nearest glued mark for footnote ``n`` in lines ``lo``..``hi`` (exclusive), searching back."""
    for j in range(hi - 1, lo - 1, -1):
        for pattern in _mark_patterns(n):
            matches = list(pattern.finditer(texts[j]))
            if matches:
                return j, matches[-1]
    return None


def _extract_footnotes(lines: list[RawLine]) -> tuple[list[RawLine], list[Footnote]]:
    """Move footnote texts out of the body and strip their marks from it."""
    texts = [line.text if line.table is None else "" for line in lines]
    notes: list[Footnote] = []
    removed: set[int] = set()
    # Marks are looked for back to the previous footnote's mark: several notes
    # can share a page, their texts together at its foot.
    last_n, last_mark = 0, -1
    i = 0
    while i < len(texts):
        t = texts[i]
        sup = _SUPERSCRIPT_NOTE.match(t)
        if sup:
            # Word footnote text: "¹ Örebro läns utvecklingsstrategi ...".
            n = sup.group(1).translate(_SUPERSCRIPTS)
            notes.append(Footnote(number=n, text=" ".join(sup.group(2).split()), page=lines[i].page))
            removed.add(i)
            i += 1
            continue
        m = _INLINE_NOTE.match(t)
        prev_blank = i == 0 or not texts[i - 1].strip() or (i - 1) in removed
        if m and prev_blank and last_n < int(m.group(1)) <= last_n + 5:
            n = m.group(1)
            mark = _find_mark(texts, last_mark + 1, i, n)
            if mark is not None:
                j, mm = mark
                texts[j] = texts[j][:mm.start()] + texts[j][mm.end():]
                body = [m.group(2).strip()]
                k = i + 1
                # A footnote runs on until its sentence ends or a blank line comes.
                while (k < len(texts) and texts[k].strip() and not _SENTENCE_END.search(body[-1])
                       and not _URL.match(body[-1]) and not _INLINE_NOTE.match(texts[k])):
                    body.append(texts[k].strip())
                    k += 1
                note_text = " ".join(" ".join(body).split())
                notes.append(Footnote(number=n, text=note_text, page=lines[i].page))
                removed.update(range(i, k))
                # PDF extraction repeats a footnote's link as a line of its own.
                url = _URL.match(note_text)
                for q in range(k, min(k + 3, len(texts))):
                    if url and texts[q].strip() == url.group(1):
                        removed.add(q)
                last_n, last_mark = int(n), j
                i = k
                continue
        i += 1
    numbers = {fn.number for fn in notes}

    def strip_superscripts(text: str) -> str:
        return _SUPERSCRIPT_RUN.sub(
            lambda s: "" if s.group(0).translate(_SUPERSCRIPTS) in numbers else s.group(0), text)

    out = []
    for idx, line in enumerate(lines):
        if idx in removed:
            out.append(RawLine("", page=line.page))
        elif line.table is None:
            out.append(replace(line, text=strip_superscripts(texts[idx])))
        else:
            out.append(line)
    notes.sort(key=lambda fn: int(fn.number) if fn.number.isdigit() else 0)
    return out, notes


# --- 3. paragraphs ------------------------------------------------------------


def _clean(text: str) -> str:
    """Plain text: markup and emphasis gone, spacing collapsed."""
    text = _ANGLE_URL.sub(r"\1", text)
    text = _TAGS.sub(" ", text)
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", text)
    text = text.replace("**", "")
    text = text.strip()
    # A stray emphasis star at an end, left by italics spanning several lines.
    text = re.sub(r"^\*(?=\S)|(?<=\S)\*$", "", text)
    return " ".join(text.split())


def _is_italic(text: str) -> bool:
    t = _LIST_MARKER.sub("", text.strip(), count=1) if not text.strip().startswith("**") else text.strip()
    return t.startswith("*") and not t.startswith("**")


def _table_rows(texts: Sequence[str]) -> list[list[str]]:
    rows = []
    for t in texts:
        if not t.strip() or _TABLE_RULE.match(t):
            continue
        cells = [_clean(c) for c in t.split("\t")]
        while cells and not cells[-1]:
            cells.pop()
        if any(cells):
            rows.append(cells)
    return rows


def _is_wrapped(lines: Sequence[RawLine]) -> bool:
    """Whether the text is hard-wrapped (PDF extraction) rather than one line per paragraph."""
    nonblank = [i for i, line in enumerate(lines) if not line.blank and line.table is None]
    if len(nonblank) < 10:
        return False
    follows = sum(1 for a, b in zip(nonblank, nonblank[1:]) if b == a + 1)
    return follows / len(nonblank) > 0.4


def _numbered(text: str) -> tuple[str, str] | None:
    """(number, rest) when a line starts like a numbered heading."""
    m = _ATERRAPPORTERING.match(text)
    if m:
        return m.group(1), m.group(2)
    m = _NUMBERED.match(text)
    if not m:
        return None
    number, rest = m.group(1), m.group(2)
    if int(number.split(".")[0]) > 20 or not rest[:1].isupper():
        return None
    return number, rest


def _key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split("."))


def _plausible(prev: str | None, number: str) -> bool:
    """Heading numbers only move forward, and not by leaps."""
    new = _key(number)
    if prev is None:
        return new[0] <= 3
    old = _key(prev)
    return new > old and new[0] - old[0] <= 2


def _join(left: str, right: str, lexicon: repair.Lexicon) -> str:
    """Join a wrapped line to the text before it; a line-end hyphen goes to the lexicon."""
    left, right = left.rstrip(), right.strip()
    if not left:
        return right
    if not right:
        return left
    if len(left) > 1 and left.endswith("-") and left[-2].isalpha():
        return repair.join_hyphenated(left, right, lexicon)
    return f"{left} {right}"


def _is_question(title: str) -> bool:
    """Whether a numbered heading is a template question ("Beskriv hur ...", "Har anslaget ...")."""
    if _IMPERATIVE_Q.match(title):
        return True
    # "Hur vi arbetar" is a title; "Har anslaget bidragit till att nå målen i" asks.
    return bool(_ASKING_Q.match(title)) and (title.rstrip().endswith("?") or len(title.split()) >= 6)


def _heading_para(number: str, rest: str, page: int | None) -> _Para:
    return _Para("head", text=rest, page=page, number=number, level=len(number.split(".")))


def _paragraphs(lines: list[RawLine], lexicon: repair.Lexicon, wrapped: bool) -> list[_Para]:
    """Cut lines into paragraph candidates (headings, lists, choices, tables, text)."""
    paras: list[_Para] = []
    last_number: str | None = None
    # Groups: runs of non-blank lines; tab-separated runs and reader tables are tables.
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if line.table is not None:
            rows = [[_clean(c) for c in row] for row in line.table]
            paras.append(_Para("table", page=line.page, rows=rows, alone=True))
            i += 1
            continue
        if line.blank:
            i += 1
            continue
        if "\t" in line.text and not wrapped:
            j, texts = i, []
            while j < n and (lines[j].blank or "\t" in lines[j].text or _TABLE_RULE.match(lines[j].text)):
                if _TABLE_RULE.match(lines[j].text):
                    texts.append(lines[j].text)
                    j += 1
                    break
                texts.append(lines[j].text)
                j += 1
            rows = _table_rows(texts)
            if rows:
                paras.append(_Para("table", page=line.page, rows=rows, alone=True))
            i = j
            continue
        j = i
        group: list[RawLine] = []
        while j < n and not lines[j].blank and lines[j].table is None and not (
                "\t" in lines[j].text and not wrapped and j > i):
            group.append(lines[j])
            j += 1
        start = len(paras)
        last_number = _split_group(group, paras, lexicon, wrapped, last_number)
        if len(paras) - start == 1:
            paras[start].alone = True
        i = j
    return paras


def _split_group(group: list[RawLine], paras: list[_Para], lexicon: repair.Lexicon,
                 wrapped: bool, last_number: str | None) -> str | None:
    """Append the paragraphs of one group of adjacent lines; return the last heading number."""
    cur: _Para | None = None
    k = 0
    while k < len(group):
        line = group[k]
        text = line.text.strip()
        first = k == 0
        prev_ends = first or bool(_TERMINAL.search(group[k - 1].text.strip()))
        if not text or _LONE_BULLET.match(text):
            k += 1
            continue
        # A heading the reader already knows (Word style, Markdown "#").
        if line.heading_level:
            num = _numbered(text)
            number, rest = num if num else (None, text)
            p = _Para("head", text=_clean(rest), page=line.page, number=number, level=line.heading_level)
            paras.append(p)
            cur = None
            if number:
                last_number = number
            k += 1
            continue
        num = _numbered(text) if prev_ends else None
        if num and _plausible(last_number, num[0]):
            number, rest = num
            p = _heading_para(number, rest, line.page)
            is_question = _is_question(rest)
            k += 1
            # A wrapped heading or question continues until its sentence ends.
            while wrapped and k < len(group) and not _TERMINAL.search(p.text) and len(p.text) < 400:
                nxt = group[k].text.strip()
                if not nxt or (not is_question and not nxt[:1].islower()):
                    break
                if _numbered(nxt) or _CHOICE_LINE.match(nxt) or _LIST_MARKER.match(nxt):
                    break
                p.text = _join(p.text, nxt, lexicon)
                k += 1
            p.text = _clean(p.text)
            if is_question:
                p.question = p.text
            paras.append(p)
            last_number = number
            cur = None
            continue
        bare = _clean(_LIST_MARKER.sub("", text, count=1))
        if _CHOICE_LINE.match(text) or _CHOICE_INLINE.match(bare):
            paras.append(_Para("choice", text=bare, page=line.page))
            cur = None
            k += 1
            continue
        if line.list_item or _LIST_MARKER.match(text):
            body = _LIST_MARKER.sub("", text, count=1)
            cur = _Para("list", text=body, page=line.page, italic=_is_italic(text))
            paras.append(cur)
            k += 1
            continue
        if not wrapped:
            paras.append(_Para("text", text=text, page=line.page, italic=_is_italic(text)))
            cur = None
            k += 1
            continue
        # Hard-wrapped text: a short title-like first line stands apart from what follows.
        # Only one or two words: longer short lines are usually a phrase wrapped early
        # ("Färdplanerna i Östra / Mellansveriges ERUF-program").
        short_title = (len(text.split()) <= 2 and not _TERMINAL.search(text) and text[:1].isupper()
                       and text.split()[-1].casefold() not in _FUNCTION_WORDS)
        if cur is None or (short_title and (first or prev_ends) and k + 1 < len(group)
                           and group[k + 1].text.strip()[:1].isupper()):
            cur = _Para("text", text=text, page=line.page)
            paras.append(cur)
            if short_title and k + 1 < len(group) and group[k + 1].text.strip()[:1].isupper():
                cur = None
        elif short_title and k == len(group) - 1 and prev_ends:
            # " Instruktioner" at the bottom of a run: a heading glued to the page above.
            paras.append(_Para("text", text=text, page=line.page, alone=True))
        else:
            cur.text = _join(cur.text, text, lexicon)
        k += 1
    return last_number


# --- 4. paragraph-level passes -----------------------------------------------


def _finish_text(paras: list[_Para]) -> None:
    for p in paras:
        if p.kind in ("text", "list", "choice"):
            p.text = _clean(p.text)


def _merge_page_splits(paras: list[_Para], lexicon: repair.Lexicon) -> list[_Para]:
    """Rejoin a paragraph that a page break cut: no sentence end, next starts in lower case."""
    out: list[_Para] = []
    for p in paras:
        prev = out[-1] if out else None
        if (prev is not None and p.kind in ("text", "choice") and prev.kind in ("text", "list")
                and prev.text and p.text[:1].islower() and not re.search(r"[.!?:;]\)?$", prev.text)):
            prev.text = _clean(_join(prev.text, p.text, lexicon))
            prev.alone = False
            if p.kind == "choice":
                prev.kind = "choice"
            continue
        out.append(p)
    return out


def _first_sentence(question: str) -> str:
    """A compact title for a question: its first sentence, parentheses left out."""
    text = re.sub(r"\s*\([^)]*\)", "", question)
    m = re.match(r"(.+?[.?!:])(?:\s|$)", text)
    title = m.group(1) if m else text
    return title.rstrip(".:").strip()


_MAL_WORD = re.compile(r"\b(?:mål|målet|programmålet|effektmål)\b|\bMål:|Prioriterat område")
_MAL_START = ("RUS övergripande", "RUS-övergripande", "EU-finansierat", "Medfinansiering",
              "Bidrar till", "PO1", "PO2", "PO3", "PO4", "PO5")


def _insats_table(region: list[_Para]) -> list[_Para]:
    """The "Ange max fem insatser" table of a PDF template, rebuilt from its column chunks.

    The extraction interleaves the columns; what survives is the order of the
    chunks: an insats's name, its description and achievements, "Förväntade
    effekter: ...", and last the goals ("RUS övergripande mål ..."). A row ends
    where its goal chunks end.
    """
    texts = [p.text for p in region if p.kind == "text" and p.text]
    head_end = next((i for i, t in enumerate(texts[:10]) if "ska bidra till" in t), -1)
    header = [re.split(r"\s(?:För|Ange)\s", t)[0] for t in texts[:head_end + 1] if not t.startswith("Ange")]
    # Each row collects chunks per column: name, description/achievements, effects, goals.
    rows: list[dict[str, list[str]]] = []
    state = ""
    for t in texts[head_end + 1:]:
        if rows and state == "mal" and (t.startswith(_MAL_START) or t[:1].islower() or _MAL_WORD.search(t)):
            rows[-1]["mal"].append(t)
        elif not rows or state == "mal":
            rows.append({"name": [t], "desc": [], "eff": [], "mal": []})
            state = "desc"
        elif t.startswith(_MAL_START):
            rows[-1]["mal"].append(t)
            state = "mal"
        elif t.startswith("Förväntade effekter") or state == "eff":
            rows[-1]["eff"].append(t)
            state = "eff"
        else:
            rows[-1]["desc"].append(t)
    body = [[" ".join(r[c]) for c in ("name", "desc", "eff", "mal")] for r in rows]
    page = region[0].page if region else None
    out: list[_Para] = []
    if body:
        cols = ["Insats", "Beskrivning och prestationer", "Effekter", "Mål"]
        out.append(_Para("table", page=page, rows=[cols, *body]))
    elif header:
        out.append(_Para("text", text=" | ".join(header), page=page, instruction=True))
    return out


def _build_insats_tables(paras: list[_Para], wrapped: bool) -> list[_Para]:
    if not wrapped:
        return paras
    out: list[_Para] = []
    i = 0
    while i < len(paras):
        p = paras[i]
        out.append(p)
        i += 1
        if p.kind == "head" and p.question and re.search(r"fyll i tabellen", p.question, re.IGNORECASE):
            j = i
            while j < len(paras) and paras[j].kind != "head":
                j += 1
            region = paras[i:j]
            if region and not any(r.kind == "table" for r in region):
                out.extend(_insats_table(region))
                i = j
    return out


def _choice_of(text: str) -> str | None:
    m = _CHOICE_LINE.match(text)
    if m:
        return m.group(1) if m.group(2) and m.group(2) in _TICKED else None
    m = _CHOICE_INLINE.match(text)
    if m:
        if m.group(2) and m.group(2) in _TICKED:
            return "Ja"
        if m.group(3) and m.group(3) in _TICKED:
            return "Nej"
    return None


def _fold_choices(paras: list[_Para]) -> list[_Para]:
    """Ja/Nej lines become one CHOICE block each, with the sub-question they answer."""
    out: list[_Para] = []
    labels: set[str] = set()
    i = 0
    while i < len(paras):
        p = paras[i]
        if p.kind == "choice" and _CHOICE_LINE.match(p.text):
            opts = [p]
            j = i + 1
            if j < len(paras) and paras[j].kind == "choice" and _CHOICE_LINE.match(paras[j].text):
                opts.append(paras[j])
                j += 1
            ticked = [_CHOICE_LINE.match(o.text).group(1) for o in opts  # type: ignore[union-attr]
                      if _choice_of(o.text) is not None]
            has_glyph = any(_CHOICE_LINE.match(o.text).group(2) for o in opts)  # type: ignore[union-attr]
            choice = ticked[0] if ticked else None
            if not has_glyph and len(opts) == 1:
                # Word export: "Ja" stands alone when it was the option kept; a later
                # lone "Nej" with only instructions after it is the option not taken.
                choice = opts[0].text.split()[0]
                for q in range(j, min(j + 8, len(paras))):
                    if paras[q].kind == "choice" and _CHOICE_LINE.match(paras[q].text):
                        paras[q].kind = "drop"
                        break
                    if paras[q].kind == "head" or paras[q].text.endswith("?"):
                        break
            label = ""
            prev = out[-1] if out else None
            if prev is not None and prev.kind == "list" and prev.text.endswith("?"):
                label = prev.text
                out.pop()
            elif prev is not None and prev.kind == "choice" and prev.text.startswith("Ja"):
                pass
            if label:
                labels.add(label.rstrip("?.").strip())
            shown = choice if choice else "/".join(o.text.split()[0] for o in opts)
            text = f"{label} {shown}".strip()
            out.append(_Para("choice", text=text, page=p.page, choice=choice))
            i = j
            continue
        if p.kind == "choice":
            p.choice = _choice_of(p.text)
        if p.kind == "drop":
            i += 1
            continue
        if p.kind == "text" and re.match(r"^Ja\s+\S", p.text) and out and out[-1].text.endswith("?"):
            # "Ja Inriktningsbeslut": the option ticked, and the answer's words after it.
            p.kind, p.choice = "choice", "Ja"
        if p.kind == "list" and p.text.rstrip("?.").strip() in labels:
            # A sub-question repeated from the Ja/Nej question above: template text.
            p.instruction = True
        out.append(p)
        i += 1
    return [p for p in out if p.kind != "drop"]


def _is_instruction(p: _Para) -> bool:
    """Whether a paragraph is the template talking to the region, on clear cues only."""
    text = p.text
    if _TEMPLATE_PHRASE.search(text):
        return True
    if _FIRST_PERSON.search(text):
        return False
    if p.italic:
        return True
    return bool(_IMPERATIVE.match(text) or _SECOND_PERSON.search(text))


def _classify(paras: list[_Para]) -> None:
    """Mark template instructions; in a template with questions, all text before the first
    numbered heading is the template's own introduction."""
    has_questions = sum(1 for p in paras if p.question) >= 3
    before_first = True
    for p in paras:
        if p.kind == "head" and p.number:
            before_first = False
        if p.kind in ("text", "list") and not p.instruction:
            p.intro = has_questions and before_first
            p.instruction = p.intro or _is_instruction(p)


def _candidate(p: _Para) -> bool:
    t = p.text
    return (p.kind == "text" and p.alone and 0 < len(t) <= _MAX_HEADING_CHARS
            and len(t.split()) <= _MAX_HEADING_WORDS and t[:1].isupper()
            and not re.search(r"[.,;:!?]$", t) and (p.intro or not p.instruction))


def _pattern(p: _Para) -> str | None:
    if p.kind != "text" or not p.alone:
        return None
    if _DELMAL.match(p.text):
        return "Delmål"
    if _OMRADE.match(p.text) and _candidate(p):
        return "Område"
    return None


def _body_like(p: _Para | None) -> bool:
    if p is None:
        return False
    if p.kind in ("list", "table", "choice"):
        return True
    if p.kind != "text" or _pattern(p):
        return False
    return len(p.text) >= 100 or (bool(_SENTENCE_END.search(p.text)) and len(p.text.split()) >= 8)


def _find_headings(paras: list[_Para]) -> None:
    """Mark unnumbered headings: short title-like paragraphs followed by content.

    Inside a template question only a heading followed by template text counts
    (a new template part such as "Övriga medskick"): the answer's own short
    lines stay in the answer.
    """
    in_question = []
    q = False
    for p in paras:
        if p.kind == "head" and p.number:
            q = bool(p.question)
        in_question.append(q)
    n = len(paras)
    via_body = [False] * n
    heading = [False] * n
    for i in range(n - 1, -1, -1):
        p = paras[i]
        nxt = paras[i + 1] if i + 1 < n else None
        if _pattern(p):
            heading[i] = True
            continue
        if not _candidate(p):
            continue
        # A run of three or more short lines is a list; only its last line can be a
        # heading, and only after field-like lines ("Ingående kommuner / Örebro län").
        run_before = i >= 1 and _candidate(paras[i - 1])
        run_after = nxt is not None and _candidate(nxt)
        if run_before and run_after:
            continue
        if run_before and i >= 2 and _candidate(paras[i - 2]):
            if any(len(paras[k].text.split()) > 3 for k in (i - 1, i - 2)):
                continue
        if in_question[i]:
            if nxt is not None and nxt.kind == "text" and nxt.instruction:
                heading[i] = via_body[i] = True
                p.level = 1  # a new part of the template, beside the numbered parts
            continue
        if _body_like(nxt):
            heading[i] = via_body[i] = True
        elif nxt is not None and heading[i + 1] and via_body[i + 1] and not _pattern(nxt):
            heading[i] = True
    for i, p in enumerate(paras):
        if heading[i]:
            fam = _pattern(p)
            p.kind, p.family = "head", fam
            m = _DELMAL.match(p.text)
            if m:
                p.text = m.group(1)
                if m.group(2):
                    p.extra.append(_Para("text", text=m.group(2), page=p.page))


# --- 5. sections --------------------------------------------------------------


def _strip_heading_marks(title: str, has_notes: bool) -> str:
    # A footnote mark glued to the last word of a heading ("Jämställdhet11"),
    # even when the note itself was lost in extraction.
    return re.sub(r"(?<=[a-zåäö])\d{1,2}$", "", title) if has_notes else title


def _block(p: _Para) -> Block:
    if p.kind == "table":
        rows = p.rows or []
        return Block(kind=BlockKind.TABLE, text=render_rows(rows), page=p.page, rows=rows)
    if p.kind == "choice":
        return Block(kind=BlockKind.CHOICE, text=p.text, page=p.page, choice=p.choice)
    if p.instruction:
        return Block(kind=BlockKind.INSTRUCTION, text=p.text, page=p.page)
    kind = BlockKind.LIST_ITEM if p.kind == "list" else BlockKind.PARAGRAPH
    return Block(kind=kind, text=p.text, page=p.page)


@dataclass
class _Open:
    level: int
    title: str
    family: str | None = None
    group: bool = False


def _sections(paras: list[_Para], doc_title: str | None, has_notes: bool) -> list[Section]:
    sections: list[dict] = []
    path: list[tuple[int, str]] = []
    stack: list[_Open] = []  # open unnumbered headings under the current numbered one
    base = 0
    prev_heading = False
    for i, p in enumerate(paras):
        if p.kind != "head":
            if not sections:
                sections.append({"number": None, "title": doc_title or "Inledning", "level": 1,
                                 "heading_path": [doc_title or "Inledning"], "page": p.page,
                                 "question": None, "blocks": []})
            sections[-1]["blocks"].append(_block(p))
            prev_heading = False
            continue
        nxt = paras[i + 1] if i + 1 < len(paras) else None
        title = _strip_heading_marks(p.text, has_notes)
        if p.number:
            level = p.level or len(p.number.split("."))
            base = level
            stack = []
            if p.question:
                title = _first_sentence(_strip_heading_marks(p.question, has_notes))
            else:
                title = title.rstrip(" .") or title
        elif p.level:
            level = base = p.level
            stack = []
        else:
            is_group = nxt is not None and nxt.kind == "head" and not nxt.number
            level = _unnumbered_level(stack, base, p.family, is_group, prev_heading)
            stack.append(_Open(level, title, p.family, is_group))
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, title))
        sections.append({"number": p.number, "title": title, "level": level,
                         "heading_path": [t for _, t in path], "page": p.page,
                         "question": p.question, "blocks": [_block(e) for e in p.extra]})
        # A heading's own statement ("Delmål 1: ...") still counts as the heading.
        prev_heading = True
    return [Section(**s) for s in sections]


def _unnumbered_level(stack: list[_Open], base: int, family: str | None, is_group: bool,
                      prev_heading: bool) -> int:
    """The level of an unnumbered heading, from the headings still open above it.

    Same family ("Delmål 2" after "Delmål 1") -> sibling; right after another
    heading -> child; a heading that opens a group (directly followed by a
    heading) -> sibling of the last such group; otherwise sibling of the
    latest heading, leaving a family ("Delmål ...") when it is not one.
    """
    if family:
        for k in range(len(stack) - 1, -1, -1):
            if stack[k].family == family:
                level = stack[k].level
                del stack[k:]
                return level
    if prev_heading:
        return (stack[-1].level if stack else base) + 1
    if family:
        return (stack[-1].level if stack else base) + 1
    if is_group:
        for k in range(len(stack) - 1, -1, -1):
            if stack[k].group:
                level = stack[k].level
                del stack[k:]
                return level
        stack.clear()
        return base + 1
    if stack:
        top = stack.pop()
        if top.family:
            level = max(base + 1, top.level - 1)
            while stack and stack[-1].level >= level:
                stack.pop()
            return level
        return top.level
    return base + 1


# --- entry point --------------------------------------------------------------


def build(raw: RawDocument, *, doc_id: str, lexicon) -> Document:
    """Structure a repaired, boilerplate-free raw document into a :class:`Document`."""
    md = meta.extract(raw)
    lines = _drop_toc(_drop_front_matter(list(raw.lines)))
    lines, notes = _extract_footnotes(lines)
    wrapped = _is_wrapped(lines)
    paras = _paragraphs(lines, lexicon, wrapped)
    _finish_text(paras)
    paras = _build_insats_tables(paras, wrapped)
    paras = _merge_page_splits(paras, lexicon)
    paras = _fold_choices(paras)
    _classify(paras)
    _find_headings(paras)
    sections = _sections(paras, md.title, bool(notes))
    if md.title is None:
        md = meta.extract(raw, sections)  # no title line: the first heading names the document
    path = raw.path
    return Document(
        id=doc_id,
        source=path,
        filename=path.replace("\\", "/").rsplit("/", 1)[-1],
        format=raw.format,
        metadata=md,
        sections=sections,
        footnotes=notes,
        page_count=raw.page_count,
        warnings=list(raw.warnings),
    )
