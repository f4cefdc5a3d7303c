"""The focus of a long question: its rarest words get their own BM25 read, added to the fusion."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from index.focus import FOCUS_WEIGHT, add_focus, focus_words
from index.query import plan_query
from index.search import SearchIndex, _lexical_words
from ingest.pipeline import parse_file
from nlp.analyzer import default_analyzer
from nlp.embed import HashingEmbedder

from conftest import SEEDS

# a template-style question (the template's wording, then what it asks about in particular)
LONG = ("Beskriv hur det regionala utvecklingsarbetet bidrar till ett lärande, så väl internt som externt, "
        "och hur plattformarna för kraftsamlingar har utvecklats under året, särskilt inom REGLAB")
SHORT = "resultaten sprids till REGLAB"


@pytest.fixture(scope="module")
def analyzer():
    return default_analyzer()


@pytest.fixture(scope="module", params=["tantivy", "fts5"])
def project_index(request, tmp_path_factory, analyzer, corpus_dir: Path):
    index = SearchIndex(tmp_path_factory.mktemp("focus"), analyzer, HashingEmbedder(),
                        lexical_engine=request.param)
    index.add(parse_file(corpus_dir / SEEDS["projektbeskrivning"]))
    yield index
    index.close()


# -- choosing the words ------------------------------------------------------------

def test_the_focus_is_the_terms_of_the_rarest_words():
    words = [["beskriva"], ["arbete"], ["kultursamverkansmodell", "kultur", "modell"], ["validering"]]
    df = {"beskriva": 40, "arbete": 300, "kultursamverkansmodell": 2, "kultur": 30, "modell": 25, "validering": 5}
    # a word is as rare as its rarest term: the compound counts by its whole, not by "kultur"
    assert focus_words(words, df, n=2) == ["kultursamverkansmodell", "kultur", "modell", "validering"]
    assert focus_words(words, df, n=1) == ["kultursamverkansmodell", "kultur", "modell"]


def test_a_word_no_passage_holds_is_never_the_focus():
    assert focus_words([["okänt"], ["arbete"], ["validering"]], {"arbete": 300, "validering": 5}, n=2) == [
        "validering", "arbete"]
    assert focus_words([["okänt"]], {}, n=2) == []


def test_of_equally_rare_words_the_later_one_is_the_focus():
    assert focus_words([["beskriva"], ["industrihubb"]], {"beskriva": 3, "industrihubb": 3}, n=1) == ["industrihubb"]


def test_the_focus_read_lifts_only_the_passages_it_holds():
    ranked = [(1, 3.0), (2, 2.5), (3, 2.0)]
    out = add_focus(ranked, [(3, 8.0), (2, 4.0), (99, 2.0)], weight=1.25)
    # + 1.25 x score / best; 99 was no candidate of the fusion and is not added
    assert out == [(3, 2.0 + 1.25), (2, 2.5 + 0.625), (1, 3.0)]
    assert add_focus(ranked, []) == ranked


# -- in search --------------------------------------------------------------------------

def test_doc_freqs_count_the_passages_holding_each_word(project_index: SearchIndex):
    rows = project_index.store.lexical_rows([r for r, _ in project_index.all_passages()])
    held = [set(row.terms.split()) for row in rows]
    words = ["reglab", "regional", "mellansverige", "finnsinte"]
    expected = {w: sum(w in h for h in held) for w in words}
    assert expected["reglab"] >= 1 and expected["regional"] > expected["reglab"] and expected["finnsinte"] == 0
    assert project_index._doc_freqs(words) == {w: n for w, n in expected.items() if n}


def test_only_a_long_question_gets_a_focus_read(project_index: SearchIndex, analyzer):
    long, short = plan_query(LONG, analyzer), plan_query(SHORT, analyzer)
    assert long.long_question and not short.long_question
    assert project_index.candidates(SHORT).focus == []
    c = project_index.candidates(LONG)
    words = _lexical_words(long)
    rare = focus_words(words, project_index._doc_freqs([w for word in words for w in word]))
    assert "reglab" in rare
    assert c.focus and {r for r, _ in c.focus} == {r for r, _ in project_index.lexical(rare, 100)}


def test_the_focus_read_brings_the_passage_the_question_asks_about_up(project_index: SearchIndex):
    c = project_index.candidates(LONG)
    spread = next(r for r, p in project_index.all_passages() if p.section_title == "Resultatspridning")

    def rank_of(candidates) -> int:
        return [r for r, _ in project_index.rank(candidates).ranked].index(spread) + 1

    without = rank_of(replace(c, focus=[]))
    assert without > 1  # the template's wording alone points elsewhere
    assert rank_of(c) < without
    assert FOCUS_WEIGHT > 0
