"""Query understanding and fusion, without an index: language, year and number cues,
BM25's weight by coverage, the fused ranking."""

from __future__ import annotations

import pytest

from index.fusion import COVERAGE_HIGH, COVERAGE_LOW, LEXICAL_WEIGHT, adaptive, coverage, lexical_weight, rrf
from index.query import detect_language, plan_query
from index.rerank import states_number
from nlp.analyzer import default_analyzer


@pytest.fixture(scope="module")
def analyzer():
    return default_analyzer()


@pytest.mark.parametrize(("query", "language"), [
    ("broadband coverage was overestimated because of reporting errors", "en"),
    ("how many board members sit on the regional cooperation council", "en"),
    # no stop word at all: the Swedish lexicon settles it
    ("unstaffed grocery shops in rural villages", "en"),
    # a Swedish place name in an English sentence
    ("micro-grants are not given in the city of Örebro", "en"),
    ("bredbandsutbyggnad landsbygd", "sv"),
    ("fibernät glesbygd", "sv"),
    ("hur många ledamöter sitter i samverkansrådet", "sv"),
    ("Wa3rm växthus", "sv"),
])
def test_language_of_a_query(analyzer, query, language):
    assert detect_language(query, analyzer) == language


def test_english_query_searches_bm25_only_for_names_acronyms_and_numbers(analyzer):
    plan = plan_query("AI and health collaboration platform granted ERDF funding in 2022", analyzer)
    assert plan.language == "en"
    # no Swedish lemma of an English word ("for" -> "fora", "planning" -> "plan" + "ning")
    assert plan.terms == ["ai", "erdf", "2022"]


def test_swedish_query_keeps_every_term(analyzer):
    plan = plan_query("kompetensförsörjning och validering", analyzer)
    assert plan.language == "sv"
    assert plan.terms == analyzer.query_terms("kompetensförsörjning och validering")


@pytest.mark.parametrize(("query", "years", "number"), [
    ("hur många ansökningar om företagsstöd beviljades 2021", {2021}, True),
    ("kollektivtrafikens resande under 2023", {2023}, False),
    ("how much money did the region give to the county theatre", set(), True),
    ("andelen förnybar energi", set(), True),
    ("samverkan med länsstyrelsen", set(), False),
])
def test_year_and_number_cues(analyzer, query, years, number):
    plan = plan_query(query, analyzer)
    assert plan.years == years and plan.asks_number is number


def test_a_year_alone_is_not_a_stated_number():
    assert states_number("Beviljades 4,8 mkr under 2021")
    assert not states_number("Under 2021 och 2022 har arbetet fortsatt")


def test_bm25_weight_grows_with_the_share_of_query_words_a_passage_holds():
    words = [["bredband"], ["landsbygd"], ["utbyggnad"]]
    assert coverage(words, [{"bredband"}, {"bredband", "landsbygd", "utbyggnad"}]) == 1.0
    assert coverage(words, [{"bredband"}]) == pytest.approx(1 / 3)
    assert lexical_weight(1.0) == LEXICAL_WEIGHT
    assert lexical_weight(COVERAGE_LOW) == 0.0
    assert 0 < lexical_weight((COVERAGE_LOW + COVERAGE_HIGH) / 2) < LEXICAL_WEIGHT


def test_fusion_without_bm25_weight_is_the_dense_order():
    den = [(1, 0.90), (2, 0.85), (3, 0.80)]
    lex = [(3, 12.0), (9, 11.0)]
    assert [r for r, _ in adaptive(lex, den, 0.0)] == [1, 2, 3]
    # with full weight BM25's best passage comes first, and one only BM25 found enters the list
    fused = [r for r, _ in adaptive(lex, den, LEXICAL_WEIGHT)]
    assert fused[0] == 3 and 9 in fused


def test_rrf_is_still_the_equal_weight_rank_fusion():
    fused = rrf([(1, 9.0), (2, 8.0)], [(2, 0.9), (3, 0.8)])
    assert [r for r, _ in fused] == [2, 1, 3]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)
