"""Stage 3: drop running headers, footers and page numbers.

Two kinds of evidence, depending on what the reader knows:

* **Pages** (PDF, text with form feeds): a line is a running header or footer
  when the same text sits among the first or last :data:`ZONE` lines of at
  least :data:`MIN_PAGE_SHARE` of the pages. Digits are compared loosely, so
  "Sida 3 av 12" matches "Sida 4 av 12", but only when the numbers that change
  follow the page ("Bilaga 1" and "Bilaga 2" atop two pages are headings).
  A page-number line ("- 3 -", "Sida 3", "3 (12)", "3/12") in those zones goes
  too; a bare "3" only as the outermost line left on its page, as "42" under
  "Antal deltagare:" is content.
* **No pages** (plain text extracted from PDF or Word): page breaks are gone and
  a running header shows up as a *block* of short lines repeated inside the
  body. A block is a run of at least :data:`MIN_BLOCK` short lines, each a
  paragraph of its own (blank lines around it), whose lines recur together at
  least twice. The order inside the block is ignored because extraction
  reorders a header's fields from one page to the next (003 does). Genuine
  repeated headings ("Uppföljning", "Bakgrundsbeskrivning") stand alone between
  paragraphs, so they never form such a run, and hard-wrapped lines (002
  repeats its wrapped table headings with every table) are not paragraphs of
  their own. Unambiguous page-number lines ("15(42)", "Sida 3 av 12") go as
  well; a bare number stays, since without pages it may be a list number.
  Word documents have no blank lines and no page headers in the body, so
  neither rule touches them.

One copy of a running header is kept as the document's first lines: it is the
letterhead, and it carries metadata (date, diarienummer, organisation) that
the structure stage reads from the top of the document. If its first
occurrence is not already at the top (a text file where the first page's header
was lost, or comes after the title), that copy is moved there. Everything
else - the repeats, footers and page numbers - is dropped.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import replace

from ingest.raw import RawLine

#: How many non-blank lines at the top and bottom of a page can be header or footer.
ZONE = 3
#: Share of pages a line must recur on (top or bottom zone) to count as running.
MIN_PAGE_SHARE = 0.4
#: Smallest number of lines in a repeated header block (text without pages).
MIN_BLOCK = 3
#: Largest header block looked for.
MAX_BLOCK = 10
#: Longest line that can be part of a header block.
MAX_BLOCK_LINE = 60

_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_BULLET = re.compile(r"^\s*(?:[-–—•·▪◦*]|\d+[.)])\s")

# Page numbers that say so themselves: "Sida 3", "Sida 3 av 12", "Page 3 of 12",
# "3 (12)", "15(42)", "3/12", "3 av 12", "- 3 -".
_PAGE_NUMBER = re.compile(
    r"""^(?:
        (?:sida|sid\.|s\.|page|p\.)\s*\d+(?:\s*(?:av|of|/|\()\s*\d+\)?)?
      | \d+\s*\(\s*\d+\s*\)
      | \d+\s*/\s*\d+
      | \d+\s+(?:av|of)\s+\d+
      | [-–—]\s*\d+\s*[-–—]
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_BARE_NUMBER = re.compile(r"^\d{1,4}$")


def is_page_number(text: str, *, allow_bare: bool) -> bool:
    """Whether a line is only a page number; a bare "3" only counts with ``allow_bare``."""
    t = text.strip()
    return bool(_PAGE_NUMBER.match(t) or (allow_bare and _BARE_NUMBER.match(t)))


def normalise(text: str) -> str:
    """The comparison key of a line: case, spacing and digit values ignored."""
    return _DIGITS.sub("#", _SPACE.sub(" ", text.strip())).casefold()


def strip_running_lines(lines: list[RawLine]) -> list[RawLine]:
    """Remove running headers, footers and page numbers; keep one header copy at the top."""
    text_idx = [i for i, line in enumerate(lines) if line.table is None and not line.blank]
    if any(lines[i].page is not None for i in text_idx):
        headers, drop = _running_by_page(lines, text_idx)
    else:
        headers, drop = _running_blocks(lines, text_idx)
    return _keep_letterhead(lines, headers, drop)


def _running_by_page(lines: list[RawLine], text_idx: list[int]) -> tuple[list[list[int]], set[int]]:
    """Header occurrences (grouped per page) and all other indexes to drop."""
    pages: dict[int, list[int]] = defaultdict(list)
    for i in text_idx:
        pages[lines[i].page or 0].append(i)
    need = max(2, math.ceil(MIN_PAGE_SHARE * len(pages)))

    def running(zone: slice) -> set[int]:
        found: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for p, idx in pages.items():
            for i in idx[zone]:
                found[normalise(lines[i].text)].append((p, i))
        return {i for occurrences in found.values()
                if len({p for p, _ in occurrences}) >= need and _tracks_pages(lines, occurrences)
                for _, i in occurrences}

    headers_at = running(slice(None, ZONE))
    drop = running(slice(-ZONE, None)) - headers_at
    headers: list[list[int]] = []
    for p in sorted(pages):
        on_page = [i for i in pages[p] if i not in headers_at and i not in drop]
        zones = set(pages[p][:ZONE] + pages[p][-ZONE:])
        drop |= {i for i in on_page if i in zones and is_page_number(lines[i].text, allow_bare=False)}
        # A bare number is a page number only as the outermost line left on the page.
        rest = [i for i in on_page if i not in drop]
        for i in (rest[:1] + rest[-1:]):
            if i in zones and is_page_number(lines[i].text, allow_bare=True):
                drop.add(i)
        page_headers = [i for i in pages[p] if i in headers_at]
        if page_headers:
            headers.append(page_headers)
    return headers, drop


def _tracks_pages(lines: list[RawLine], occurrences: list[tuple[int, int]]) -> bool:
    """Whether the numbers that change between occurrences change with the page.

    "Sida 3 av 12" on page 3 and "Sida 4 av 12" on page 4 is a footer;
    "Bilaga 1" atop page 2 and "Bilaga 2" atop page 7 are headings.
    """
    numbers = [(p, [int(n) for n in _DIGITS.findall(lines[i].text)]) for p, i in occurrences]
    for k in range(len(numbers[0][1])):
        values = {nums[k] for _, nums in numbers}
        if len(values) > 1 and len({nums[k] - p for p, nums in numbers}) > 1:
            return False
    return True


def _running_blocks(lines: list[RawLine], text_idx: list[int]) -> tuple[list[list[int]], set[int]]:
    """Repeated header blocks (each occurrence a list of indexes) and page-number lines."""
    drop = {i for i in text_idx if is_page_number(lines[i].text, allow_bare=False)}
    items = [i for i in text_idx if i not in drop]
    short = [_block_candidate(lines, i) for i in items]
    keys = [normalise(lines[i].text) for i in items]
    taken = [False] * len(items)
    blocks: list[list[int]] = []
    # Longest blocks first, so a six-line header is not found as two three-line ones.
    for size in range(MAX_BLOCK, MIN_BLOCK - 1, -1):
        found: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for start in range(len(items) - size + 1):
            window = range(start, start + size)
            if all(short[k] and not taken[k] for k in window):
                key = tuple(sorted(keys[k] for k in window))
                if len(set(key)) == size:  # a block of distinct lines, not "Ja / Ja / Ja"
                    found[key].append(start)
        for starts in found.values():
            occurrences: list[int] = []
            for start in starts:  # non-overlapping, in document order
                if not occurrences or start >= occurrences[-1] + size:
                    occurrences.append(start)
            if len(occurrences) < 2:
                continue
            for start in occurrences:
                if any(taken[k] for k in range(start, start + size)):
                    continue
                for k in range(start, start + size):
                    taken[k] = True
                blocks.append([items[k] for k in range(start, start + size)])
    blocks.sort()
    # Occurrences of any block are headers; the first one found in the text is the letterhead.
    return blocks, drop


def _block_candidate(lines: list[RawLine], i: int) -> bool:
    """Whether a line could be a field of a running header: short and a paragraph of its own.

    Text extracted from a report sets each header field apart with blank lines.
    Hard-wrapped paragraphs and table cells have short lines too, and a
    template repeats its table headings with every table, but those lines run
    on into their neighbours; requiring blank lines around each field keeps
    them (and Word paragraphs, which have no blank lines) out of the rule.
    """
    line = lines[i]
    text = line.text.strip()
    if (len(text) > MAX_BLOCK_LINE or line.list_item or line.heading_level
            or _BULLET.match(text)):
        return False
    before = lines[i - 1] if i > 0 else None
    after = lines[i + 1] if i + 1 < len(lines) else None
    return (before is None or before.blank) and (after is None or after.blank)


def _keep_letterhead(lines: list[RawLine], headers: list[list[int]], drop: set[int]) -> list[RawLine]:
    """Drop every header occurrence and ``drop``; keep the first header at the very top."""
    all_headers = {i for occurrence in headers for i in occurrence}
    if not headers:
        return [line for i, line in enumerate(lines) if i not in drop]
    first = headers[0]
    removed = all_headers | drop
    # Already at the top when nothing but blanks and dropped lines comes before it.
    at_top = all(lines[i].blank or i in removed for i in range(first[0]))
    kept = [i for i in first if not is_page_number(lines[i].text, allow_bare=True)]
    body = [line for i, line in enumerate(lines) if i not in removed or (at_top and i in kept)]
    if at_top:
        return body
    page = next((line.page for line in lines if line.page is not None), None)
    letterhead = [replace(lines[i], page=page) for i in kept]
    return letterhead + [RawLine("", page=page)] + body
