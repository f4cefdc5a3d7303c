"""Pass 4b: tell the template's instructions from the region's answer, and find unnumbered headings.

Heuristics prefer precision: a paragraph is an instruction only on a clear template cue
(imperative opening, "ni/er", "Observera!", italics in Word exports) and never when it
speaks as the region ("vi", "vår", "Regionen").
"""

from __future__ import annotations

import re

from ingest.structure.patterns import (
    DELMAL,
    FIRST_PERSON,
    IMPERATIVE,
    MAX_HEADING_CHARS,
    MAX_HEADING_WORDS,
    OMRADE,
    SECOND_PERSON,
    SENTENCE_END,
    TEMPLATE_PHRASE,
    Para,
)


def _is_instruction(p: Para) -> bool:
    """Whether a paragraph is the template talking to the region, on clear cues only."""
    text = p.text
    if TEMPLATE_PHRASE.search(text):
        return True
    if FIRST_PERSON.search(text):
        return False
    if p.italic:
        return True
    return bool(IMPERATIVE.match(text) or SECOND_PERSON.search(text))


def classify(paras: list[Para]) -> None:
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


def _candidate(p: Para) -> bool:
    t = p.text
    return (p.kind == "text" and p.alone and 0 < len(t) <= MAX_HEADING_CHARS
            and len(t.split()) <= MAX_HEADING_WORDS and t[:1].isupper()
            and not re.search(r"[.,;:!?]$", t) and (p.intro or not p.instruction))


def _pattern(p: Para) -> str | None:
    if p.kind != "text" or not p.alone:
        return None
    if DELMAL.match(p.text):
        return "Delmål"
    if OMRADE.match(p.text) and _candidate(p):
        return "Område"
    return None


def _body_like(p: Para | None) -> bool:
    if p is None:
        return False
    if p.kind in ("list", "table", "choice"):
        return True
    if p.kind != "text" or _pattern(p):
        return False
    return len(p.text) >= 100 or (bool(SENTENCE_END.search(p.text)) and len(p.text.split()) >= 8)


def find_headings(paras: list[Para]) -> None:
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
            m = DELMAL.match(p.text)
            if m:
                p.text = m.group(1)
                if m.group(2):
                    p.extra.append(Para("text", text=m.group(2), page=p.page))
