"""What counts as evidence of each kind (review/evidence.py)."""

from __future__ import annotations

import pytest

from nlp.analyzer import default_analyzer
from nlp.gazetteer import load_gazetteer
from review.evidence import SentenceEvidence, decide, find_evidence, find_items
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
    ("places", "Stödet har främst gått till landsbygderna och till Hällefors, där avståndet till "
               "service är längst.", True),
    ("places", "Mikrobidraget ges till företag i hela länet förutom i Örebro tätort.", True),
    ("places", "Utbildningarna har gjorts tillgängliga på fler mindre orter.", True),
    ("places", "Vi har beaktat det territoriella perspektivet i arbetet.", False),
    # places named in sentences about something else: where, not a territorial consideration
    ("places", "Sex kommuner ingår i projektet – Karlskoga, Askersund, Kumla och Nora.", False),
    ("places", "Det finns dock vissa undantag där mikrobidrag kan ges i Örebro tätort:", False),
    # a consideration without a place or kind of area: the claim, not how
    ("places", "Vi tar hänsyn till länets strukturella och geografiska skillnader.", False),
    # third round: a place inside an organisation's name or the writer's own county is no
    # place of a difference, and the cue must stand near the place, not just in its sentence
    ("places", "I partnerskapet ingår, förutom Region Örebro län, länets tolv kommuner, Örebro universitet, "
               "Handelskammaren Mälardalen och Länsstyrelsen i Örebro län.", False),
    ("places", "Skillnaderna i livsvillkor är stora i Örebro län.", False),
    ("places", "Skillnaderna i hälsa har ökat, vilket under året har lett till ett tydligare fokus på "
               "förebyggande och hälsofrämjande arbete tillsammans med vårdcentralerna i Karlskoga och Kumla.",
     False),
    # where-words beside a difference cue say where, without a name
    ("places", "Den visar stora skillnader mellan länets kommuner men också mellan olika områden inom "
               "kommunerna.", True),
    ("places", "De socioekonomiska skillnaderna är stora mellan och inom länets kommuner.", True),
    ("places", "Andra typer av funktionella samband söks med regioner med liknande intressen.", True),
    ("places", "Arbetet har skett i samverkan med länets kommuner.", False),
    ("challenges", "Projekten ska innehålla en beskrivning av specifika utmaningar och hur de ska bemötas.", False),
    ("challenges", "Kraftsamlingen handlar om att riva hinder för utsatta grupper på arbetsmarknaden.", False),
    ("success", "Samverkan med Länsstyrelsen i nätverket Företagsutvecklarna fungerar bra.", False),
    ("success", "Samverkan har fungerat bra utifrån dialog och snabba återkopplingar.", True),
    ("success", "En stark regional dialog har bidragit till resultatet.", True),
    ("goals", "Arbetet bidrar till mål 7 och mål 13.", True),
    ("goals", "Arbetet bidrar till Agenda 2030.", False),
    ("societal", "Den demografiska utvecklingen och digitaliseringen ställer nya krav.", True),
    ("societal", "Arbetet möter samhällsutmaningarna.", False),
    ("societal", "Den snabba tekniska utvecklingen och gröna omställningen ställer nya krav på kompetensen.", True),
    ("societal", "Digitaliseringen ställer nya krav på kommunernas verksamheter.", True),
    # topic words not framed as a challenge met
    ("societal", "Stödstrukturerna på arbetsplatsen främjar inkludering och mångfald.", False),
    ("societal", "Det långsiktiga arbetet har gett fortsatt mobilisering runt AI.", False),
    ("dimensions", "Insatserna stärker näringslivets konkurrenskraft och minskar utsläppen.", True),
    ("dimensions", "Strukturen gör att samtliga prioriterade områden går mot samtliga tre dimensioner av "
                   "hållbarhet.", True),
    # the dimensions' words in a sentence that says nothing of effect or sustainability
    ("dimensions", "Sex företag och två föreningar för social ekonomi deltog i nätverket.", False),
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


def test_a_place_outside_a_sentence_on_differences_is_a_mention_and_the_reason_says_what_lacks():
    analyzer, gaz = default_analyzer(), load_gazetteer()
    sentences = ["Sex kommuner ingår i projektet – Karlskoga, Askersund och Kumla.",
                 "Vi har beaktat det territoriella perspektivet."]
    ev = [SentenceEvidence(*(lambda f: (tuple(f[0]), True, 0.8, tuple(f[1])))(
        find_evidence("places", s, analyzer, gaz))) for s in sentences]
    v = decide(library_element("territoriellt"), ev, 0.86)
    assert v.status == "weak" and v.items == ("Karlskoga", "Askersund", "Kumla")
    assert v.reason == ("nämner platser och områden (Karlskoga, Askersund, Kumla) men inte hur insatserna "
                        "tar hänsyn till skillnader mellan platser")
    ev.append(SentenceEvidence(items=("Örebro", "tätort"), topic=True, semantic=0.8))
    v = decide(library_element("territoriellt"), ev, 0.86)
    assert v.status == "covered" and v.items == ("Örebro", "tätort")


def test_a_societal_topic_word_not_framed_as_a_challenge_is_weak_with_the_reason():
    items, mentions = find_evidence("societal", "Arbetsplatserna främjar inkludering och mångfald.",
                                    default_analyzer(), load_gazetteer())
    assert items == [] and mentions == ["socioekonomi och sammanhållning (inkludering)"]
    v = decide(library_element("samhallsutmaningar"),
               [SentenceEvidence(items=(), topic=False, semantic=0.8, mentions=tuple(mentions))], 0.86)
    assert v.status == "weak"
    assert v.reason == ("nämner socioekonomi och sammanhållning (inkludering) men inte som "
                        "samhällsutmaningar som arbetet möter")
