"""Generate real PDF and Word files for the reader tests.

The files are built from the sample corpus (paragraphs of the 2021
återrapportering) laid out as the region's reports are: a running header and a
"Sida N av M" footer on every page, a page number, numbered headings in a
larger bold font, hard-wrapped body text with a word hyphenated at a line end,
and a ruled table. Each generator returns what it put in, so tests compare the
reader's output with the truth instead of with hand-copied strings.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Table, TableStyle

from underlag.settings import PROJECT_ROOT

SEED = PROJECT_ROOT / "corpus" / "001_a40ca19e294990ef.txt"

HEADER = "Region Örebro län – Återrapportering 2023"
TITLE = "Återrapportering av villkorsbeslut 2023"
AUTHOR = "Region Örebro län"
HEADINGS = [
    "1.1 Beskriv hur arbetet med den regionala utvecklingsstrategin har bedrivits",
    "1.2 Kompetensförsörjning och kompetensutveckling",
    "2 Fördelning av anslag 1:1",
]
# A line that ends in a hyphenated word, and the line that finishes it.
HYPHENATED = ("Region Örebro län har under året fortsatt det regionala utveck-",
              "lingsarbetet tillsammans med kommunerna och länsstyrelsen.")
TABLE = [
    ["Insats", "Belopp (kr)", "Kommentar"],
    ["Kompetensplattform", "1 200 000", "Pågår"],
    ["Bredband på landsbygden", "850 000", "Avslutad"],
]

_FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]


def seed_paragraphs(n: int) -> list[str]:
    """The first ``n`` long prose paragraphs of the seed text."""
    paras = SEED.read_text(encoding="utf-8").split("\n\n")
    prose = [" ".join(p.split()) for p in paras
             if len(p) > 300 and not p.lstrip().startswith(("-", "|")) and not any(
                 mark in p for mark in ("\t", "*", "¹"))]
    return prose[:n]


def register_fonts() -> tuple[str, str]:
    """Register a regular and a bold TTF with Swedish letters: DejaVu Sans, else Vera."""
    if "Body" not in pdfmetrics.getRegisteredFontNames():
        dejavu = next((d for d in _FONT_DIRS if (d / "DejaVuSans-Bold.ttf").is_file()), None)
        if dejavu:
            regular, bold = dejavu / "DejaVuSans.ttf", dejavu / "DejaVuSans-Bold.ttf"
        else:  # reportlab ships Bitstream Vera, which covers å, ä, ö
            regular, bold = Path("Vera.ttf"), Path("VeraBd.ttf")
        pdfmetrics.registerFont(TTFont("Body", str(regular)))
        pdfmetrics.registerFont(TTFont("Body-Bold", str(bold)))
    return "Body", "Body-Bold"


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than ``width`` points."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


@dataclass
class PdfReport:
    """What :func:`make_report_pdf` wrote."""

    path: Path
    pages: int
    title: str = TITLE
    header: str = HEADER
    headings: list[str] = field(default_factory=lambda: list(HEADINGS))
    table: list[list[str]] = field(default_factory=lambda: [list(r) for r in TABLE])
    # Body lines as written, with the page each is on.
    body: list[tuple[int, str]] = field(default_factory=list)


BODY_SIZE, HEADING_SIZE, TITLE_SIZE = 10, 13, 18
MARGIN = 72
_TOP = A4[1] - 90  # first body baseline, below the running header
_BOTTOM = 80  # lowest body baseline, above the footer


def make_report_pdf(path: Path, *, encrypt: str | None = None) -> PdfReport:
    """A three-page report: header, footer and page number on each page, headings,
    wrapped body text with a hyphenated line end, and a ruled table on page 2."""
    regular, bold = register_fonts()
    width = A4[0] - 2 * MARGIN
    paras = seed_paragraphs(4)
    pages: list[list[tuple]] = [
        [("title", TITLE), ("heading", HEADINGS[0]), ("para", paras[0]), ("lines", HYPHENATED)],
        [("heading", HEADINGS[1]), ("para", paras[1][:400]), ("table", TABLE), ("para", paras[2][:300])],
        [("heading", HEADINGS[2]), ("para", paras[3])],
    ]
    report = PdfReport(path=path, pages=len(pages))
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    c.setTitle(TITLE)
    c.setAuthor(AUTHOR)
    for page_no, blocks in enumerate(pages, start=1):
        c.setFont(regular, 9)
        c.drawString(MARGIN, A4[1] - 50, HEADER)
        c.drawString(MARGIN, 45, f"Sida {page_no} av {len(pages)}")
        c.drawCentredString(A4[0] / 2, 28, str(page_no))
        y = _TOP
        for kind, content in blocks:
            if kind == "title":
                c.setFont(bold, TITLE_SIZE)
                c.drawString(MARGIN, y, content)
                y -= TITLE_SIZE * 2
            elif kind == "heading":
                c.setFont(bold, HEADING_SIZE)
                c.drawString(MARGIN, y, content)
                y -= HEADING_SIZE * 1.8
            elif kind in ("para", "lines"):
                lines = wrap(content, regular, BODY_SIZE, width) if kind == "para" else list(content)
                c.setFont(regular, BODY_SIZE)
                for line in lines:
                    assert y > _BOTTOM, "page overflow in the generated report"
                    c.drawString(MARGIN, y, line)
                    report.body.append((page_no, line))
                    y -= BODY_SIZE * 1.3
                y -= BODY_SIZE
            elif kind == "table":
                table = Table(content, colWidths=[width / 2, width / 4, width / 4])
                table.setStyle(TableStyle([
                    ("FONT", (0, 0), (-1, -1), regular, BODY_SIZE),
                    ("FONT", (0, 0), (-1, 0), bold, BODY_SIZE),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ]))
                _, h = table.wrapOn(c, width, y)
                table.drawOn(c, MARGIN, y - h + BODY_SIZE)
                y -= h + BODY_SIZE
        c.showPage()
    c.save()
    return report


def make_scanned_pdf(path: Path, pages: int = 2, text_on_first: str | None = None) -> Path:
    """A PDF whose pages hold only an image, like a scan without OCR; optionally
    with a line of real text on the first page (a partly scanned document)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (400, 300), "white")
    ImageDraw.Draw(img).rectangle((40, 40, 360, 260), outline="black", width=4)
    c = canvas.Canvas(str(path), pagesize=A4)
    for page in range(pages):
        if page == 0 and text_on_first:
            c.setFont(register_fonts()[0], BODY_SIZE)
            c.drawString(MARGIN, _TOP, text_on_first)
        c.drawImage(ImageReader(img), 72, 300, width=400, height=300)
        c.showPage()
    c.save()
    return path


def make_encrypted_docx(source: Path, path: Path, password: str = "hemligt") -> Path:
    """An Office-encrypted copy of a .docx (an OLE compound file, as Word writes it)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(source, "rb") as src, open(path, "wb") as out:
        OOXMLFile(src).encrypt(password, out)
    return path


@dataclass
class DocxReport:
    """What :func:`make_report_docx` wrote."""

    path: Path
    title: str = TITLE
    author: str = AUTHOR
    # (text, heading level) in document order.
    headings: list[tuple[str, int]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)


def make_report_docx(path: Path) -> DocxReport:
    """A Word report: title, Heading 1/2, Swedish "Rubrik 2" and outline-level headings,
    body paragraphs, a bulleted list, a "Liststycke" item and a table with merged cells."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paras = seed_paragraphs(4)
    d = docx.Document()
    d.core_properties.title = TITLE
    d.core_properties.author = AUTHOR
    report = DocxReport(path=path)

    def heading(text: str, level: int) -> None:
        d.add_heading(text, level)
        report.headings.append((text, max(level, 1)))

    heading(TITLE, 0)  # the Title style
    heading("Återrapportering 1 – Regionalt utvecklingsarbete", 1)
    heading(HEADINGS[0], 2)
    for text in paras[:2]:
        d.add_paragraph(text)
        report.paragraphs.append(text)
    bullets = ["Digitaliseringsstrategi 2021–2026", "Kulturplan 2020–2023 – reviderad 2021",
               "Örebro läns energi- och klimatprogram 2021–2025"]
    for text in bullets:
        d.add_paragraph(text, style="List Bullet")
    liststycke = d.styles.add_style("Liststycke", WD_STYLE_TYPE.PARAGRAPH)
    d.add_paragraph("Handlingsplan för civilsamhälle och social ekonomi 2022–2025", style=liststycke)
    report.bullets = [*bullets, "Handlingsplan för civilsamhälle och social ekonomi 2022–2025"]

    # A Swedish-named heading style, as a Swedish Word template has.
    rubrik = d.styles.add_style("Rubrik 2", WD_STYLE_TYPE.PARAGRAPH)
    d.add_paragraph(HEADINGS[1], style=rubrik)
    report.headings.append((HEADINGS[1], 2))

    d.add_paragraph(paras[2])
    report.paragraphs.append(paras[2])
    table = d.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    for r, row in enumerate(TABLE):
        for col, text in enumerate(row):
            table.cell(r, col).text = text
    # "Kommentar" spans the last two rows: its text must come once.
    merged = table.cell(1, 2).merge(table.cell(2, 2))
    merged.text = "Pågår"
    report.table = [TABLE[0], TABLE[1], [TABLE[2][0], TABLE[2][1], ""]]

    # A plain paragraph promoted to a heading by its outline level (level 3).
    p = d.add_paragraph("2.1 Insatser finansierade med anslaget")
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "2")
    p._p.get_or_add_pPr().append(outline)
    report.headings.append(("2.1 Insatser finansierade med anslaget", 3))
    d.add_paragraph(paras[3])
    report.paragraphs.append(paras[3])
    d.save(str(path))
    return report


def zip_without_document(path: Path) -> Path:
    """A valid zip file that is not a Word package."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/styles.xml", "<styles/>")
    path.write_bytes(buf.getvalue())
    return path
