"""Named actors, places and Agenda 2030 goals in Swedish text (nlp/gazetteer.py)."""

from __future__ import annotations

import pytest

from nlp.gazetteer import load_gazetteer

PARTNERS = ("I partnerskapet ingår, förutom Region Örebro län, länets tolv kommuner, Örebro universitet, "
            "Handelskammaren Mälardalen, RF-SISU Örebro, Länsstyrelsen i Örebro län samt Örebro läns "
            "bildningsförbund.")


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def test_listed_and_collective_actors_are_found_and_the_writer_is_left_out(gaz):
    labels = [m.label for m in gaz.actors(PARTNERS)]
    assert labels == ["länets kommuner", "Örebro universitet", "Handelskammaren Mälardalen", "RF-SISU Örebro",
                      "Länsstyrelsen i Örebro län", "Örebro läns bildningsförbund"]


@pytest.mark.parametrize(("text", "label", "kind"), [
    ("Projektet drivs av Degerforsvägen Exempel AB.", "Degerforsvägen Exempel AB", "naringsliv"),
    ("Vi samarbetar med Bergsjö kommuns näringslivsenhet.", "Bergsjö kommun", "kommun"),
    ("Region Västmanland och Mälardalens högskola deltar.", "Region Västmanland", "region"),
    ("Medel söktes från Energimyndigheten.", "Energimyndigheten", "myndighet"),
    ("Tillväxtverkets regionala kontor stöttade.", "Tillväxtverket", "myndighet"),
])
def test_organisation_names_outside_the_list_are_found_by_their_suffix(gaz, text, label, kind):
    assert (label, kind) in [(m.label, m.kind) for m in gaz.actors(text)]


def test_a_sentence_about_samverkan_names_no_actor(gaz):
    assert gaz.actors("Därför har vi under året utvecklat nya samverkansformer där många organisationer möts.") == []


def test_goals_are_named_by_number_lists_and_titles(gaz):
    found = [m.label for m in gaz.goals("Insatsen bidrar till de globala målen 8, 9 och 11 samt Hållbar "
                                        "energi för alla; Jämställdhet är ett tema.")]
    assert found[:3] == ["mål 8", "mål 9", "mål 11"]
    assert "mål 7 Hållbar energi för alla" in found
    assert not any(f.startswith("mål 5") for f in found)  # a one-word title is an ordinary word


def test_places_inside_the_writers_name_are_not_places(gaz):
    assert [m.label for m in gaz.places("Region Örebro län har arbetat i Karlskoga och Hällefors.")] == [
        "Karlskoga", "Hällefors"]


def test_name_spans_hold_every_organisation_name_the_writers_own_included(gaz):
    text = "I partnerskapet ingår, förutom Region Örebro län, Örebro universitet och Handelskammaren Mälardalen."
    spans = {text[m.start:m.end]: m.kind for m in gaz.name_spans(text)}
    assert spans["Region Örebro län"] == "self"
    assert "Örebro universitet" in spans and "Handelskammaren Mälardalen" in spans
    assert "Region Örebro län" not in [m.label for m in gaz.actors(text)]
