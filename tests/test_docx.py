"""The Word reader, on a report generated with python-docx (see ``tests/docgen.py``)."""

from __future__ import annotations

import docgen
import docx as python_docx
import pytest

from ingest import pipeline
from ingest.raw import RawDocument
from underlag.settings import Settings


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> docgen.DocxReport:
    return docgen.make_report_docx(tmp_path_factory.mktemp("docx") / "aterrapportering.docx")


@pytest.fixture(scope="module")
def raw(report) -> RawDocument:
    raw, _ = pipeline.read_raw(report.path, Settings())
    return raw


def test_headings_come_from_styles_and_outline_levels(raw, report):
    # Title, Heading 1/2, a Swedish "Rubrik 2" style and a paragraph with an outline level.
    headings = [(line.text, line.heading_level) for line in raw.lines if line.heading_level]
    assert headings == report.headings


def test_body_paragraphs_are_whole_lines_without_hints(raw, report):
    by_text = {line.text: line for line in raw.lines}
    for text in report.paragraphs:
        line = by_text[text]
        assert line.heading_level is None and not line.list_item


def test_list_styles_mark_list_items(raw, report):
    assert [line.text for line in raw.lines if line.list_item] == report.bullets


def test_table_rows_keep_merged_cell_text_once(raw, report):
    tables = [line for line in raw.lines if line.table is not None]
    assert len(tables) == 1
    assert [list(row) for row in tables[0].table] == report.table


def test_paragraphs_and_tables_come_in_document_order(raw, report):
    kinds = ["table" if line.table else line.text for line in raw.lines]
    assert kinds.index(report.paragraphs[2]) + 1 == kinds.index("table")
    assert kinds.index("table") + 1 == kinds.index(report.headings[-1][0])


def test_word_has_no_pages(raw):
    assert raw.page_count is None
    assert all(line.page is None for line in raw.lines)


def test_reads_core_properties(raw, report):
    assert raw.format == "docx"
    assert (raw.title, raw.author) == (report.title, report.author)
    assert raw.created and len(raw.created) == 10


def test_numbering_without_list_style_marks_a_list_item(tmp_path):
    d = python_docx.Document()
    d.add_paragraph("Ett vanligt stycke om det regionala utvecklingsarbetet.")
    numbered = d.add_paragraph("Kompetensförsörjning")
    numbered._p.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = 1
    path = tmp_path / "numrerad.docx"
    d.save(str(path))
    raw, _ = pipeline.read_raw(path, Settings())
    assert [(line.text, line.list_item) for line in raw.lines] == [
        ("Ett vanligt stycke om det regionala utvecklingsarbetet.", False),
        ("Kompetensförsörjning", True),
    ]


def test_tracked_deletions_are_not_text_and_insertions_are(tmp_path):
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = python_docx.Document()
    p = d.add_paragraph("Budgeten är ")
    p._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="1" w:author="a">'
                          '<w:r><w:delText>två</w:delText></w:r></w:del>'))
    p._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="2" w:author="a">'
                          '<w:r><w:t>tre</w:t></w:r></w:ins>'))
    p.add_run(" miljoner kronor.")
    path = tmp_path / "spara.docx"
    d.save(str(path))
    raw, _ = pipeline.read_raw(path, Settings())
    assert [line.text for line in raw.lines] == ["Budgeten är tre miljoner kronor."]
