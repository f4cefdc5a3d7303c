"""Year-over-year reuse: a 2023 report with 2021 answers copied into it must show them, and only them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from api.cli import app
from ingest.pipeline import parse_file
from review.reuse import answer_units, reuse_json, reuse_report
from review.whole_reports import render_reuse_docx, render_reuse_html
from underlag.model import Block, BlockKind, Document

from conftest import SEEDS


@pytest.fixture(scope="module")
def reports(corpus_dir):
    return {k: parse_file(corpus_dir / SEEDS[k]) for k in ("aterrapportering_2021", "aterrapportering_2023")}


def _paragraphs(doc: Document, number: str, min_words: int = 30) -> list[str]:
    sec = next(s for s in doc.sections if s.number == number)
    return [b.text for b in sec.blocks if b.kind is BlockKind.PARAGRAPH and len(b.text.split()) >= min_words]


def _edited(text: str) -> str:
    """Every 30th word changed: a near-identical copy, as when a writer updates last year's text."""
    words = text.split(" ")
    return " ".join("förändrat" if i % 30 == 29 else w for i, w in enumerate(words))


def _with_answers(doc: Document, answers: dict[str, tuple[list[str], bool]]) -> Document:
    """``doc`` with some answers replaced (or, with True, extended) by the given paragraphs."""
    sections = []
    for s in doc.sections:
        if s.number in answers:
            paras, keep = answers[s.number]
            kept = [b for b in s.blocks if keep or b.kind is BlockKind.INSTRUCTION]
            s = s.model_copy(update={"blocks": kept + [Block(kind=BlockKind.PARAGRAPH, text=p) for p in paras]})
        sections.append(s)
    return doc.model_copy(update={"sections": sections, "id": doc.id + "-copied"})


@pytest.fixture(scope="module")
def copied(reports):
    """The 2023 report with 2021 answers copied in, and the true share of copied text per question."""
    old, new = reports["aterrapportering_2021"], reports["aterrapportering_2023"]
    answers = {
        "7.1": (_paragraphs(old, "3.1")[:4], False),          # replaced by last year's answer
        "3.2": (_paragraphs(old, "4.1")[:2], True),           # own text, then two old paragraphs
        "9.1": ([_edited(p) for p in _paragraphs(old, "4.3")[:3]], True),  # edited copies appended
    }
    doc = _with_answers(new, answers)
    units = {u.id: u.text for u in answer_units(doc)}
    truth = {qid: sum(len(p) for p in paras) / len(units[qid].strip()) for qid, (paras, _) in answers.items()}
    return doc, truth


@pytest.fixture(scope="module")
def result(copied, reports):
    return reuse_report(copied[0], [reports["aterrapportering_2021"]])


def test_every_copied_answer_is_found_with_its_share_within_five_points(result, copied):
    _, truth = copied
    got = {q.id: q for q in result.questions}
    for qid, share in truth.items():
        assert abs(got[qid].share - share) <= 0.05, (qid, got[qid].share, share)
        assert got[qid].spans and got[qid].spans[0].filename == SEEDS["aterrapportering_2021"]


def test_a_copied_answer_is_attributed_to_the_section_it_came_from(result):
    got = {q.id: q for q in result.questions}
    assert {s.section for s in got["7.1"].spans} == {"3.1"}
    assert got["7.1"].status == "repeated" and got["7.1"].spans[0].year == 2021


def test_unchanged_answers_keep_their_share_and_most_are_near_zero(result, reports, copied):
    original = reuse_report(reports["aterrapportering_2023"], [reports["aterrapportering_2021"]])
    before = {q.id: q.share for q in original.questions}
    unchanged = [q for q in result.questions if q.id not in copied[1]]
    assert all(q.share == before[q.id] for q in unchanged)
    numbered = sorted(q.share for q in unchanged if q.id[0].isdigit())
    assert numbered[len(numbered) // 2] < 0.05  # the median unchanged answer repeats (almost) nothing


def test_a_report_compared_with_itself_is_all_repeated(reports):
    new = reports["aterrapportering_2023"]
    r = reuse_report(new.model_copy(update={"id": "other"}), [new])
    assert r.summary.share > 0.9


def test_the_json_names_shares_spans_and_sources(result):
    data = json.loads(json.dumps(reuse_json(result)))
    assert set(data) >= {"report", "document_id", "against", "ngram", "questions", "summary"}
    q = next(q for q in data["questions"] if q["id"] == "7.1")
    assert set(q) >= {"id", "title", "chars", "repeated_chars", "share", "status", "spans", "sources"}
    assert set(q["spans"][0]) >= {"text", "start", "end", "chars", "document", "filename", "section", "year",
                                  "similarity"}
    assert set(data["summary"]) == {"questions", "repeated", "partly", "new", "chars", "repeated_chars", "share"}


def test_word_and_html_reports_list_every_answer(result, tmp_path):
    from docx import Document as Docx

    d = Docx(render_reuse_docx(result, tmp_path / "reuse.docx"))
    first_cells = [row.cells[0].text for row in d.tables[0].rows[1:]]
    assert len(first_cells) == len(result.questions) and any(c.startswith("7.1") for c in first_cells)
    assert "7.1" in render_reuse_html(result)


def test_cli_reuse_against_a_file_prints_json(corpus_dir):
    res = CliRunner().invoke(app, ["reuse", str(corpus_dir / SEEDS["aterrapportering_2023"]), "--against",
                                   str(corpus_dir / SEEDS["aterrapportering_2021"]), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["against"][0]["year"] == 2021 and data["summary"]["questions"] > 30


def test_cli_reuse_needs_something_to_compare_with(corpus_dir):
    res = CliRunner().invoke(app, ["reuse", str(corpus_dir / SEEDS["aterrapportering_2023"])])
    assert res.exit_code != 0
