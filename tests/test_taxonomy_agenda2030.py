"""corpus/taxonomies/agenda2030.yaml: 17 goals, 169 targets, UN numbering, Swedish + English."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TAXONOMY = ROOT / "corpus" / "taxonomies" / "agenda2030.yaml"
# UN English source (outside the repo); the cross-check is skipped where it is absent.
# unchanged copies of the UN source files (open-sdg/sdg-translations, MIT)
SHARED_TARGETS_EN = ROOT / "corpus" / "taxonomies" / "un" / "agenda2030_targets_en.yml"
SHARED_GOALS_EN = ROOT / "corpus" / "taxonomies" / "un" / "agenda2030_goals_en.yml"

# UN numbering: goal -> (number of numeric targets, lettered targets)
UN_LAYOUT = {
    1: (5, "ab"), 2: (5, "abc"), 3: (9, "abcd"), 4: (7, "abc"), 5: (6, "abc"), 6: (6, "ab"),
    7: (3, "ab"), 8: (10, "ab"), 9: (5, "abc"), 10: (7, "abc"), 11: (7, "abc"), 12: (8, "abc"),
    13: (3, "ab"), 14: (7, "abc"), 15: (9, "abc"), 16: (10, "ab"), 17: (19, ""),
}
EXPECTED_IDS = [
    f"{g}.{t}"
    for g, (n, letters) in UN_LAYOUT.items()
    for t in [*map(str, range(1, n + 1)), *letters]
]


@pytest.fixture(scope="module")
def tax() -> dict:
    with TAXONOMY.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def targets(tax) -> dict[str, dict]:
    return {t["id"]: t for t in tax["targets"]}


def test_expected_ids_are_the_169_un_targets():
    assert len(EXPECTED_IDS) == 169 == len(set(EXPECTED_IDS))


def test_file_has_sources_for_both_languages(tax):
    assert {"en", "sv"} <= set(tax["source"])
    for lang in ("en", "sv"):
        assert tax["source"][lang].get("license")


def test_seventeen_goals(tax):
    goals = tax["goals"]
    assert [g["id"] for g in goals] == list(range(1, 18))
    for g in goals:
        assert g["title_sv"] and g["title_en"] and g["short_en"]


def test_169_targets_with_unique_ids_in_un_order(tax):
    ids = [t["id"] for t in tax["targets"]]
    assert len(ids) == 169
    assert len(set(ids)) == 169
    assert ids == EXPECTED_IDS


def test_ids_are_strings_and_goal_matches_prefix(tax):
    for t in tax["targets"]:
        assert isinstance(t["id"], str)
        assert t["goal"] == int(t["id"].split(".")[0])


def test_every_target_has_english_text(tax):
    for t in tax["targets"]:
        assert isinstance(t["text_en"], str) and len(t["text_en"]) > 20, t["id"]


def test_english_text_equals_un_file():
    with SHARED_TARGETS_EN.open(encoding="utf-8") as fh:
        un = yaml.safe_load(fh)
    with TAXONOMY.open(encoding="utf-8") as fh:
        ours = {t["id"]: t["text_en"] for t in yaml.safe_load(fh)["targets"]}
    un_ids = {k.rsplit("-", 1)[0].replace("-", ".") for k in un}
    assert un_ids == set(ours)
    for tid, text in ours.items():
        assert text == un[tid.replace(".", "-") + "-title"], tid


def test_goal_english_titles_equal_un_file(tax):
    with SHARED_GOALS_EN.open(encoding="utf-8") as fh:
        un = yaml.safe_load(fh)
    for g in tax["goals"]:
        assert g["title_en"] == un[f"{g['id']}-title"]
        assert g["short_en"] == un[f"{g['id']}-short"]


def test_swedish_text_present_unless_listed_missing(tax):
    missing = set(tax.get("missing_sv") or [])
    assert missing <= set(EXPECTED_IDS), "missing_sv lists unknown ids"
    for t in tax["targets"]:
        if t["id"] in missing:
            assert not t.get("text_sv"), f"{t['id']} has text_sv but is listed in missing_sv"
        else:
            assert isinstance(t.get("text_sv"), str) and len(t["text_sv"]) > 20, t["id"]
            assert t.get("source_sv"), f"{t['id']} has no source_sv"


def test_swedish_texts_look_swedish_and_clean(tax):
    for t in tax["targets"]:
        sv = t.get("text_sv")
        if not sv:
            continue
        assert sv == sv.strip() and "  " not in sv, t["id"]
        assert sv != t["text_en"], t["id"]
        assert not any(w in sv for w in (" the ", " and ", "By 2030")), t["id"]


def test_spot_check_goal_titles(tax):
    goals = {g["id"]: g for g in tax["goals"]}
    assert goals[1]["title_sv"] == "Ingen fattigdom"
    assert goals[2]["title_sv"] == "Ingen hunger"
    assert goals[5]["title_sv"] == "Jämställdhet"
    assert goals[17]["title_sv"] == "Genomförande och globalt partnerskap"


def test_spot_check_4_4(tax, targets):
    t = targets["4.4"]
    assert t["title_sv"] in (None, "Öka antalet personer med färdigheter för ekonomisk trygghet")
    if "4.4" in (tax.get("missing_sv") or []):
        pytest.xfail("official Swedish text of 4.4 not yet retrieved (see missing_sv)")
    assert t["text_sv"].startswith("Till 2030 väsentligen öka det antal ungdomar och vuxna")


def test_spot_check_9_c(tax, targets):
    t = targets["9.c"]
    assert "Internet" in t["text_en"]
    if "9.c" in (tax.get("missing_sv") or []):
        pytest.xfail("official Swedish text of 9.c not yet retrieved (see missing_sv)")
    text = t["text_sv"].lower()
    assert "internet" in text or "bredband" in text or "informations- och kommunikationsteknik" in text


def test_spot_check_known_swedish_texts(targets):
    assert targets["1.1"]["text_sv"].startswith("Senast 2030 avskaffa den extrema fattigdomen")
    assert targets["5.1"]["text_sv"] == "Avskaffa alla former av diskriminering av alla kvinnor och flickor överallt."
    assert targets["1.3"]["text_sv"].count("grundskydd") == 1


# Official Swedish wording as read on the source pages (see each target's source_sv), copied verbatim.
RETRIEVED_SV = {
    "2.5": ("Bevara den genetiska mångfalden i livsmedelsproduktionen",
            "Senast 2020 upprätthålla den genetiska mångfalden av fröer, odlade växter, produktionsdjur och "
            "tamdjur samt deras besläktade vilda arter,"),
    "5.a": ("Lika rätt till ekonomiska resurser och ägande samt tillgång till finansiella tjänster",
            "Genomföra reformer för att ge kvinnor lika rätt till ekonomiska resurser, möjlighet att äga och "
            "kontrollera mark och andra former av egendom samt tillgång till finansiella tjänster, arv och "
            "naturresurser, i enlighet med nationell lagstiftning"),
    "8.5": ("Full sysselsättning och anständiga arbetsvillkor med lika lön för alla",
            "Senast 2030 uppnå full och produktiv sysselsättning med anständiga arbetsvillkor för alla kvinnor "
            "och män, inklusive ungdomar och personer med funktionsnedsättning, samt lika lön för likvärdigt "
            "arbete."),
    "14.5": ("Bevara kust- och havsområden",
             "Senast 2020 skydda minst 10 procent av kust- och havsområdena, i överensstämmelse med nationell "
             "och internationell rätt och på grundval av bästa tillgängliga vetenskapliga rön."),
    "14.b": ("Stöd småskalig fiskenäring",
             "Säkerställa tillträde för småskaliga icke-industriella fiskare till marina resurser och marknader."),
    "15.7": ("Stoppa tjuvjakt och illegal handel med skyddade arter",
             "Vidta omedelbara åtgärder för att stoppa tjuvjakt på och handel med skyddade djur- och växtarter "
             "och inrikta åtgärderna på både utbudet av och efterfrågan på olagliga produkter från vilda djur "
             "och växter."),
    "17.2": ("Implementera alla åtaganden för utvecklingsbistånd",
             "De utvecklade länderna ska fullt ut fullfölja sina åtaganden i fråga om offentligt "
             "utvecklingsbistånd,"),
    "4.a": ("Skapa inkluderande och trygga utbildningsmiljöer",
            "Bygga och förbättra utbildningsmiljöer som är anpassade för barn och personer med "
            "funktionsnedsättning, samt tar hänsyn till jämställdhetsaspekter och därmed erbjuder en trygg, "
            "fredlig, inkluderande och ändamålsenlig lärandemiljö för alla."),
    "11.4": ("Skydda världens kultur- och naturarv",
             "Stärka insatserna för att skydda och trygga världens kultur- och naturarv."),
}


@pytest.mark.parametrize("tid", sorted(RETRIEVED_SV))
def test_retrieved_swedish_wording(tax, targets, tid):
    title, text = RETRIEVED_SV[tid]
    t = targets[tid]
    assert tid not in (tax.get("missing_sv") or [])
    assert t["title_sv"] == title
    # a trailing comma marks a prefix check for long texts
    if text.endswith(","):
        assert t["text_sv"].startswith(text)
    else:
        assert t["text_sv"] == text
    assert t["source_sv"]


def test_cross_checked_targets_keep_their_wording(targets):
    # identical on globalamalen.se and the SCB delmål page (see source.sv.cross_checked)
    assert targets["6.2"]["text_sv"].startswith("Senast 2030 säkerställa att alla har tillgång till fullgod")
    assert len(targets["6.2"]["source_sv"]) == 2
    assert targets["1.a"]["text_sv"].endswith("för att avskaffa all form av fattigdom.")


def test_16_10_not_filled_from_misplaced_scb_text(targets):
    # SCB's 16.10 page shows the 16.a text under the 16.10 heading; it belongs to 16.a only
    assert targets["16.a"]["text_sv"].startswith("Stärka berörda nationella institutioner")
    assert targets["16.10"]["text_sv"] != targets["16.a"]["text_sv"]


def test_missing_sv_is_exactly_the_targets_without_text(tax):
    missing = tax.get("missing_sv") or []
    assert len(missing) == len(set(missing))
    without = [t["id"] for t in tax["targets"] if not t.get("text_sv")]
    assert missing == without  # same ids, UN order
