"""Pass 3: cut the lines into paragraphs, and rejoin paragraphs that a page break split.

Hard-wrapped PDF lines are joined, Word lines are paragraphs already; numbered headings,
template questions, list items, Ja/Nej lines and table rows always start a new paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest import repair
from ingest.raw import RawLine
from ingest.structure.patterns import (
    ANGLE_URL,
    ASKING_Q,
    ATERRAPPORTERING,
    BOLD,
    CHOICE_INLINE,
    CHOICE_LINE,
    FUNCTION_WORDS,
    IMPERATIVE_Q,
    ITALIC,
    LIST_MARKER,
    LONE_BULLET,
    NUMBERED,
    TABLE_RULE,
    TAGS,
    TERMINAL,
    Para,
)


def _clean(text: str) -> str:
    """Plain text: markup and emphasis gone, spacing collapsed."""
    text = ANGLE_URL.sub(r"\1", text)
    text = TAGS.sub(" ", text)
    text = BOLD.sub(r"\1", text)
    text = ITALIC.sub(r"\1", text)
    text = text.replace("**", "")
    text = text.strip()
    # A stray emphasis star at an end, left by italics spanning several lines.
    text = re.sub(r"^\*(?=\S)|(?<=\S)\*$", "", text)
    return " ".join(text.split())


def _is_italic(text: str) -> bool:
    t = LIST_MARKER.sub("", text.strip(), count=1) if not text.strip().startswith("**") else text.strip()
    return t.startswith("*") and not t.startswith("**")


def _table_rows(texts: Sequence[str]) -> list[list[str]]:
    rows = []
    for t in texts:
        if not t.strip() or TABLE_RULE.match(t):
            continue
        cells = [_clean(c) for c in t.split("\t")]
        while cells and not cells[-1]:
            cells.pop()
        if any(cells):
            rows.append(cells)
    return rows


def is_wrapped(lines: Sequence[RawLine]) -> bool:
    """Whether the text is hard-wrapped (PDF extraction) rather than one line per paragraph."""
    nonblank = [i for i, line in enumerate(lines) if not line.blank and line.table is None]
    if len(nonblank) < 10:
        return False
    follows = sum(1 for a, b in zip(nonblank, nonblank[1:]) if b == a + 1)
    return follows / len(nonblank) > 0.4


def _numbered(text: str) -> tuple[str, str] | None:
    """(number, rest) when a line starts like a numbered heading."""
    m = ATERRAPPORTERING.match(text)
    if m:
        return m.group(1), m.group(2)
    m = NUMBERED.match(text)
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
    if IMPERATIVE_Q.match(title):
        return True
    # "Hur vi arbetar" is a title; "Har anslaget bidragit till att nå målen i" asks.
    return bool(ASKING_Q.match(title)) and (title.rstrip().endswith("?") or len(title.split()) >= 6)


def _heading_para(number: str, rest: str, page: int | None) -> Para:
    return Para("head", text=rest, page=page, number=number, level=len(number.split(".")))


def split_paragraphs(lines: list[RawLine], lexicon: repair.Lexicon, wrapped: bool) -> list[Para]:
    """Cut lines into paragraph candidates (headings, lists, choices, tables, text)."""
    paras: list[Para] = []
    last_number: str | None = None
    # Groups: runs of non-blank lines; tab-separated runs and reader tables are tables.
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if line.table is not None:
            rows = [[_clean(c) for c in row] for row in line.table]
            paras.append(Para("table", page=line.page, rows=rows, alone=True))
            i += 1
            continue
        if line.blank:
            i += 1
            continue
        if "\t" in line.text and not wrapped:
            j, texts = i, []
            while j < n and (lines[j].blank or "\t" in lines[j].text or TABLE_RULE.match(lines[j].text)):
                if TABLE_RULE.match(lines[j].text):
                    texts.append(lines[j].text)
                    j += 1
                    break
                texts.append(lines[j].text)
                j += 1
            rows = _table_rows(texts)
            if rows:
                paras.append(Para("table", page=line.page, rows=rows, alone=True))
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


def _split_group(group: list[RawLine], paras: list[Para], lexicon: repair.Lexicon,
                 wrapped: bool, last_number: str | None) -> str | None:
    """Append the paragraphs of one group of adjacent lines; return the last heading number."""
    cur: Para | None = None
    k = 0
    while k < len(group):
        line = group[k]
        text = line.text.strip()
        first = k == 0
        prev_ends = first or bool(TERMINAL.search(group[k - 1].text.strip()))
        if not text or LONE_BULLET.match(text):
            k += 1
            continue
        # A heading the reader already knows (Word style, Markdown "#").
        if line.heading_level:
            num = _numbered(text)
            number, rest = num if num else (None, text)
            p = Para("head", text=_clean(rest), page=line.page, number=number, level=line.heading_level)
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
            while wrapped and k < len(group) and not TERMINAL.search(p.text) and len(p.text) < 400:
                nxt = group[k].text.strip()
                if not nxt or (not is_question and not nxt[:1].islower()):
                    break
                if _numbered(nxt) or CHOICE_LINE.match(nxt) or LIST_MARKER.match(nxt):
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
        bare = _clean(LIST_MARKER.sub("", text, count=1))
        if CHOICE_LINE.match(text) or CHOICE_INLINE.match(bare):
            paras.append(Para("choice", text=bare, page=line.page))
            cur = None
            k += 1
            continue
        if line.list_item or LIST_MARKER.match(text):
            body = LIST_MARKER.sub("", text, count=1)
            cur = Para("list", text=body, page=line.page, italic=_is_italic(text))
            paras.append(cur)
            k += 1
            continue
        if not wrapped:
            paras.append(Para("text", text=text, page=line.page, italic=_is_italic(text)))
            cur = None
            k += 1
            continue
        # Hard-wrapped text: a short title-like first line stands apart from what follows.
        # Only one or two words: longer short lines are usually a phrase wrapped early
        # ("Färdplanerna i Östra / Mellansveriges ERUF-program").
        short_title = (len(text.split()) <= 2 and not TERMINAL.search(text) and text[:1].isupper()
                       and text.split()[-1].casefold() not in FUNCTION_WORDS)
        if cur is None or (short_title and (first or prev_ends) and k + 1 < len(group)
                           and group[k + 1].text.strip()[:1].isupper()):
            cur = Para("text", text=text, page=line.page)
            paras.append(cur)
            if short_title and k + 1 < len(group) and group[k + 1].text.strip()[:1].isupper():
                cur = None
        elif short_title and k == len(group) - 1 and prev_ends:
            # " Instruktioner" at the bottom of a run: a heading glued to the page above.
            paras.append(Para("text", text=text, page=line.page, alone=True))
        else:
            cur.text = _join(cur.text, text, lexicon)
        k += 1
    return last_number


# --- 4. paragraph-level passes -----------------------------------------------


def finish_text(paras: list[Para]) -> None:
    for p in paras:
        if p.kind in ("text", "list", "choice"):
            p.text = _clean(p.text)


def merge_page_splits(paras: list[Para], lexicon: repair.Lexicon) -> list[Para]:
    """Rejoin a paragraph that a page break cut: no sentence end, next starts in lower case."""
    out: list[Para] = []
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
