"""Pass 2: lift footnotes out of the body.

PDF text has them inline at page breaks ("4 Villkorsbeslut 2023:1.1, 1.3, 2.") with their
marks glued to a word ("utvecklingsstrategin4"); Word text has superscripts ("RUS¹").
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.raw import RawLine
from ingest.structure.patterns import (
    INLINE_NOTE,
    SENTENCE_END,
    SUPERSCRIPT_NOTE,
    SUPERSCRIPT_RUN,
    SUPERSCRIPTS,
    URL,
)
from underlag.model import Footnote


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


def extract_footnotes(lines: list[RawLine]) -> tuple[list[RawLine], list[Footnote]]:
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
        sup = SUPERSCRIPT_NOTE.match(t)
        if sup:
            # Word footnote text: "¹ Örebro läns utvecklingsstrategi ...".
            n = sup.group(1).translate(SUPERSCRIPTS)
            notes.append(Footnote(number=n, text=" ".join(sup.group(2).split()), page=lines[i].page))
            removed.add(i)
            i += 1
            continue
        m = INLINE_NOTE.match(t)
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
                while (k < len(texts) and texts[k].strip() and not SENTENCE_END.search(body[-1])
                       and not URL.match(body[-1]) and not INLINE_NOTE.match(texts[k])):
                    body.append(texts[k].strip())
                    k += 1
                note_text = " ".join(" ".join(body).split())
                notes.append(Footnote(number=n, text=note_text, page=lines[i].page))
                removed.update(range(i, k))
                # PDF extraction repeats a footnote's link as a line of its own.
                url = URL.match(note_text)
                for q in range(k, min(k + 3, len(texts))):
                    if url and texts[q].strip() == url.group(1):
                        removed.add(q)
                last_n, last_mark = int(n), j
                i = k
                continue
        i += 1
    numbers = {fn.number for fn in notes}

    def strip_superscripts(text: str) -> str:
        return SUPERSCRIPT_RUN.sub(
            lambda s: "" if s.group(0).translate(SUPERSCRIPTS) in numbers else s.group(0), text)

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
