"""Swedish analysis for lexical search: lemmas, stop words, compounds, sentences."""

from __future__ import annotations

import pytest

from nlp.analyzer import Analyzer, CompoundSplitter

WORDS = {"kompetens", "försörjning", "arbete", "bredband", "utbyggnad", "utbyggnaden",
         "region", "regional", "utveckling", "strategi", "landsbygd", "kom", "pet", "ens"}


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(is_word=WORDS.__contains__)


@pytest.mark.parametrize("word, parts", [
    ("kompetensförsörjningsarbete", ("kompetens", "försörjning", "arbete")),
    ("bredbandsutbyggnaden", ("bredband", "utbyggnaden")),
    ("regionalutvecklingsstrategi", ("regional", "utveckling", "strategi")),
    ("kompetens", ("kompetens",)),  # a known word is not cut into "kom" + "pet" + "ens"
    ("samverkansråd", ("samverkansråd",)),  # unknown parts: left whole
])
def test_splits_compounds_into_known_parts(word, parts):
    assert CompoundSplitter(WORDS.__contains__).split(word) == parts


def test_inflected_head_of_a_compound_is_recognised_through_its_lemma(analyzer):
    assert analyzer.splitter.split("kompetensförsörjningsarbetet") == ("kompetens", "försörjning", "arbetet")


def test_compound_is_found_by_its_first_parts(analyzer):
    doc_terms = set(analyzer.terms("Kompetensförsörjningsarbetet har förstärkts."))
    query_terms = set(analyzer.query_terms("kompetensförsörjning"))
    assert "kompetensförsörjning" in doc_terms
    assert query_terms <= doc_terms


def test_inflected_forms_share_a_lemma(analyzer):
    assert analyzer.query_terms("länet") == analyzer.query_terms("län")
    assert analyzer.query_terms("insatser") == analyzer.query_terms("insats")


def test_stop_words_are_not_terms(analyzer):
    assert analyzer.terms("och i på för att det som") == []


def test_sentences_do_not_break_at_swedish_abbreviations(analyzer):
    text = "Vi har t.ex. arbetat med RUS, bl.a. i partnerskapet. Det gick bra! Nästa steg?"
    sentences = [text[s:e] for s, e in analyzer.sentences(text)]
    assert sentences == ["Vi har t.ex. arbetat med RUS, bl.a. i partnerskapet.", "Det gick bra!", "Nästa steg?"]
