"""What a document is: title, organisation, type, years, date and diarienummer.

Reads the repaired, boilerplate-free raw lines (the letterhead, when the source
has one, sits at the top: ``boilerplate`` keeps one copy there) and the
container's own metadata. The same small predicates tell ``structure`` which
top-of-document lines are front matter rather than body text.

Date policy: ``date`` is the date *of the document* (a standalone ISO date in
the front matter, "Version 240321", the container's creation date). Dates in
the running text - deadlines such as "senast den 21 februari 2024" - are not
the document's date and are never used.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ingest.raw import RawDocument
from underlag.model import DocumentMetadata, Section

_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
# "Version 240321": a version stamp written as YYMMDD.
_VERSION = re.compile(r"^\s*Version\s+(\d{2})(\d{2})(\d{2})\s*$", re.IGNORECASE)
_DNR_LINE = re.compile(r"^\s*(?:Dnr|Diarienr|Diarienummer)\b", re.IGNORECASE)
# A diarienummer where the text labels it as one: "Dnr: 23RS11869",
# "diarienummer N2022/02395", "Tillväxtverkets diarienummer Ä 2023–2905".
_DNR = re.compile(
    r"\b(?i:dnr|diarienr|diarienummer)\s*[:.]?\s*"
    r"((?:[A-ZÅÄÖ]{1,3}\s{0,2})?\d[\dA-Z]*(?:\s?[/–-]\s?\d+)*)"
)
_YEAR_RANGE = re.compile(r"\b((?:19|20)\d{2})\s?[-–]\s?((?:19|20)\d{2})\b")
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
_ORGANISATION = re.compile(r"\bRegion(?:en)? ([A-ZÅÄÖ][a-zåäö]+(?: län)?)")
_TERMINAL = re.compile(r"[.!?]\s*$")
_NUMBERED_START = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+\S")

#: Document types, by the word that names them in a title or on a line of its own.
DOC_TYPES = {
    "återrapportering": "återrapportering",
    "projektbeskrivning": "projektbeskrivning",
    "uppföljning": "uppföljning",
    "ansökan": "ansökan",
    "lägesrapport": "rapport",
    "slutrapport": "rapport",
    "rapport": "rapport",
    "verksamhetsplan": "verksamhetsplan",
    "handlingsplan": "handlingsplan",
    "strategi": "strategi",
    "yttrande": "yttrande",
}

# How far into a document the front matter can reach (non-blank lines).
_FRONT_LINES = 15
# Longest line of a letterhead block.
_LETTERHEAD_LINE = 60


def is_date_line(text: str) -> bool:
    """A line that is only a date or a version stamp ("2022-01-31", "Version 240321")."""
    return bool(_ISO_DATE.match(text) or _VERSION.match(text))


def is_dnr_line(text: str) -> bool:
    """A line that labels a diarienummer ("Dnr: 23RS11869")."""
    return bool(_DNR_LINE.match(text))


def is_doc_type_line(text: str) -> bool:
    """A line that only names the document type ("Återrapportering", "Projektbeskrivning")."""
    return text.strip().casefold() in DOC_TYPES


def is_field_line(text: str) -> bool:
    """A front-matter field: a date, version, diarienummer or document-type line."""
    return is_date_line(text) or is_dnr_line(text) or is_doc_type_line(text)


def letterhead_block(texts: Sequence[str], start: int = 0) -> range:
    """Indexes of the header block starting at ``start`` (after blanks), or an empty range.

    A letterhead is a run of at least three short lines without sentence
    punctuation, blank lines between them allowed, that holds a date or a
    diarienummer line ("Tjänsteställe, handläggare / Projektforum /
    Projektbeskrivning / ... / 2023-12-11 / Dnr: 23RS11869").
    """
    i = start
    while i < len(texts) and not texts[i].strip():
        i += 1
    # The block ends at its last date or diarienummer line: what follows is body.
    first, last, n, n_at_last = i, -1, 0, 0
    while i < len(texts):
        t = texts[i].strip()
        if not t:
            i += 1
            continue
        if len(t) > _LETTERHEAD_LINE or (_TERMINAL.search(t) and not is_field_line(t)):
            break
        n += 1
        if is_date_line(t) or is_dnr_line(t):
            last, n_at_last = i, n
        i += 1
    return range(first, last + 1) if n_at_last >= 3 else range(0)


def front_matter(texts: Sequence[str]) -> tuple[set[int], int | None]:
    """Indexes of front-matter lines at the top, and the index of the title line.

    Front matter: a leading letterhead block, the title (the first other
    non-blank line), and standalone field lines right around it. Stops at the
    first line that is neither.
    """
    skip: set[int] = set(letterhead_block(texts))
    title: int | None = None
    seen = 0
    for i, text in enumerate(texts):
        t = text.strip()
        if i in skip or not t:
            continue
        seen += 1
        if seen > _FRONT_LINES:
            break
        if is_field_line(t):
            skip.add(i)
        elif _NUMBERED_START.match(t):
            break  # the body's first numbered heading
        elif title is None and len(t) <= 200 and not _TERMINAL.search(t):
            title = i
            skip.add(i)
        else:
            block = letterhead_block(texts, i)
            if not block:
                break
            skip.update(block)
    return skip, title


def _title(raw: RawDocument, texts: Sequence[str]) -> str | None:
    _, idx = front_matter(texts)
    if idx is not None:
        return " ".join(texts[idx].split())
    return raw.title.strip() if raw.title and raw.title.strip() else None


def _doc_type(title: str | None, texts: Sequence[str]) -> str | None:
    if title:
        for word in re.findall(r"\w+", title.casefold()):
            if word in DOC_TYPES:
                return DOC_TYPES[word]
    # A standalone type line in the front matter ("Projektbeskrivning" in a letterhead).
    for text in [t for t in texts if t.strip()][:_FRONT_LINES]:
        if is_doc_type_line(text):
            return DOC_TYPES[text.strip().casefold()]
    return None


def _years(title: str | None) -> list[int]:
    if not title:
        return []
    years: set[int] = set()
    for a, b in _YEAR_RANGE.findall(title):
        lo, hi = sorted((int(a), int(b)))
        if hi - lo <= 10:
            years.update(range(lo, hi + 1))
    years.update(int(y) for y in _YEAR.findall(_YEAR_RANGE.sub(" ", title)))
    return sorted(years)


def _date(raw: RawDocument, texts: Sequence[str]) -> str | None:
    skip, _ = front_matter(texts)
    for i in sorted(skip):
        if m := _ISO_DATE.match(texts[i]):
            return "-".join(m.groups())
        if m := _VERSION.match(texts[i]):
            yy, mm, dd = m.groups()
            if 1 <= int(mm) <= 12 and 1 <= int(dd) <= 31:
                return f"20{yy}-{mm}-{dd}"
    if raw.created and re.match(r"\d{4}-\d{2}-\d{2}", raw.created):
        return raw.created[:10]
    return None


def _diarienummer(texts: Sequence[str]) -> list[str]:
    found: list[str] = []
    for text in texts:
        for m in _DNR.finditer(text):
            dnr = " ".join(m.group(1).split())
            if any(c.isdigit() for c in dnr) and dnr not in found:
                found.append(dnr)
    return found


def _organisation(texts: Sequence[str]) -> str | None:
    counts = Counter(f"Region {m}" for t in texts for m in _ORGANISATION.findall(t))
    return counts.most_common(1)[0][0] if counts else None


def extract(raw: RawDocument, sections: Sequence[Section] = ()) -> DocumentMetadata:
    """The metadata of a document, from its cleaned raw lines and container properties.

    ``sections`` is accepted so callers can pass the structure they have; the
    title falls back to the first section's title when the text has no title line.
    """
    texts = [line.text for line in raw.lines]
    title = _title(raw, texts) or (sections[0].title if sections else None)
    return DocumentMetadata(
        title=title,
        organisation=_organisation(texts),
        doc_type=_doc_type(title, texts),
        years=_years(title),
        date=_date(raw, texts),
        diarienummer=_diarienummer(texts),
    )
