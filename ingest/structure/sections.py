"""Pass 5: nest the headings into sections of blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.structure.forms import first_sentence
from ingest.structure.patterns import Para
from underlag.model import Block, BlockKind, Section, render_rows


def _strip_heading_marks(title: str, has_notes: bool) -> str:
    # A footnote mark glued to the last word of a heading ("Jämställdhet11"),
    # even when the note itself was lost in extraction.
    return re.sub(r"(?<=[a-zåäö])\d{1,2}$", "", title) if has_notes else title


def _block(p: Para) -> Block:
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


def nest_sections(paras: list[Para], doc_title: str | None, has_notes: bool) -> list[Section]:
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
                title = first_sentence(_strip_heading_marks(p.question, has_notes))
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
