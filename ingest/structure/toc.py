"""Pass 1: drop the front matter (title, date, letterhead; see ``ingest.metadata``) and the table of contents."""

from __future__ import annotations

from ingest import metadata as meta
from ingest.raw import RawLine
from ingest.structure.patterns import TOC_LINE, TOC_TITLE


def drop_front_matter(lines: list[RawLine]) -> list[RawLine]:
    skip, _ = meta.front_matter([line.text for line in lines])
    if all(i in skip for i, line in enumerate(lines) if line.text.strip() or line.table):
        return lines  # all of it is "front matter" (one line without a final period): it is the text
    return [RawLine("", page=line.page) if i in skip else line for i, line in enumerate(lines)]


def drop_toc(lines: list[RawLine]) -> list[RawLine]:
    """Blank out an "Innehåll" block: lines ending in a page number, up to the first real paragraph."""
    out = list(lines)
    for i, line in enumerate(lines[:200]):
        if not TOC_TITLE.match(line.text):
            continue
        j = i + 1
        end = i
        while j < len(lines):
            t = lines[j].text
            if not t.strip():
                j += 1
                continue
            if TOC_LINE.search(t):
                end = j
                j += 1
                continue
            break
        if end > i:
            for k in range(i, end + 1):
                out[k] = RawLine("", page=lines[k].page)
        break
    return out
