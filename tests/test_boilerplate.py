"""Running headers, footers and page numbers: removed; real repeated headings: kept."""

from __future__ import annotations

from collections import Counter

import pytest

from ingest import text
from ingest.boilerplate import strip_running_lines
from ingest.raw import RawLine
from underlag.settings import Settings

HEADER_003 = ["Tjänsteställe, handläggare", "Projektforum", "Projektbeskrivning",
              "Analys och strategi, Lena Kihl", "2023-12-11", "Dnr: 23RS11869"]


BODY = [
    "Region Örebro län har fortsatt arbetet med den regionala utvecklingsstrategin.",
    "Kompetensförsörjningen är en utmaning för både små och stora företag.",
    "Bredbandsutbyggnaden på landsbygden har gått långsammare än väntat.",
    "Samverkan med länsstyrelsen sker i regelbundna möten varannan vecka.",
    "Energi- och klimatprogrammet följs upp årligen med indikatorer.",
    "Partnerskapet för regional utveckling har involverats i uppdateringen.",
]


def _read(corpus_dir, name: str) -> list[RawLine]:
    return text.read(corpus_dir / name, Settings()).lines


def _texts(lines: list[RawLine]) -> list[str]:
    return [line.text for line in lines if not line.blank]


def _pages(*pages: list[str]) -> list[RawLine]:
    return [RawLine(t, page=n) for n, page in enumerate(pages, start=1) for t in page]


# Text without pages: the header block of 003.

def test_repeated_header_block_is_gone_from_the_body_of_003(corpus_dir):
    texts = _texts(strip_running_lines(_read(corpus_dir, "003_b61ed9f9079cac58.txt")))
    body = texts[texts.index("RUS-genomförande 2024-2025"):]
    assert not set(HEADER_003) & set(body)


def test_one_copy_of_the_header_block_leads_003_for_its_metadata(corpus_dir):
    # The date and the Dnr must survive for the metadata extractor.
    texts = _texts(strip_running_lines(_read(corpus_dir, "003_b61ed9f9079cac58.txt")))
    assert sorted(texts[:len(HEADER_003)]) == sorted(HEADER_003)
    assert Counter(texts)["Dnr: 23RS11869"] == 1


def test_only_the_header_block_is_removed_from_003(corpus_dir):
    before = _read(corpus_dir, "003_b61ed9f9079cac58.txt")
    removed = Counter(_texts(before)) - Counter(_texts(strip_running_lines(before)))
    assert removed == Counter({line: 3 for line in HEADER_003})


@pytest.mark.parametrize("name", ["000_7fb02ce29b4be31a.txt", "001_a40ca19e294990ef.txt"])
def test_repeated_section_headings_stay(corpus_dir, name):
    # 000 repeats "Uppföljning" and "Målsättning 2022–2023", 001 "Bakgrundsbeskrivning"...
    lines = _read(corpus_dir, name)
    assert strip_running_lines(lines) == lines


def test_hard_wrapped_table_headings_stay_and_page_numbers_go_in_002(corpus_dir):
    # 002 repeats the template's wrapped table headings with every table.
    before = _read(corpus_dir, "002_aee3b258286ac5e7.txt")
    removed = Counter(_texts(before)) - Counter(_texts(strip_running_lines(before)))
    assert removed == Counter({"15(42) ": 1, "17(42) ": 1})


def test_header_block_at_the_top_stays_in_place():
    block = ["Region Örebro län", "Regional utveckling", "Dnr: 24RS123"]
    lines = []
    for para in ([*block, "Inledning", "Första stycket i rapporten handlar om kompetensförsörjning."],
                 [*block, "Andra stycket fortsätter efter sidbrytningen i texten."]):
        for t in para:
            lines += [RawLine(t), RawLine("")]
    texts = _texts(strip_running_lines(lines))
    assert texts == [*block, "Inledning", "Första stycket i rapporten handlar om kompetensförsörjning.",
                     "Andra stycket fortsätter efter sidbrytningen i texten."]


# Text with pages: PDF or form feeds.

@pytest.mark.parametrize("number", ["3", "- 3 -", "Sida 3", "3 (12)", "3/12", "Sida 3 av 12"])
def test_lone_page_numbers_at_page_bottom_are_removed(number):
    lines = _pages(["Rubrik", "Text på sidan ett."], ["Mer text på sidan två.", number])
    assert _texts(strip_running_lines(lines)) == ["Rubrik", "Text på sidan ett.", "Mer text på sidan två."]


def test_footer_with_changing_page_number_is_removed_on_every_page():
    pages = [[body, f"Sida {n} av 4"] for n, body in enumerate(BODY[:4], start=1)]
    assert _texts(strip_running_lines(_pages(*pages))) == BODY[:4]


def test_running_header_keeps_one_copy_at_the_top():
    header = "Region Örebro län – Återrapportering 2023"
    titles = ["Inledning", "Bakgrund", "Uppföljning"]
    pages = [[header, title, body] for title, body in zip(titles, BODY)]
    assert _texts(strip_running_lines(_pages(*pages))) == [
        header, *(t for p in pages for t in p[1:])]


def test_a_heading_at_the_top_of_some_pages_is_not_a_header():
    titles = ["Sammanfattning", "Bakgrund", "Uppföljning", "Bakgrund", "Budget", "Mål"]
    pages = [[title, body] for title, body in zip(titles, BODY)]
    assert _texts(strip_running_lines(_pages(*pages))) == [t for p in pages for t in p]


def test_numbered_headings_atop_pages_are_not_page_numbered_headers():
    # Same text but for a number, on half the pages; the number does not follow the page.
    titles = ["Inledning", "Bilaga 1", "Analys", "Bilaga 2", "Resultat", "Bilaga 3"]
    pages = [[title, body] for title, body in zip(titles, BODY)]
    assert _texts(strip_running_lines(_pages(*pages))) == [t for p in pages for t in p]


def test_a_number_inside_the_page_body_stays():
    lines = _pages(["Rubrik", "Antal deltagare:", "42", "fördelat på tre kommuner.", "Mer", "Slut"])
    assert "42" in _texts(strip_running_lines(lines))


def test_tables_pass_through_untouched():
    table = RawLine("", page=1, table=(("Insats", "Belopp"), ("Bredband", "850 000")))
    lines = [RawLine("Text", page=1), table, RawLine("1", page=1)]
    assert strip_running_lines(lines) == [lines[0], table]
