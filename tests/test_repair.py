"""Character repair: split Swedish letters, Unicode clean-up, line-end hyphens."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.repair import Lexicon, default_lexicon, join_hyphenated, repair_line

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
BROKEN = CORPUS / "002_aee3b258286ac5e7.txt"
CORRECT_SEEDS = ["000_7fb02ce29b4be31a.txt", "001_a40ca19e294990ef.txt", "003_b61ed9f9079cac58.txt"]

# The artefact: a base letter followed by the letter its lost diacritic became.
SPLIT_LETTER = re.compile(r"[ao][äöå]|[AO][ÄÖÅ]")
# What a stray space leaves when a split letter is restored but the word is not
# joined: "fö r", "Randströ m" (a lone consonant or two after å/ä/ö and a space).
STRAY_FRAGMENT = re.compile(r"[åäöÅÄÖ] [bcdfghjklmnpqrstvwxz]{1,2}(?![.\w])")


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return default_lexicon()


@pytest.fixture(scope="module")
def broken_lines() -> list[str]:
    return BROKEN.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def repaired_lines(broken_lines: list[str], lexicon: Lexicon) -> list[str]:
    return [repair_line(line, lexicon) for line in broken_lines]


@pytest.mark.parametrize("raw, expected", [
    ("foö r", "för"),
    ("paå", "på"),
    ("aö r", "är"),
    ("anvaönda", "använda"),
    ("aå rligen", "årligen"),
    ("OÄ rebro", "Örebro"),
    ("AÅ terrapportering", "Återrapportering"),
    ("JAÄ ST", "JÄST"),
    ("Tillvaö xtverket", "Tillväxtverket"),
    ("oö vriga", "övriga"),
    ("maå l", "mål"),
    ("aå r", "år"),
    ("oö verskaådlig", "överskådlig"),
    ("saåvaö l", "såväl"),
    ("saå vaö l", "såväl"),
    ("aöven", "även"),
    ("AÄ ven", "Även"),
    ("foö rnyelsefoö rmaåga", "förnyelseförmåga"),
    ("Camilla Randstroö m", "Camilla Randström"),
    ("Ulrika AÅ berg", "Ulrika Åberg"),
    ("Inom OÄ MS (OÄ rebro laön,", "Inom ÖMS (Örebro län,"),
    ("har ROÄ IAB genomfoö rt", "har RÖIAB genomfört"),
    ("Foö raö ldraskap i Sverige (FOÄ S)", "Föräldraskap i Sverige (FÖS)"),
    ("OÄ stergoö tland, Soö rmland, Gaövleborg", "Östergötland, Sörmland, Gävleborg"),
    ("foö rstaå elsen", "förståelsen"),
])
def test_repairs_split_diaeresis_in_pdf_text(raw: str, expected: str, lexicon: Lexicon) -> None:
    assert repair_line(raw, lexicon) == expected


@pytest.mark.parametrize("raw, expected", [
    ("paå  maå l", "på mål"),                 # two spaces: the stray one and a real one
    ("paå  att ni", "på att ni"),
    ("diarienummer AÄ  2023–2905.", "diarienummer Ä 2023–2905."),
    ("paå att göra", "på att göra"),          # one space that is real: both sides are words
    ("tvaå projekt", "två projekt"),
    ("ocksaå vilka", "också vilka"),
    ("daå fraå gan", "då frågan"),
    ("gaå Örebro", "gå Örebro"),              # lower case never joins a capital
    ("foö r att", "för att"),                 # one stray space: only the joined form is a word
    ("Stadsmiljoö avtalen", "Stadsmiljöavtalen"),
])
def test_decides_the_space_after_a_split_letter_with_the_lexicon(raw: str, expected: str,
                                                                 lexicon: Lexicon) -> None:
    assert repair_line(raw, lexicon) == expected


@pytest.mark.parametrize("raw, expected", [
    ("paå lokal nivaå . Nästa", "på lokal nivå. Nästa"),
    ("minskad miljoö - och klimatpaåverkan", "minskad miljö- och klimatpåverkan"),
    ("koö n, aå lder", "kön, ålder"),
    ("kommunal nivaå  ", "kommunal nivå "),
])
def test_drops_the_stray_space_before_punctuation(raw: str, expected: str, lexicon: Lexicon) -> None:
    assert repair_line(raw, lexicon) == expected


def test_uses_an_injected_lexicon() -> None:
    tiny = Lexicon.from_words(["för", "på", "att", "mål"])
    assert repair_line("foö r att naå  maå l", tiny) == "för att nå mål"
    assert repair_line("paå att", tiny) == "på att"


@pytest.mark.parametrize("raw, expected", [
    ("utveck\u00adlingen", "utvecklingen"),
    ("ﬁnansiering och ﬂera", "finansiering och flera"),
    ("Region\u00a0Örebro\u202flän", "Region Örebro län"),
    ("sam\u200bverkan\ufeff", "samverkan"),
    ("la\u0308n och a\u030arlig", "län och årlig"),  # combining marks composed (NFC)
    ("kolumn\tkolumn", "kolumn\tkolumn"),
])
def test_normalises_unicode(raw: str, expected: str, lexicon: Lexicon) -> None:
    assert repair_line(raw, lexicon) == expected


def test_keeps_real_words_with_a_vowel_before_a_diacritic(lexicon: Lexicon) -> None:
    line = "en annan förankring i folkhälsoöverenskommelserna."
    assert repair_line(line, lexicon) == line


@pytest.mark.parametrize("name", CORRECT_SEEDS)
def test_leaves_correct_documents_unchanged(name: str, lexicon: Lexicon) -> None:
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    changed = [(line, fixed) for line in lines if (fixed := repair_line(line, lexicon)) != line]
    assert changed == []


def test_leaves_no_split_letters_in_the_broken_seed(repaired_lines: list[str]) -> None:
    hits = [(n, m.group()) for n, line in enumerate(repaired_lines, 1) for m in SPLIT_LETTER.finditer(line)]
    assert hits == []


def test_leaves_no_stray_fragments_in_the_broken_seed(repaired_lines: list[str]) -> None:
    hits = [(n, m.group()) for n, line in enumerate(repaired_lines, 1)
            for m in STRAY_FRAGMENT.finditer(line)]
    assert hits == []


# Whole lines of corpus/002, corrected by hand.
@pytest.mark.parametrize("line_no, expected", [
    (436, "Skillnader i livsvillkor har förstärkts både mellan olika kommuner och inom"),
    (437, "kommuner. Denna ökande ojämlikhet återfinns särskilt inom hälsan och den påverkar"),
    (438, "främst barn och ungdomar. Skillnaderna i hälsa har också ökat mellan könen i alla"),
    (1351, "Arbetet har hittills ökat medvetenhet i såväl privata som offentliga organisationer om"),
    (1504, "Inom ÖMS har man genomfört projektet - data som strategisk resurs - riktat mot"),
    (1505, "besöksnäringen för att stärka den regionala kunskapen, arbete och förankring lokalt i"),
    (2282, "Jämställdhetsperspektivet är starkt och väl förankrat i vår verksamhet. När vi"),
    (2509, "Region Örebro län samverkar även direkt med små och medelstora företag i energi-"),
    (3099, "kommuner vilket innebär att det finns olika behov av de olika stöden beroende på"),
    (3100, "hur kommunerna ser ut. Vi har som mål att nå ut till samtliga kommuner med de"),
    (3157, "mandatet för digitaliseringskoordinatorerna får konsekvenser och innebär att:"),
])
def test_repairs_whole_sentences_of_the_broken_seed(line_no: int, expected: str,
                                                   repaired_lines: list[str]) -> None:
    assert repaired_lines[line_no - 1].rstrip() == expected


@pytest.mark.parametrize("word", ["Örebro", "ÖREBRO", "örebro", "för", "FÖR", "Tillväxtverket",
                                  "Länsstyrelsen", "RUS", "utvecklingsarbetet",
                                  "regionalfondsprogrammet", "kompetensförsörjningsmöjligheter"])
def test_knows_swedish_words_in_any_case(word: str, lexicon: Lexicon) -> None:
    assert lexicon.is_word(word)


@pytest.mark.parametrize("word", ["fö", "påatt", "nåmål", "rnyelsefö", "utveck"])
def test_rejects_fragments_and_glued_words(word: str, lexicon: Lexicon) -> None:
    assert not lexicon.is_word(word)


def test_builds_compounds_from_known_parts_with_linking_s() -> None:
    tiny = Lexicon.from_words(["regional", "fond", "programmet", "på", "att"])
    assert tiny.is_word("regionalfondsprogrammet")
    assert tiny.is_word("Regionalfondsprogrammet")
    assert not tiny.is_word("påatt")  # function words are no compound parts


@pytest.mark.parametrize("left, right, expected", [
    ("utveck-", "lingsarbetet", "utvecklingsarbetet"),
    ("en viktig del i samhälls-", "utvecklingen på", "en viktig del i samhällsutvecklingen på"),
    ("förstudie inne-", "hållande rekommendation", "förstudie innehållande rekommendation"),
    ("och drivmedels-", "stationer på", "och drivmedelsstationer på"),
    ("företag i energi-", "relaterade frågor", "företag i energirelaterade frågor"),
    ("Projektet är ett genomförande-", "projekt som", "Projektet är ett genomförandeprojekt som"),
    ("Utvecklings-", "arbetet", "Utvecklingsarbetet"),
    ("kommun-", "och landsting", "kommun- och landsting"),
    ("och kris-", "och beredskap.", "och kris- och beredskap."),
    ("EU-", "medel", "EU-medel"),
    ("kommunicerar YH-", "frågor.", "kommunicerar YH-frågor."),
    ("att stärka AI-", "arbetet", "att stärka AI-arbetet"),
    ("Örebro-", "regionen", "Örebro-regionen"),
    ("ett regionalt-", "kommunalt erfarenhetsutbyte", "ett regionalt-kommunalt erfarenhetsutbyte"),
    ("inom e-", "tjänster", "inom e-tjänster"),
    ("perioden 2021-", "2025", "perioden 2021-2025"),
])
def test_joins_line_end_hyphens(left: str, right: str, expected: str, lexicon: Lexicon) -> None:
    assert join_hyphenated(left, right, lexicon) == expected


def test_loads_no_lexicon_at_import() -> None:
    code = "import sys, ingest.repair; print('spylls' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_default_lexicon_is_loaded_once(lexicon: Lexicon) -> None:
    assert default_lexicon() is lexicon


def test_answers_kept_in_a_file_answer_the_next_lexicon_without_the_dictionary(tmp_path: Path) -> None:
    from ingest.repair import answers_path
    from nlp.wordlist import DOMAIN_WORDS, hunspell_dir

    answers = answers_path(tmp_path)
    words = ["förvaltningsorganisation", "regionalfondsprogrammet", "foör", "Örebro", "samverkan"]
    first = Lexicon.from_hunspell(hunspell_dir() / "sv_SE", DOMAIN_WORDS.split(), answers=answers)
    asked = [(first.strength(w), first.is_name(w)) for w in words]
    assert first.dictionary_loaded and first.save_answers() and answers.is_file()
    assert not first.save_answers()  # nothing new: no write

    second = Lexicon.from_hunspell(hunspell_dir() / "sv_SE", DOMAIN_WORDS.split(), answers=answers)
    assert [(second.strength(w), second.is_name(w)) for w in words] == asked
    assert not second.dictionary_loaded
    assert asked[0][0] == 2 and asked[2][0] == 0 and asked[3][1]
    # a word it was never asked reads the dictionary, and the file then holds both
    assert second.strength("kompetensförsörjning") > 0 and second.dictionary_loaded
    second.save_answers()
    assert "kompetensförsörjning" in answers.read_text(encoding="utf-8")
    assert "förvaltningsorganisation" in answers.read_text(encoding="utf-8")


def test_a_damaged_answers_file_is_read_as_none(tmp_path: Path) -> None:
    from nlp.wordlist import DOMAIN_WORDS, hunspell_dir

    answers = tmp_path / "answers.json"
    answers.write_text('{"strength": {"foör": 2', encoding="utf-8")
    lexicon = Lexicon.from_hunspell(hunspell_dir() / "sv_SE", DOMAIN_WORDS.split(), answers=answers)
    assert lexicon.strength("foör") == 0 and lexicon.dictionary_loaded
