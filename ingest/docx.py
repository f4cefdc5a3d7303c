"""Reader for Word (.docx) reports, with python-docx.

The body is read in document order, paragraphs and tables interleaved as they
are in the XML. Each paragraph is one :class:`~ingest.raw.RawLine`; headings
come from the paragraph's style (English or Swedish names, and styles based on
them) or its outline level, list items from list styles or numbering. Tables
become one line carrying the rows, a merged cell's text appearing once. Word has
no fixed pages, so ``page`` is None. Page headers and footers live in their own
parts and are not read.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from ingest.raw import RawDocument, RawLine
from underlag.errors import (
    CorruptDocumentError,
    EncryptedDocumentError,
    FileTooLargeError,
    UnsupportedFormatError,
)
from underlag.settings import Settings

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.styles.style import BaseStyle

# Compound File Binary (OLE2): the container of .doc files and of encrypted .docx.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# "Heading 1", "heading 1" (how Word stores built-in names), "Rubrik 1" (Swedish),
# and the style ids "Heading1" / "Rubrik1".
_HEADING_STYLE = re.compile(r"^(?:heading|rubrik)\s*([1-9])$", re.IGNORECASE)
_TITLE_STYLE = re.compile(r"^(?:title|rubrik)$", re.IGNORECASE)
# "List Bullet", "List Number 2", "List Paragraph", Swedish "Liststycke", "Punktlista".
_LIST_STYLE = re.compile(r"^(?:list\b|liststycke|punktlista|numrerad lista)", re.IGNORECASE)
_BODY_OUTLINE_LEVEL = 9  # w:outlineLvl 9 means "body text"
_CHUNK = 64 * 1024  # inflated at a time while the package's sizes are checked
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PARAGRAPH_STYLE = 1  # docx.enum.style.WD_STYLE_TYPE.PARAGRAPH


def qn(tag: str) -> str:
    """A ``w:``-prefixed tag in Clark notation, as python-docx's ``qn`` (python-docx itself
    is imported only when a .docx is read: it costs a tenth of a second at start-up)."""
    prefix, local = tag.split(":")
    assert prefix == "w", tag
    return f"{{{_W_NS}}}{local}"


_W_P, _W_TBL, _W_SDT = qn("w:p"), qn("w:tbl"), qn("w:sdt")
_W_T, _W_TAB, _W_BR, _W_CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_W_NOBREAKHYPHEN = qn("w:noBreakHyphen")
# Deleted text (tracked changes) is not the document's text, and mc:Fallback
# repeats the content of mc:Choice (text boxes are stored twice).
_SKIP = {qn("w:del"), qn("w:delText"), qn("w:pPr"), qn("w:rPr"), qn("w:instrText"),
         "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}


def read(path: Path, settings: Settings) -> RawDocument:
    """Read a .docx file into raw lines: paragraphs with heading/list hints, and tables."""
    _check_container(path, settings)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError,
            etree.XMLSyntaxError) as e:
        raise CorruptDocumentError(path, f"not a readable Word document ({type(e).__name__}: {e})",
                                   "open it in Word or LibreOffice and save it again as .docx") from e
    lines = list(_body_lines(document))
    props = document.core_properties
    created = props.created.date().isoformat() if props.created else None
    return RawDocument(path=str(path), format="docx", lines=lines, page_count=None,
                       title=(props.title or "").strip() or None,
                       author=(props.author or "").strip() or None, created=created)


def _check_container(path: Path, settings: Settings) -> None:
    """Refuse files that are not a .docx package, saying what they are instead."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head == OLE_SIGNATURE:
        data = path.read_bytes()
        # Stream names in the compound file's directory are UTF-16LE.
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise EncryptedDocumentError(path, "Word document is password-protected",
                                         "remove the password (File > Info > Protect Document) "
                                         "and try again")
        if "WordDocument".encode("utf-16-le") in data:
            raise UnsupportedFormatError(path, "this is an old binary Word file (.doc) named .docx",
                                         "save it as .docx in Word or LibreOffice")
        raise CorruptDocumentError(path, "not a .docx file (an OLE compound file)",
                                   "save it as .docx in Word or LibreOffice")
    if not zipfile.is_zipfile(path):
        raise CorruptDocumentError(path, "not a .docx file (not a zip package)",
                                   "is the file complete? open it in Word and save it again")
    try:
        with zipfile.ZipFile(path) as z:
            if "word/document.xml" not in z.namelist():
                raise CorruptDocumentError(path, "zip file without word/document.xml, not a Word document",
                                           "open it in Word and save it again as .docx")
            _check_inflated_sizes(path, z, settings)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as e:
        # a CRC or length that does not match (a member inflating beyond its declared size
        # stops at that size and fails its CRC), or a compression method zipfile lacks
        raise CorruptDocumentError(path, f"not a readable Word document ({type(e).__name__}: {e})",
                                   "open it in Word or LibreOffice and save it again as .docx") from e


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels"))


def _check_inflated_sizes(path: Path, z: zipfile.ZipFile, settings: Settings) -> None:
    """Refuse a package whose members inflate beyond the limits, before python-docx reads it.

    python-docx reads every part it is linked to into memory and lxml builds a tree
    of each XML part several times its size, so one 1 MB .docx of a 1 GiB
    ``document.xml`` (a zip bomb) grew the server from 1.9 to 4.0 GB. First the sizes
    the archive declares are checked, then every member is inflated through a
    counting reader in 64 KiB chunks and discarded, so a member whose header lies
    is caught after at most the limit's worth of inflating and nothing is kept.
    """
    total_limit = int(settings.docx_max_inflated_mb * 1024 * 1024)
    xml_limit = int(settings.docx_max_xml_mb * 1024 * 1024)

    def refuse(member: str, size: str) -> None:
        raise FileTooLargeError(path, f"the Word package inflates {size} in '{member[:100]}', over the limit of "
                                      f"{settings.docx_max_xml_mb:g} MB per XML part and "
                                      f"{settings.docx_max_inflated_mb:g} MB in all",
                                "is it a real report? (UNDERLAG_DOCX_MAX_XML_MB, UNDERLAG_DOCX_MAX_INFLATED_MB)")

    members = z.infolist()
    declared = 0
    for info in members:
        declared += info.file_size
        if (_is_xml(info.filename) and info.file_size > xml_limit) or declared > total_limit:
            refuse(info.filename, f"to {info.file_size / 1024 / 1024:.0f} MB (declared)")
    inflated = 0
    for info in members:
        limit = xml_limit if _is_xml(info.filename) else total_limit
        seen = 0
        with z.open(info) as member:
            while chunk := member.read(_CHUNK):
                seen += len(chunk)
                inflated += len(chunk)
                if seen > limit or inflated > total_limit:
                    refuse(info.filename, f"beyond {seen / 1024 / 1024:.0f} MB")


def _body_lines(document: DocxDocument):
    styles = {s.style_id: s for s in document.styles}
    yield from _block_lines(document.element.body, styles)


def _block_lines(container: etree._Element, styles: dict[str, BaseStyle]):
    """Lines for the paragraphs and tables directly inside ``container``, in order."""
    for child in container.iterchildren():
        if child.tag == _W_P:
            text = _text(child).strip()
            if text:
                level = _heading_level(child, styles)
                yield RawLine(text, heading_level=level,
                              list_item=level is None and _is_list_item(child, styles))
        elif child.tag == _W_TBL:
            rows = _table_rows(child)
            if rows:
                yield RawLine("", table=rows)
        elif child.tag == _W_SDT:  # content control (cover page, table of contents)
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _block_lines(content, styles)


def _text(element: etree._Element) -> str:
    """The visible text under an element: runs, hyperlinks, insertions, text boxes."""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        for child in el.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == _W_T:
                parts.append(child.text or "")
            elif tag == _W_TAB:
                parts.append("\t")
            elif tag in (_W_BR, _W_CR):
                parts.append(" ")  # a soft line break inside one paragraph
            elif tag == _W_NOBREAKHYPHEN:
                parts.append("-")
            else:
                walk(child)

    walk(element)
    return "".join(parts)


def _style_chain(p: etree._Element, styles: dict[str, BaseStyle]) -> list[BaseStyle]:
    """The paragraph's style and the styles it is based on, nearest first."""
    style_id = p.xpath("string(./w:pPr/w:pStyle/@w:val)")
    style = styles.get(style_id) if style_id else None
    if style is None:
        style = next((s for s in styles.values()
                      if s.type == _PARAGRAPH_STYLE and s.element.get(qn("w:default")) == "1"),
                     None)
    chain: list[BaseStyle] = []
    while style is not None and style not in chain and len(chain) < 20:
        chain.append(style)
        style = getattr(style, "base_style", None)
    return chain


def _heading_level(p: etree._Element, styles: dict[str, BaseStyle]) -> int | None:
    """1-9 for a heading (Title counts as 1), None for body text."""
    own = p.xpath("string(./w:pPr/w:outlineLvl/@w:val)")
    if own.isdigit():
        return int(own) + 1 if int(own) < _BODY_OUTLINE_LEVEL else None
    for style in _style_chain(p, styles):
        for name in (style.name or "", style.style_id or ""):
            m = _HEADING_STYLE.match(name.strip())
            if m:
                return int(m.group(1))
            if _TITLE_STYLE.match(name.strip()):
                return 1
        lvl = style.element.xpath("string(./w:pPr/w:outlineLvl/@w:val)")
        if lvl.isdigit():
            return int(lvl) + 1 if int(lvl) < _BODY_OUTLINE_LEVEL else None
    return None


def _is_list_item(p: etree._Element, styles: dict[str, BaseStyle]) -> bool:
    if _has_numbering(p):
        return True
    for style in _style_chain(p, styles):
        if any(_LIST_STYLE.match((n or "").strip()) for n in (style.name, style.style_id)):
            return True
        if _has_numbering(style.element):
            return True
    return False


def _has_numbering(element: etree._Element) -> bool:
    # numId 0 switches numbering off.
    num_id = element.xpath("string(./w:pPr/w:numPr/w:numId/@w:val)")
    return bool(num_id) and num_id != "0"


def _table_rows(tbl: etree._Element) -> tuple[tuple[str, ...], ...]:
    """Rows of cell texts; a merged cell's text once, the cells it covers empty."""
    rows: list[tuple[str, ...]] = []
    for tr in tbl.iterchildren(qn("w:tr")):
        cells: list[str] = []
        for tc in tr.iterchildren(qn("w:tc")):
            span = tc.xpath("string(./w:tcPr/w:gridSpan/@w:val)")
            v_merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            continued = v_merge is not None and v_merge.get(qn("w:val"), "continue") == "continue"
            text = "" if continued else " ".join(
                t for t in (" ".join(_text(p).split()) for p in tc.iter(_W_P)) if t)
            cells.append(text)
            cells.extend([""] * (int(span) - 1 if span.isdigit() and int(span) > 1 else 0))
        if any(cells):
            rows.append(tuple(cells))
    return tuple(rows)
