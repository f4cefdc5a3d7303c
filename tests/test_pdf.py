"""The PDF reader, on a report generated with reportlab (see ``tests/docgen.py``)."""

from __future__ import annotations

import re

import docgen
import pytest

from ingest import pipeline
from ingest.raw import RawDocument
from underlag.settings import Settings

PAGE_NUMBER_LINE = re.compile(r"^(Sida \d+ av \d+|\d+)$")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> docgen.PdfReport:
    return docgen.make_report_pdf(tmp_path_factory.mktemp("pdf") / "aterrapportering.pdf")


@pytest.fixture(scope="module")
def raw(report) -> RawDocument:
    raw, _ = pipeline.read_raw(report.path, Settings())
    return raw


@pytest.fixture(scope="module")
def cleaned(raw) -> RawDocument:
    return pipeline.clean_raw(raw)


def _text_lines(raw: RawDocument) -> list[tuple[int | None, str]]:
    return [(line.page, line.text) for line in raw.lines if line.table is None]


def test_reads_every_body_line_in_order_with_its_page(raw, report):
    lines = _text_lines(raw)
    positions = [lines.index(item) for item in report.body]
    assert positions == sorted(positions)


def test_keeps_a_hyphenated_line_end_as_two_physical_lines(raw):
    texts = [line.text for line in raw.lines]
    first, second = docgen.HYPHENATED
    assert texts[texts.index(first) + 1] == second


def test_larger_bold_lines_get_heading_levels_by_size(raw, report):
    headings = [(line.text, line.heading_level) for line in raw.lines if line.heading_level]
    assert headings == [(report.title, 1)] + [(h, 2) for h in report.headings]


def test_body_lines_have_no_heading_hint(raw, report):
    body = set(text for _, text in report.body)
    assert all(line.heading_level is None for line in raw.lines if line.text in body)


def test_ruled_table_is_one_line_with_its_rows_where_it_stands(raw, report):
    tables = [line for line in raw.lines if line.table is not None]
    assert len(tables) == 1
    assert [list(row) for row in tables[0].table] == report.table
    assert tables[0].page == 2 and tables[0].text == ""
    page2 = [line for line in raw.lines if line.page == 2]
    i = page2.index(tables[0])
    page2_body = [t for p, t in report.body if p == 2]
    assert page2[i - 1].text in page2_body and page2[i + 1].text in page2_body


def test_table_cells_are_not_repeated_as_text_lines(raw, report):
    cells = {cell for row in report.table for cell in row}
    assert not any(line.text in cells or "Kompetensplattform" in line.text for line in raw.lines)


def test_reads_page_count_and_the_info_dictionary(raw, report):
    assert raw.format == "pdf"
    assert raw.page_count == report.pages
    assert raw.title == docgen.TITLE and raw.author == docgen.AUTHOR
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.created or "")
    assert raw.warnings == []


def test_reader_sees_running_header_and_footer_on_every_page(raw, report):
    # The reader reports what is on the page; removing it is boilerplate's job.
    for page in range(1, report.pages + 1):
        texts = [t for p, t in _text_lines(raw) if p == page]
        assert texts[0] == report.header
        assert texts[-2:] == [f"Sida {page} av {report.pages}", str(page)]


def test_cleaning_drops_footers_page_numbers_and_repeated_headers(cleaned, report):
    texts = [text for _, text in _text_lines(cleaned)]
    assert not [t for t in texts if PAGE_NUMBER_LINE.match(t)]
    # One copy of the running header stays, as the letterhead at the very top.
    assert texts.count(report.header) == 1 and texts[0] == report.header


def test_cleaning_keeps_body_headings_and_table(cleaned, report):
    texts = [text for _, text in _text_lines(cleaned)]
    for _, line in report.body:
        assert line in texts
    assert [line.text for line in cleaned.lines if line.heading_level] == [report.title, *report.headings]
    assert sum(line.table is not None for line in cleaned.lines) == 1


def test_fake_bold_printed_twice_is_read_once(tmp_path):
    """Some PDF writers fake bold by printing each glyph twice, a hair apart."""
    from reportlab.pdfgen import canvas

    regular, _ = docgen.register_fonts()
    path = tmp_path / "fetstil.pdf"
    c = canvas.Canvas(str(path))
    c.setFont(regular, 11)
    for dx in (0, 0.3):  # the same line again, 0.3 pt to the right
        c.drawString(72 + dx, 720, "Regional utveckling i hela länet")
    c.drawString(72, 700, "En vanlig rad utan dubbla tecken.")
    c.save()
    raw, _ = pipeline.read_raw(path, Settings())
    texts = [line.text.strip() for line in raw.lines]
    assert "Regional utveckling i hela länet" in texts
    assert "En vanlig rad utan dubbla tecken." in texts


def test_pages_without_doubled_glyphs_skip_deduplication():
    from ingest.pdf import _has_doubled_glyphs

    line = [{"text": ch, "x0": 72 + 6 * i, "top": 700.0} for i, ch in enumerate("bredband")]
    assert not _has_doubled_glyphs(line)
    assert _has_doubled_glyphs(line + [{"text": "b", "x0": 72.2, "top": 700.1}])
