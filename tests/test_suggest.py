"""Draft suggestions: within the budget, cited, non-repeating, with the uncovered elements named."""

from __future__ import annotations

from pathlib import Path

import pytest

from underlag.errors import UnknownDocumentError
from nlp.embed import HashingEmbedder
from review.report import render_suggestion_docx
from review.suggest import suggest, suggestion_json, trim_to
from review.templates import Template, load_template
from underlag.settings import Settings
from underlag.settings import get_settings

SEED_2023 = "002_aee3b258286ac5e7.txt"


@pytest.fixture(scope="module")
def index(tmp_path_factory, corpus_dir: Path):
    """Three seeds (2023 report, follow-up, project) in an index with the hashing embedder:
    the selection logic is under test here; evaluations/suggest.py measures it with the real model."""
    from ingest.pipeline import parse_many
    from api.components import open_index

    ix = open_index(Settings(data_dir=tmp_path_factory.mktemp("suggest")), embedder=HashingEmbedder())
    for r in parse_many([corpus_dir / n for n in (SEED_2023, "000_7fb02ce29b4be31a.txt",
                                                  "003_b61ed9f9079cac58.txt")]):
        ix.add(r.document)
    yield ix
    ix.close()


@pytest.fixture(scope="module")
def t2023() -> Template:
    return load_template("aterrapportering-2023", get_settings().templates_dir)


@pytest.fixture(scope="module")
def territorial(index, t2023):
    return suggest("1.3", t2023, index, exclude_document=SEED_2023)


def test_suggestion_respects_the_questions_share_of_the_shared_limit(territorial, t2023):
    assert territorial.budget == t2023.budget("1.3") == 1500
    assert 0 < territorial.chars == len(territorial.draft) <= territorial.budget


def test_every_citation_points_to_a_real_passage(territorial, index):
    passages = {p.id: p for _, p in index.store.all_passages()}
    assert territorial.citations
    for c in territorial.citations:
        p = passages[c.passage_id]
        assert (c.document_id, c.section, c.year) == (p.document_id, p.section, p.year)
    for part in territorial.parts:
        cited = passages[territorial.citations[part.citation - 1].passage_id]
        # the part is the passage, or its first sentences when the budget ran out
        assert cited.text.strip().startswith(part.text)


def test_an_excluded_document_is_never_cited(territorial, index):
    excluded = index.store.resolve(SEED_2023)
    assert territorial.excluded_document == excluded
    assert all(c.document_id != excluded for c in territorial.citations)


def test_no_passage_is_used_twice(territorial):
    ids = [territorial.citations[p.citation - 1].passage_id for p in territorial.parts]
    assert len(ids) == len(set(ids))


def test_elements_no_earlier_text_covers_are_named(territorial):
    ids = {e.id for e in territorial.elements}
    assert {"territoriellt", "aktorer", "utmaningar", "framgangsfaktorer"} <= ids
    assert set(territorial.uncovered) == {e.id for e in territorial.elements if e.status != "covered"}


def test_prefer_recent_favours_later_years(index, t2023):
    old = suggest("4.1", t2023, index, max_chars=3000)
    new = suggest("4.1", t2023, index, max_chars=3000, prefer_recent=True)
    mean = lambda s: sum(c.year or 0 for c in s.citations) / len(s.citations)  # noqa: E731
    assert mean(new) >= mean(old)


def test_an_explicit_budget_overrides_the_limit(index, t2023):
    s = suggest("3.4", t2023, index, max_chars=600)
    assert s.budget == 600 and s.chars <= 600


def test_unknown_excluded_document_is_an_error(index, t2023):
    with pytest.raises(UnknownDocumentError):
        suggest("1.1", t2023, index, exclude_document="no-such-report.pdf")


def test_trimming_stops_at_a_sentence_boundary():
    from nlp.analyzer import default_analyzer

    sentences = default_analyzer().sentences
    text = "Första meningen är ganska lång och handlar om samverkan. " * 3 + "Sista."
    cut, trimmed = trim_to(text, 120, sentences)
    assert trimmed and len(cut) <= 120 and cut.endswith(".")
    # no half sentences: a passage whose first sentence does not fit is left out
    assert trim_to("En mycket lång mening " * 20 + ".", 120, sentences) == ("", True)


def test_docx_has_the_question_the_draft_and_the_sources(territorial, tmp_path: Path):
    from docx import Document as Docx

    path = render_suggestion_docx(territorial, tmp_path / "forslag.docx")
    text = "\n".join(p.text for p in Docx(str(path)).paragraphs)
    assert territorial.question_text in text
    assert territorial.parts[0].text[:40] in text
    assert "Källor" in text and territorial.citations[0].passage_id in text


def test_json_has_the_documented_fields(territorial):
    data = suggestion_json(territorial)
    assert {"question", "budget", "chars", "draft", "parts", "citations", "uncovered", "elements"} <= set(data)
    assert {"n", "passage_id", "document", "section", "year"} <= set(data["citations"][0])


def test_excluded_passages_are_never_chosen(territorial, index, t2023):
    used = {c.passage_id for c in territorial.citations}
    again = suggest("1.3", t2023, index, exclude_document=SEED_2023, exclude_passages=used)
    assert again.parts and not used & {c.passage_id for c in again.citations}


def test_each_part_carries_its_relevance(territorial):
    assert all(p.relevance is not None and -1.0 <= p.relevance <= 1.0 for p in territorial.parts)


def test_the_check_of_a_suggestion_reads_stored_sentence_vectors_instead_of_embedding_them(index, t2023):
    embedded: list[str] = []
    real = index.embedder.encode_passages
    index.embedder.encode_passages = lambda texts: embedded.extend(texts) or real(texts)
    try:
        s = suggest("3.2", t2023, index, exclude_document=SEED_2023)
    finally:
        del index.embedder.encode_passages
    stored = index.sentence_vectors_by_text([c.passage_id for c in s.citations])
    from review.coverage import split_sentences

    sents = split_sentences(s.draft, index.analyzer)
    assert stored and any(t in stored for t in sents)
    assert not any(t in stored for t in embedded)  # what was stored is not embedded again
    assert set(embedded) <= set(sents)
    # and the stored vectors are the ones embedding would give
    some = [t for t in sents if t in stored][:3]
    for t, v in zip(some, real(some)):
        assert float(v @ stored[t]) > 0.999
