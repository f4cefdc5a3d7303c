"""Structure of the sample corpus: sections, questions, instructions, tables, footnotes.

The expected sentences are written by hand from the source files.
"""

from __future__ import annotations

import re

import pytest

from ingest.pipeline import parse_file
from underlag.model import BlockKind, Document, Section
from underlag.settings import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "corpus"


@pytest.fixture(scope="module")
def uppfoljning() -> Document:
    return parse_file(CORPUS / "000_7fb02ce29b4be31a.txt")


@pytest.fixture(scope="module")
def rapport_2021() -> Document:
    return parse_file(CORPUS / "001_a40ca19e294990ef.txt")


@pytest.fixture(scope="module")
def mall_2023() -> Document:
    return parse_file(CORPUS / "002_aee3b258286ac5e7.txt")


@pytest.fixture(scope="module")
def projekt() -> Document:
    return parse_file(CORPUS / "003_b61ed9f9079cac58.txt")


def section(doc: Document, key: str) -> Section:
    """The first section with this number, or else this title."""
    found = [s for s in doc.sections if s.number == key] or [s for s in doc.sections if s.title == key]
    assert found, f"no section {key!r} in {[s.number or s.title for s in doc.sections]}"
    return found[0]


def all_block_text(doc: Document) -> str:
    return "\n".join(b.text for s in doc.sections for b in s.blocks)


# --- 002: the 2023 template with the region's answers ---------------------------------

QUESTIONS_2023 = [
    "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4",
    "4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "5.4", "6.1", "6.2", "6.3", "6.4",
    "7.1", "7.2", "8.1", "8.2", "9.1", "9.2", "10.1", "10.2", "10.3", "10.4", "10.5",
]
# The source leaves these unanswered: 6.2 keeps the form's "Klicka här för att ange
# text." placeholder, and the insats tables of 7.2 and 8.2 are empty.
UNANSWERED_2023 = {"6.2", "7.2", "8.2"}


def test_every_template_question_is_a_section_in_order(mall_2023):
    numbers = [s.number for s in mall_2023.sections if s.question]
    assert numbers == QUESTIONS_2023


@pytest.mark.parametrize("number", [q for q in QUESTIONS_2023 if q not in UNANSWERED_2023])
def test_every_answered_question_has_answer_text(mall_2023, number):
    assert section(mall_2023, number).text.strip()


@pytest.mark.parametrize("number", sorted(UNANSWERED_2023))
def test_unanswered_question_has_no_answer_text(mall_2023, number):
    assert section(mall_2023, number).text == ""


def test_question_keeps_full_text_across_wrapped_lines_without_footnote_mark(mall_2023):
    s = section(mall_2023, "1.1")
    assert s.question == ("Beskriv hur det strategiskt viktigaste arbetet med den regionala "
                          "utvecklingsstrategin och samordningen av insatser för genomförandet "
                          "har bedrivits.")
    assert s.level == 2
    assert s.heading_path == ["Den regionala utvecklingsstrategin", s.title]


def test_long_question_has_compact_title(mall_2023):
    s = section(mall_2023, "7.1")
    assert s.question.endswith("Beskriv även eventuella utmaningar och framgångsfaktorer.")
    assert s.title == ("Beskriv hur det strategiskt viktigaste arbetet med att stärka integrering "
                       "av jämställdhet har genomförts och med vilka aktörer ni har samverkat")


@pytest.mark.parametrize("number, sentence", [
    ("1.1", "Samverkan mellan flera aktörer är en förutsättning för genomförandet av RUS."),
    # Continues after a page break with footnotes 4 and 5 in between.
    ("1.1", "Omvärldsutvecklingen gör att ett större fokus måste läggas på civilt försvar och "
            "beredskapsfrågor."),
    ("3.1", "Regionen fördelade 2023 drygt 100 miljoner kronor till utpekade kulturaktörer i länet, "
            "där de större var Länsteatern Örebro, Länsmusiken i Örebro och Örebro läns museum."),
    ("3.3", "I arbete med social välfärd samt jämlik och jämställd hälsa används statistik som "
            "beskriver skillnader mellan olika befolkningsgrupper i länet."),
    ("6.1", "Resandet inom kollektivtrafiken är nu endast 8 procent mindre än före pandemin."),
    ("4.1", "Ett annat stöd var den egna analyskapaciteten inom förvaltningen med fokus på "
            "regionalt kompetensförsörjningsarbete."),
    ("10.5", "Regionen prioriterar och beviljar stöd till dagligvaruhandeln och drivmedelsstationer "
             "på landsbygden (stöd till kommersiell service) enbart där servicen är gles i länet och "
             "spridningen av beviljade stöd inom länet är god."),
])
def test_answer_sentence_comes_out_exactly(mall_2023, number, sentence):
    assert sentence in section(mall_2023, number).text


def test_group_instructions_are_kept_apart_from_the_answers(mall_2023):
    group = section(mall_2023, "1")
    assert group.text == ""
    assert ("Observera! Maximalt antal tecken inklusive blanksteg för frågorna 1.1–1.3 är "
            "sammantaget 4 500.") in group.instruction_text
    assert "Beskriv genomgående i frågorna 1.1–1.3" in group.instruction_text
    assert "Beskriv genomgående" not in section(mall_2023, "1.1").text


def test_answer_paragraphs_are_never_instructions(mall_2023):
    for s in mall_2023.sections:
        if s.question:
            for b in s.blocks:
                if b.kind is BlockKind.INSTRUCTION:
                    assert not re.search(r"\b(vi|vår|våra|vårt)\b", b.text, re.IGNORECASE), b.text


def test_form_placeholder_is_not_an_answer(mall_2023):
    s = section(mall_2023, "6.2")
    assert "Klicka här för att ange text." in s.instruction_text


def test_footnotes_are_moved_out_of_the_body(mall_2023):
    numbers = [f.number for f in mall_2023.footnotes]
    assert numbers == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "14", "15"]
    note5 = next(f for f in mall_2023.footnotes if f.number == "5")
    assert note5.text == ("Observera! Information om uppföljning och utvärdering av den regionala "
                          "utvecklingsstrategin ska inte redovisas här. Den informationen redovisas "
                          "i avsnitt 2 – Analys, uppföljning och utvärdering.")
    body = all_block_text(mall_2023)
    assert "Villkorsbeslut 2023:1.1, 1.3, 2." not in body
    assert "Observera! Information tillhörande avsnitt 1–10" not in body


def test_glued_footnote_marks_are_stripped_but_real_numbers_stay(mall_2023):
    body = all_block_text(mall_2023)
    assert "hållbar regional utveckling i hela landet 2021–2030 framgår" in body
    assert "20302" not in body and "20303" not in body
    assert "I bifogat villkorsbeslut framgår" in body
    assert "som inte fångas upp i avsnitt 1–10." in body
    assert section(mall_2023, "1").title == "Den regionala utvecklingsstrategin"
    assert section(mall_2023, "7").title == "Jämställdhet"


def test_ja_nej_boxes_become_choices(mall_2023):
    choices = [b for b in section(mall_2023, "10.3").blocks if b.kind is BlockKind.CHOICE]
    assert [b.choice for b in choices] == ["Ja", "Ja", "Ja"]
    assert choices[0].text.startswith("den regionala utvecklingsstrategin?")


def test_insats_table_has_one_row_per_insats(mall_2023):
    table = next(b for b in section(mall_2023, "3.4").blocks if b.kind is BlockKind.TABLE)
    names = [row[0] for row in table.rows[1:]]
    assert names == ["Kulturella kraftfält", "Tillsammans för alla barns bästa (TABB)",
                     "Expedition Unga som varken arbetar eller studerar (UVAS)",
                     "Partnerskapet för sociala innovationer"]
    assert all(len(row) == 4 for row in table.rows)


def test_template_part_after_the_questions_is_a_top_level_section(mall_2023):
    s = section(mall_2023, "Övriga medskick")
    assert s.level == 1
    assert s.text.startswith("En utmaning med att driva det regionala utvecklingsarbetet")


# --- 001: the 2021 report (Word export) ------------------------------------------------

NUMBERS_2021 = [
    "1", "1.1", "1.1.1", "1.1.2", "1.2", "1.2.1", "1.2.2", "1.2.3",
    "1.3", "1.3.1", "1.3.2", "1.3.3", "1.3.4", "1.3.5", "1.3.6", "1.3.7", "1.3.8",
    "1.4", "1.4.1", "1.4.2", "1.5", "1.5.1", "1.5.2", "1.5.3",
    "2", "3", "3.1", "3.2", "3.3", "3.4", "3.5", "4", "4.1", "4.2", "4.3", "5", "6",
]


def test_numbered_sections_in_order_and_toc_not_parsed(rapport_2021):
    assert [s.number for s in rapport_2021.sections if s.number] == NUMBERS_2021


def test_numbered_heading_levels_and_paths(rapport_2021):
    s = section(rapport_2021, "1.3.2")
    assert (s.level, s.title) == (3, "Mål för kompetensförsörjningsarbetet")
    assert s.heading_path == ["Regionalt utvecklingsarbete",
                              "Kompetensförsörjning och kompetensutveckling i hela landet",
                              "Mål för kompetensförsörjningsarbetet"]
    assert section(rapport_2021, "5").title.startswith("Arbetet med att analysera")


def test_unnumbered_subheadings_nest_under_numbered_section(rapport_2021):
    s = section(rapport_2021, "Bakgrundsbeskrivning")
    assert s.heading_path[-3:] == ["Den regionala utvecklingsstrategin", "Ökad inkludering",
                                   "Bakgrundsbeskrivning"]
    assert s.text.startswith("Länets invånare har högre utbildningsnivå")


def test_template_instructions_in_word_export(rapport_2021):
    s = section(rapport_2021, "1.1.1")
    assert "I detta sammanhang, beskriv även kortfattat" in s.instruction_text
    assert "Ni erbjuds även att kortfattat redovisa" in s.instruction_text
    assert s.text.startswith("Regionledningen har gett förvaltningen regional utveckling i uppdrag")
    assert section(rapport_2021, "1.1.2").text == "Se text ovan"


def test_tab_separated_lines_become_table_rows(rapport_2021):
    tables = [b for b in section(rapport_2021, "5").blocks if b.kind is BlockKind.TABLE]
    assert len(tables) == 1
    rows = tables[0].rows
    assert ["Analys: Socioekonomisk analys på demografiska statistikområden (DeSO) i Örebro län",
            "Nej", "Kunskapsutveckling"] == rows[1][:3]
    assert not any("<p>" in c or "<i>" in c for row in rows for c in row)


def test_checkboxes_become_choices(rapport_2021):
    choices = [b for b in section(rapport_2021, "1.2.1").blocks if b.kind is BlockKind.CHOICE]
    assert [b.text for b in choices][0] == "Hög livskvalitet med goda och attraktiva livsmiljöer: Ja Nej"
    assert all(b.choice is None for b in choices)  # the export lost the ticks
    antagen = next(b for s in rapport_2021.sections for b in s.blocks
                   if b.kind is BlockKind.CHOICE and "politiskt antagen" in b.text)
    assert antagen.choice == "Ja"


def test_superscript_footnotes(rapport_2021):
    assert rapport_2021.footnotes[0].number == "1"
    assert rapport_2021.footnotes[0].text.startswith("Örebro läns utvecklingsstrategi 2018-2030")
    body = all_block_text(rapport_2021)
    assert "regional utvecklingsstrategi, RUS, under 2021" in body
    assert "¹" not in body and "Örebro läns utvecklingsstrategi 2018-2030, Tillväxt" not in body


def test_emphasis_markup_is_stripped(rapport_2021):
    body = all_block_text(rapport_2021)
    assert "*" not in body
    assert "Ökad inkludering - Hur kan en mer jämlik utbildningsnivå skapas i länet" in body


def test_paragraph_split_by_page_break_is_rejoined(rapport_2021):
    assert ("Vi har stärkt finansieringen av Ung företagsamhet (UF), som premierar hållbarhet och "
            "som haft rekordmånga elever.") in all_block_text(rapport_2021)


def test_numbers_in_prose_are_not_headings(rapport_2021, projekt):
    titles = [s.title for d in (rapport_2021, projekt) for s in d.sections]
    assert not any(re.match(r"\d", t) for t in titles)


# --- 003: project description ----------------------------------------------------------


def test_project_sections(projekt):
    top = [s.title for s in projekt.sections if s.level == 1]
    assert top[:3] == ["Sammanfattning", "Skäl för det föreslagna beslutet", "Bakgrund"]
    assert "Kostnads- och finansieringsbudget" in top
    delmal = [s for s in projekt.sections if s.heading_path[0] == "Bakgrund" and s.level == 2]
    assert [s.title for s in delmal] == ["Delmål 1", "Delmål 2", "Delmål 3", "Delmål 4"]
    assert delmal[2].text.startswith("Det regionala utvecklingsarbetet, så väl internt som externt, "
                                     "är ändamålsenligt utformat och organiserat.")


def test_running_header_block_is_not_body(projekt):
    assert "Tjänsteställe" not in projekt.text
    assert "Dnr: 23RS11869" not in projekt.text
    # The header interrupted this sentence at a page break.
    assert ("vi ska arbeta för att riva hinder för att minska utanförskapet för utsatta grupper "
            "på arbetsmarknaden.") in projekt.text


def test_budget_table_rows(projekt):
    table = next(b for b in section(projekt, "Kostnads- och finansieringsbudget").blocks
                 if b.kind is BlockKind.TABLE)
    assert table.rows[0] == ["Bokförda kostnader", "2024", "2025", "Totalt"]
    assert ["Region Örebro län 1:1-medel", "1 417 724", "1 127 260", "2 544 984"] in table.rows


# --- 000: follow-up of the priority areas ----------------------------------------------


def test_area_sections_with_goals_and_follow_up(uppfoljning):
    areas = [s for s in uppfoljning.sections if s.level == 1]
    assert [s.title for s in areas] == ["Område Digital infrastruktur", "Område Landsbygdsutveckling",
                                        "Område Energi och klimat", "Omstart efter Coronapandemin"]
    goals = [s for s in uppfoljning.sections if s.title.startswith("Målsättning")]
    assert len(goals) == 4
    assert all(b.kind is BlockKind.LIST_ITEM for g in goals for b in g.blocks)
    follow = [s for s in uppfoljning.sections if s.title == "Uppföljning"]
    assert len(follow) == 4
    assert all(b.kind is BlockKind.PARAGRAPH for s in follow for b in s.blocks)
    assert follow[0].heading_path == ["Område Digital infrastruktur", "Uppföljning"]


# --- reader hints (Word styles, PDF pages) --------------------------------------------


def test_reader_hints_give_headings_lists_tables_and_pages():
    from ingest import repair, structure
    from ingest.raw import RawDocument, RawLine

    raw = RawDocument(path="rapport.docx", format="docx", page_count=2, lines=[
        RawLine("Årsrapport 2024", page=1),
        RawLine("1 Inledning", page=1, heading_level=1),
        RawLine("Vi har arbetat med regional utveckling under hela året i länet.", page=1),
        RawLine("Bredband", page=2, heading_level=2),
        RawLine("Fler hushåll har fått fiber.", page=2, list_item=True),
        RawLine("", page=2, table=(("Kommun", "Andel"), ("Örebro", "95 %"))),
    ])
    doc = structure.build(raw, doc_id="x", lexicon=repair.default_lexicon())
    assert [(s.number, s.title, s.level) for s in doc.sections] == [("1", "Inledning", 1),
                                                                    (None, "Bredband", 2)]
    bredband = doc.sections[1]
    assert bredband.heading_path == ["Inledning", "Bredband"]
    assert bredband.page == 2
    assert [b.kind for b in bredband.blocks] == [BlockKind.LIST_ITEM, BlockKind.TABLE]
    assert bredband.blocks[1].rows == [["Kommun", "Andel"], ["Örebro", "95 %"]]
    assert doc.metadata.title == "Årsrapport 2024"


def _pdf_like(*texts: str):
    from ingest.raw import RawDocument, RawLine
    return RawDocument(path="x.pdf", format="pdf", lines=[RawLine(t, page=1) for t in texts])


def test_footnote_mark_is_stripped_only_where_its_footnote_exists():
    from ingest import repair, structure

    raw = _pdf_like(
        "Rapport om strategin", "",
        "1. Strategin", "",
        "I den nationella strategin 2021–20302 framgår det att vi ska arbeta hållbart", "och",
        "att perioden 2021–2030 är lång. Vi har 2 544 984 kronor till detta.", "", " ", "",
        "2 Skrivelse 2020/21:133.",
        "Arbetet fortsätter under hela perioden med fler insatser i länet och regionen.",
        "Nästa steg tas 2024 när planen är klar och beslutad av nämnden i regionen.",
        "Det gäller också 2025.",
        "Fler rader gör texten radbruten som en PDF.", "Fler rader.", "Ännu fler rader.",
    )
    doc = structure.build(raw, doc_id="x", lexicon=repair.default_lexicon())
    assert [(f.number, f.text) for f in doc.footnotes] == [("2", "Skrivelse 2020/21:133.")]
    text = doc.sections[0].text
    assert "I den nationella strategin 2021–2030 framgår" in text
    assert "perioden 2021–2030 är lång. Vi har 2 544 984 kronor" in text
    assert "Skrivelse" not in text
