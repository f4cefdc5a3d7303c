"""A whole first draft of the 2023 template from the other sample documents (2023 report excluded)."""

from __future__ import annotations

import json
import random
import re

import pytest

from review.draft import MIN_SHARE, allocate, draft_json, draft_report
from review.templates import load_template
from review.whole_reports import render_draft_docx
from underlag.settings import get_settings

from conftest import SEEDS

TEMPLATE = "aterrapportering-2023"


@pytest.mark.parametrize("seed", range(20))
def test_allocate_never_gives_more_than_the_limit(seed):
    rng = random.Random(seed)
    limit = rng.choice([1500, 4500, 8000, 12500])
    evidence = {str(i): rng.randint(0, 9000) for i in range(rng.randint(1, 5))}
    shares = allocate(limit, evidence)
    assert sum(shares.values()) <= limit
    assert all(shares[q] <= evidence[q] for q in evidence)


def test_allocate_follows_the_evidence_rather_than_splitting_evenly():
    shares = allocate(4500, {"1.1": 6000, "1.2": 1500, "1.3": 700})
    assert shares["1.1"] > shares["1.2"] > shares["1.3"] >= min(700, MIN_SHARE)
    assert sum(shares.values()) <= 4500
    # When everything fits, every question gets all its evidence and no padding.
    assert allocate(4500, {"1.1": 2000, "1.2": 1000}) == {"1.1": 2000, "1.2": 1000}


@pytest.fixture(scope="module")
def template():
    return load_template(TEMPLATE, get_settings().templates_dir)


@pytest.fixture(scope="module")
def draft(corpus_index, template):
    return draft_report(template, corpus_index, exclude_document=SEEDS["aterrapportering_2023"])


def test_every_question_and_group_limit_is_kept(draft, template):
    chars = {q.id: q.chars for q in draft.questions}
    for lim in template.limits:
        assert sum(chars[qid] for qid in lim.questions) <= lim.max_chars, lim.questions
    for q in draft.questions:
        assert q.chars == len(q.text) or q.answer_type == "table"
    assert draft.coverage.summary.limits_exceeded == 0


def test_a_shared_limit_is_divided_by_evidence(draft):
    uneven = [lim for lim in draft.limits if len(lim.questions) > 1 and len(set(lim.shares.values())) > 1]
    assert uneven
    for lim in uneven:
        by_evidence = sorted(lim.shares, key=lambda q: lim.evidence[q])
        assert [lim.shares[q] for q in by_evidence] == sorted(lim.shares[q] for q in by_evidence)


def test_at_least_30_of_35_questions_are_drafted(draft, template):
    assert len(draft.questions) == len(template.questions) == 35
    assert draft.summary.drafted >= 30
    assert [q.id for q in draft.questions] == [q.id for q in template.questions]


def test_every_part_cites_a_stored_passage_of_another_document(draft, corpus_index):
    excluded = corpus_index.resolve(SEEDS["aterrapportering_2023"])
    stored = corpus_index.passages_by_id([c.passage_id for c in draft.citations])
    assert all(c.passage_id in stored and c.document_id != excluded for c in draft.citations)
    for q in draft.questions:
        for n in [p.citation for p in q.parts] + [r.citation for r in q.rows]:
            assert draft.citations[n - 1].n == n
        for p in q.parts:  # the text of each part is the cited passage's (or its first sentences)
            assert stored[draft.citations[p.citation - 1].passage_id][1].text.strip().startswith(p.text[:60])


def test_no_passage_is_used_for_two_questions(draft):
    owners: dict[int, set[str]] = {}
    for q in draft.questions:
        for n in {p.citation for p in q.parts} | {r.citation for r in q.rows}:
            owners.setdefault(n, set()).add(q.id)
    assert all(len(qs) == 1 for qs in owners.values())


def test_tables_have_at_most_the_allowed_rows(draft):
    tables = [q for q in draft.questions if q.answer_type == "table"]
    assert tables and any(q.rows for q in tables)
    for q in tables:
        assert len(q.rows) <= (q.max_items or 5)
        assert all(len(r.cells) == len(q.columns) for r in q.rows)


def test_yes_no_questions_are_left_for_the_writer_with_the_earlier_answer(draft):
    q = next(q for q in draft.questions if q.id == "10.3")
    assert q.status == "writer" and not q.text
    assert q.earlier_choices and q.earlier_choices[0].year == 2021
    assert "anslaget bidragit" in q.earlier_choices[0].text and q.earlier_choices[0].choice == "Ja"


def test_gaps_are_the_required_elements_the_draft_does_not_cover(draft):
    statuses = {(q.id, e.id): e.status for q in draft.coverage.questions for e in q.elements if e.required}
    for g in draft.gaps:
        if "–" not in g.question:
            assert statuses[(g.question, g.element)] != "covered"
    assert len([g for g in draft.gaps if "–" not in g.question]) == sum(s != "covered" for s in statuses.values())


def test_the_json_has_its_fields(draft):
    data = json.loads(json.dumps(draft_json(draft)))
    assert set(data) >= {"template", "title", "questions", "limits", "citations", "coverage", "gaps", "summary"}
    q = next(q for q in data["questions"] if q["status"] == "drafted" and q["answer_type"] == "prose")
    assert set(q) >= {"id", "title", "question_text", "group", "answer_type", "status", "budget", "evidence",
                      "chars", "text", "parts", "uncovered"}
    assert set(q["parts"][0]) >= {"text", "citation", "elements", "trimmed", "relevance"}
    assert set(data["limits"][0]) == {"questions", "max_chars", "used", "shares", "evidence"}
    assert set(data["citations"][0]) >= {"n", "passage_id", "document", "section", "year"}


def test_the_word_file_has_the_template_headings_in_order_and_the_sources(draft, template, tmp_path):
    from docx import Document as Docx

    d = Docx(render_draft_docx(draft, tmp_path / "utkast.docx"))
    h2 = [p.text for p in d.paragraphs if p.style.name == "Heading 2"]
    assert h2 == [f"{q.id} {q.title}" if q.group else q.title for q in template.questions]
    h1 = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert h1[-1] == "Källor" and "Utkastets täckning" in h1
    texts = [p.text for p in d.paragraphs]
    body = "\n".join(texts[:texts.index("Utkastets täckning")])  # the draft itself, before the lists
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    cited |= {int(c.text.strip("[]")) for t in d.tables for row in t.rows[1:] for c in row.cells[-1:]}
    assert cited == set(range(1, len(draft.citations) + 1))
    sources = texts[texts.index("Källor") + 1:]
    assert len(sources) == len(draft.citations) and sources[0].startswith("[1] ")
    highlighted = [r.text for p in d.paragraphs for r in p.runs if r.font.highlight_color]
    assert any(t.startswith("Saknas i") for t in highlighted) and any("Ja ☐" in t for t in highlighted)
