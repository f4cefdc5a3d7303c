"""The Aurora SDG query interpreter (nlp/aurora.py): Scopus syntax over plain text."""

from __future__ import annotations

import pytest

from underlag.settings import get_settings
from nlp.aurora import AuroraQueries, AuroraSyntaxError, Query, Text, evaluate, parse


def holds(query: str, text: str) -> bool:
    return bool(evaluate(parse(query), Text(text)))


@pytest.mark.parametrize("query,text,expected", [
    ('"sanitation"', "Sanitation is poor.", True),
    ('"toilet*"', "New toilets were built.", True),
    ('"drinking water"', "Safe drinking waters", True),       # plural, as Scopus' loose phrases
    ('"drinking water"', "water for drinking", False),        # a phrase keeps its order
    ('( "drinking" W/3 "water" ) W/3 ( "access*" OR "safe*" )',
     "Access to safe drinking water remains limited", True),
    ('( "drinking" W/3 "water" ) W/3 ( "access*" OR "safe*" )',
     "Drinking water is tested; the report discusses many things, among them access", False),
    ('"sewerage*" AND "develop* countr*"', "Sewerage in developing countries", True),
    ('"sewerage*" AND "develop* countr*"', "Sewerage in Sweden", False),
    ('"water" AND NOT "ocean*"', "water in the ocean", False),
    ('"water" AND NOT "ocean*"', "water in the lake", True),
    ('"water-use efficiency"', "Water use efficiency rose", True),
])
def test_query_semantics(query, text, expected):
    assert holds(query, text) is expected


def test_or_binds_tighter_than_w_and_w_tighter_than_and():
    # "a" W/1 ("b" OR "c") AND "d"  ==  ("a" W/1 ("b" OR "c")) AND "d"
    q = '"alpha" W/1 "beta" OR "gamma" AND "delta"'
    assert holds(q, "alpha gamma and delta")
    assert not holds(q, "alpha gamma")
    assert not holds(q, "alpha x x x gamma delta")


def test_unsupported_syntax_is_refused():
    with pytest.raises(AuroraSyntaxError):
        parse('"water" NEAR/3 "access"')
    with pytest.raises(AuroraSyntaxError):
        parse('( "water" OR "sea"')


def test_all_aurora_files_parse_and_name_targets():
    q = AuroraQueries.load(get_settings().taxonomies_dir / "aurora")
    assert len(q.queries) > 350
    assert {"6.1", "9.c", "16.5", "15.1"} <= q.targets


def test_swedish_equivalents_let_swedish_text_meet_the_english_queries():
    q = AuroraQueries([Query("16.5", "", parse('"corruption" OR "brib*"'))])
    assert q.match("Arbetet mot korruption i offentlig upphandling fortsätter.") == {"16.5": 1}
    assert AuroraQueries(q.queries, swedish={}).match("Arbetet mot korruption fortsätter.") == {}


def test_aurora_matches_the_plain_topics():
    q = AuroraQueries.load(get_settings().taxonomies_dir / "aurora")
    assert "6.1" in q.match("Access to safe drinking water and sanitation remains limited in many rural communities.")
    assert {"16.3", "16.5"} & set(q.match("Strengthen the rule of law and fight corruption"))
