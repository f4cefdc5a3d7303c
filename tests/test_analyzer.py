"""Swedish analysis for lexical search: lemmas, stop words, compounds, sentences."""

from __future__ import annotations

import pytest

import nlp.analyzer as analyzer_module
from nlp.analyzer import Analyzer, CompoundSplitter, LexiconLookups, SwedishLexicon, write_lexicon_db

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


# The lexicon read from its SQLite copy (a search from the terminal) answers as the whole
# lexicon in memory does, and a process that asks many questions moves to memory.
SMALL = SwedishLexicon(
    lemmas={"bygger": "bygga", "regionens": "region", "arbetet": "arbete", "näten": "nät"},
    words=frozenset({"bygga", "region", "arbete", "nät", "fiber", "glesbygd", "kompetens"}),
    stop_words=frozenset({"och", "på", "i"}),
)
TEXT = "Regionens fibernäten byggs och bygger på glesbygden; kompetensarbetet i regionen."


def _analyzer_over(lexicon) -> Analyzer:
    an = Analyzer(nlp=None)
    an.__dict__["_lexicon"] = lexicon
    return an


def test_the_sqlite_copy_answers_as_the_lexicon_in_memory(tmp_path):
    path = write_lexicon_db(SMALL, "k", tmp_path / "lexicon.sqlite")
    disk, memory = _analyzer_over(LexiconLookups(path)), _analyzer_over(SMALL)
    assert disk.terms(TEXT) == memory.terms(TEXT)
    assert "fiber" in disk.terms(TEXT) and "region" in disk.terms(TEXT)
    assert disk.stop_words == SMALL.stop_words
    for word in ["bygger", "arbetet", "glesbygd", "fibernäten", "okänt", "och"]:
        assert disk.is_swedish(word) == memory.is_swedish(word), word
        assert disk.lemma(word) == memory.lemma(word), word


def test_many_questions_move_the_lookups_to_memory(tmp_path, monkeypatch):
    path = write_lexicon_db(SMALL, "k", tmp_path / "lexicon.sqlite")
    monkeypatch.setattr(analyzer_module, "DISK_LOOKUPS", 3)
    monkeypatch.setattr(analyzer_module, "swedish_lexicon", lambda: SMALL)
    lookups = LexiconLookups(path)
    answers = [lookups.lemma(w) for w in ["bygger", "regionens", "arbetet", "näten", "bygger"]]
    assert answers == ["bygga", "region", "arbete", "nät", "bygga"]
    assert lookups.disk_lookups == 4  # three from disk, the fourth loaded the lexicon
    assert lookups.known("glesbygd") and not lookups.known("okänt")
    assert lookups.disk_lookups == 4
