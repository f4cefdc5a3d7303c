"""What counts as evidence of each kind (review/evidence.py)."""

from __future__ import annotations

import pytest

from nlp.analyzer import default_analyzer
from nlp.gazetteer import load_gazetteer
from review.evidence import SentenceEvidence, decide, find_items
from review.templates import library_element


@pytest.fixture(scope="module")
def found():
    analyzer, gaz = default_analyzer(), load_gazetteer()
    return lambda kind, text: find_items(kind, text, analyzer, gaz)


@pytest.mark.parametrize(("kind", "text", "named"), [
    ("challenges", "En utmaning har varit att följa upp effekterna för kvinnor och män.", True),
    ("challenges", "Det har varit svårt att engagera näringslivet i hubben.", True),
    ("challenges", "Dessa komplexa samhällsutmaningar kräver nya arbetssätt.", False),
    ("challenges", "Det kan röra välfärdens utmaningar och nya innovationer.", False),
    ("success", "En framgångsfaktor har varit den tydliga stödstrukturen.", True),
    ("success", "Arbetet fungerade väl tack vare kommunernas engagemang.", True),
    ("success", "Syftet är att skapa förutsättningar för ett hållbart införande av drönare.", False),
    ("results", "Satsningen nådde 120 deltagare och 35 företag.", True),
    ("results", "Resultaten följs upp årligen.", False),
    ("places", "Stödet har gått till landsbygderna och till Hällefors.", True),
    ("places", "Vi har beaktat det territoriella perspektivet i arbetet.", False),
    ("goals", "Arbetet bidrar till mål 7 och mål 13.", True),
    ("goals", "Arbetet bidrar till Agenda 2030.", False),
    ("societal", "Den demografiska utvecklingen och digitaliseringen ställer nya krav.", True),
    ("societal", "Arbetet möter samhällsutmaningarna.", False),
])
def test_specifics_are_evidence_and_the_topic_alone_is_not(found, kind, text, named):
    assert bool(found(kind, text)) is named


def test_the_dimensions_are_named_each_once(found):
    items = found("dimensions", "Konkurrenskraften i näringslivet, jämställdheten och klimatet gynnas.")
    assert [i.split(" (")[0] for i in items] == ["ekonomisk", "social", "miljömässig"]


def test_one_named_actor_where_two_are_asked_is_weak_and_says_so():
    actors = library_element("aktorer")
    v = decide(actors, [SentenceEvidence(items=("Örebro universitet",), topic=True, semantic=0.8)], 0.86)
    assert v.status == "weak" and v.reason == "nämner bara 1 av 2 aktörer som krävs (Örebro universitet)"
    v = decide(actors, [SentenceEvidence(items=("Örebro universitet", "Tillväxtverket"), topic=True,
                                         semantic=0.8)], 0.86)
    assert v.status == "covered" and v.reason == "aktörer: Örebro universitet, Tillväxtverket"
    assert decide(actors, [SentenceEvidence(items=(), topic=False, semantic=0.5)], 0.86).status == "missing"
