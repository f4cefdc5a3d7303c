"""Reader for PDF reports, with pdfplumber.

Each physical text line becomes a :class:`~ingest.raw.RawLine` with its page,
in reading order (top to bottom). Ruled tables become one line carrying the
rows, placed where the table sits on the page; their characters are not
repeated as text lines. A line set in a clearly larger or bold font gets a
``heading_level`` hint: the body size is the most common character size in the
document, and heading levels follow the heading sizes from largest down.
Hyphenation, broken letters and running headers are left to later stages.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.raw import RawDocument, RawLine
from underlag.errors import (
    CorruptDocumentError,
    EncryptedDocumentError,
    FileTooLargeError,
    NoTextLayerError,
)
from underlag.settings import Settings

if TYPE_CHECKING:
    import pdfplumber

#: Only tables drawn with rules; whitespace-aligned text is left as lines.
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
#: A line this much larger than the body text is a heading.
HEADING_SIZE_RATIO = 1.15
#: Longer lines are body text whatever their font (a bold paragraph is not a heading).
MAX_HEADING_CHARS = 200

_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")


def read(path: Path, settings: Settings) -> RawDocument:
    """Read a PDF into raw lines with pages, heading hints and tables."""
    # Imported here: pdfplumber and pdfminer are a tenth of a second that commands
    # which never read a PDF (--help, search) should not pay.
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(path)
    except PdfminerException as e:
        raise _open_error(path, e.args[0] if e.args else e) from e
    except Exception as e:  # pdfminer raises many kinds on damaged files
        raise CorruptDocumentError(path, f"not a readable PDF ({type(e).__name__})",
                                   "is the file complete? try opening and re-saving it") from e
    with pdf:
        try:
            n_pages = len(pdf.pages)
            if n_pages == 0:
                raise CorruptDocumentError(path, "PDF has no pages")
            if n_pages > settings.max_pdf_pages:
                raise FileTooLargeError(path, f"PDF has {n_pages} pages, over the limit of "
                                        f"{settings.max_pdf_pages}",
                                        "raise UNDERLAG_MAX_PDF_PAGES if it really is one report")
            pages: list[list[_Item]] = []
            scanned: list[int] = []  # pages with images but no text
            for n, page in enumerate(pdf.pages, start=1):
                pages.append(_read_page(page))
                if not pages[-1] and page.images:
                    scanned.append(n)
                page.close()  # drop the page's parsed objects: a long report would keep them all
        except PdfminerException as e:
            raise _open_error(path, e.args[0] if e.args else e) from e
        except (CorruptDocumentError, FileTooLargeError):
            raise
        except Exception as e:
            raise CorruptDocumentError(path, f"PDF content could not be read "
                                       f"({type(e).__name__}: {e})",
                                       "is the file complete? try re-saving it as PDF") from e
        info = pdf.metadata
    if scanned and not any(pages):
        raise NoTextLayerError(path, "PDF has no text layer (scanned pages?)",
                               "run OCR on it first, e.g. `ocrmypdf in.pdf out.pdf`")
    lines = _to_lines(pages)
    warnings = [f"{path.name}: no text on page(s) {', '.join(map(str, scanned))} "
                "(scanned? run OCR to include them)"] if scanned else []
    return RawDocument(
        path=str(path), format="pdf", lines=lines, page_count=n_pages, warnings=warnings,
        title=_info(info, "Title"), author=_info(info, "Author"),
        created=_pdf_date(_info(info, "CreationDate")),
    )


def _open_error(path: Path, cause: Any) -> Exception:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
        return EncryptedDocumentError(path, "PDF is password-protected",
                                      "remove the password and try again")
    return CorruptDocumentError(path, f"not a readable PDF ({type(cause).__name__}: {cause})",
                                "is the file complete? try opening and re-saving it")


@dataclass(frozen=True)
class _Item:
    """A text line or a table on a page, with where it starts."""

    top: float
    text: str = ""
    size: float = 0.0  # the line's dominant font size
    bold: bool = False
    sizes: Counter[float] | None = None  # characters per font size, for the body size
    rows: list[list[str]] | None = None


def _has_doubled_glyphs(chars: list[dict]) -> bool:
    """Whether some glyph is printed twice at (nearly) the same place.

    pdfplumber's ``dedupe_chars`` costs as much as parsing the page, and most
    pages have nothing to dedupe; this check is a set of rounded positions.
    """
    seen: set[tuple[str, float, float]] = set()
    for c in chars:
        key = (c["text"], round(c["x0"]), round(c["top"]))
        if key in seen:
            return True
        seen.add(key)
    return False


def _read_page(page: pdfplumber.page.Page) -> list[_Item]:
    """A page's text lines and ruled tables, top to bottom."""
    if _has_doubled_glyphs(page.chars):
        page = page.dedupe_chars()  # fake bold (each glyph printed twice) would double the text
    tables = [t for t in page.find_tables(TABLE_SETTINGS) if _is_table(t)]
    items: list[_Item] = []
    for table in tables:
        rows = [[_cell(c) for c in row] for row in table.extract()]
        rows = [row for row in rows if any(row)]
        if rows:
            items.append(_Item(table.bbox[1], rows=rows))
    boxes = [t.bbox for t in tables]

    def outside_tables(obj: dict) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside_tables) if boxes else page
    for line in text_page.extract_text_lines(return_chars=True, strip=True):
        visible = [c for c in line["chars"] if c["text"].strip()]
        if not line["text"] or not visible:
            continue
        sizes = Counter(round(c["size"] * 2) / 2 for c in visible)
        bold = sum(1 for c in visible if _BOLD.search(c.get("fontname", ""))) > len(visible) / 2
        items.append(_Item(line["top"], text=line["text"], size=sizes.most_common(1)[0][0],
                           bold=bold, sizes=sizes))
    items.sort(key=lambda item: item.top)
    return items


def _is_table(table: Any) -> bool:
    """A ruled grid of at least two rows and two columns (a framed box is not a table)."""
    return len(table.rows) >= 2 and max((len(r.cells) for r in table.rows), default=0) >= 2


def _cell(value: str | None) -> str:
    # Merged cells come back as None; wrapped cell text as several lines.
    return " ".join((value or "").split())


def _to_lines(pages: list[list[_Item]]) -> list[RawLine]:
    body_sizes: Counter[float] = Counter()
    for items in pages:
        for item in items:
            body_sizes.update(item.sizes or {})
    body = body_sizes.most_common(1)[0][0] if body_sizes else 0.0

    def is_heading(item: _Item) -> bool:
        if item.rows is not None or len(item.text) > MAX_HEADING_CHARS \
                or not any(ch.isalpha() for ch in item.text):
            return False
        return item.size >= body * HEADING_SIZE_RATIO or (item.bold and item.size >= body)

    # Levels by size rank, largest first; a bold line at body size ranks last.
    heading_sizes = sorted({i.size for items in pages for i in items if is_heading(i)}, reverse=True)
    level_of = {size: rank + 1 for rank, size in enumerate(heading_sizes)}

    lines: list[RawLine] = []
    for page_no, items in enumerate(pages, start=1):
        for item in items:
            if item.rows is not None:
                lines.append(RawLine("", page=page_no, table=tuple(tuple(r) for r in item.rows)))
            else:
                level = level_of[item.size] if is_heading(item) else None
                lines.append(RawLine(item.text, page=page_no, heading_level=level))
    return lines


def _info(info: dict, key: str) -> str | None:
    value = info.get(key)
    if isinstance(value, bytes):
        value = value.decode("latin-1", errors="replace")
    value = str(value).strip() if value is not None else ""
    return value or None


def _pdf_date(value: str | None) -> str | None:
    """A PDF date ("D:20231211093000+01'00'") as an ISO date ("2023-12-11")."""
    m = _PDF_DATE.match(value or "")
    if not m:
        return None
    year, month, day = m.group(1), m.group(2) or "01", m.group(3) or "01"
    return f"{year}-{month}-{day}"
