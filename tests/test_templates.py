"""Templates as data: the 2023 and 2021 templates, and extracting them from the reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from review.templates import (
    Template,
    elements_asked,
    extract_template,
    list_templates,
    load_template,
    save_template,
)
from underlag.errors import TemplateError, UnknownQuestionError
from underlag.settings import get_settings

QUESTIONS_2023 = [
    "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4",
    "4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "5.4", "6.1", "6.2", "6.3", "6.4",
    "7.1", "7.2", "8.1", "8.2", "9.1", "9.2", "10.1", "10.2", "10.3", "10.4", "10.5",
]
# (questions sharing the limit, characters) as printed in the 2023 template
LIMITS_2023 = [
    (["1.1", "1.2", "1.3"], 4500), (["2.1", "2.2", "2.3", "2.4"], 5500), (["3.1", "3.2", "3.3"], 8000),
    (["4.1", "4.2", "4.3"], 12500), (["5.1", "5.2", "5.3"], 12500), (["6.1", "6.2", "6.3"], 8000),
    (["7.1"], 4500), (["8.1"], 4500), (["9.1"], 4500), (["10.1", "10.2", "10.3", "10.4", "10.5"], 11000),
]
TABLES_2023 = ["3.4", "4.4", "5.4", "6.4", "7.2", "8.2", "9.2"]


@pytest.fixture(scope="module")
def t2023() -> Template:
    return load_template("aterrapportering-2023", get_settings().templates_dir)


@pytest.fixture(scope="module")
def t2021() -> Template:
    return load_template("aterrapportering-2021", get_settings().templates_dir)


@pytest.fixture(scope="module")
def parsed_2023(corpus_dir: Path):
    from ingest.pipeline import parse_file

    return parse_file(corpus_dir / "002_aee3b258286ac5e7.txt")


def test_both_templates_are_listed():
    assert {"aterrapportering-2021", "aterrapportering-2023"} <= {t.id for t in list_templates(get_settings().templates_dir)}


def test_2023_template_has_every_question_from_1_1_to_10_5(t2023: Template):
    ids = [q.id for q in t2023.questions]
    assert ids[: len(QUESTIONS_2023)] == QUESTIONS_2023


@pytest.mark.parametrize(("questions", "max_chars"), LIMITS_2023)
def test_2023_template_has_the_shared_character_limits(t2023: Template, questions, max_chars):
    for qid in questions:
        limit = t2023.limit_for(qid)
        assert limit is not None and limit.questions == questions and limit.max_chars == max_chars


def test_a_shared_limit_is_split_evenly_into_question_budgets(t2023: Template):
    assert t2023.budget("1.2") == 1500
    assert t2023.budget("7.1") == 4500


@pytest.mark.parametrize("qid", TABLES_2023)
def test_2023_insats_questions_are_tables_of_at_most_five_without_a_limit(t2023: Template, qid: str):
    q = t2023.question(qid)
    assert (q.answer_type, q.max_items) == ("table", 5)
    assert t2023.limit_for(qid) is None


def test_2023_ja_nej_question_is_a_choice(t2023: Template):
    assert t2023.question("10.3").answer_type == "choice"


def test_elements_asked_throughout_a_group_are_shared_by_its_questions(t2023: Template):
    shared = {tuple(s.questions): set(s.elements) for s in t2023.shared_elements}
    assert shared[("1.1", "1.2", "1.3")] == {"aktorer", "utmaningar", "framgangsfaktorer"}
    assert ("7.1",) not in shared  # 7.1 asks for its actors in its own text
    assert "aktorer" in t2023.question("7.1").elements


@pytest.mark.parametrize(("qid", "element"), [("1.2", "hallbarhet"), ("1.3", "territoriellt"),
                                              ("2.3", "hallbarhet"), ("10.5", "territoriellt")])
def test_2023_questions_require_the_elements_their_text_names(t2023: Template, qid: str, element: str):
    assert element in t2023.question(qid).elements


def test_every_element_a_question_names_is_defined(t2023: Template, t2021: Template):
    for t in (t2023, t2021):
        for q in t.questions:
            for e in (*q.elements, *q.optional_elements):
                t.element(e)


def test_the_word_samhallsutmaningar_does_not_ask_for_challenges():
    assert elements_asked("Beskriv hur ni har arbetat med att möta samhällsutmaningarna") == \
        ["samhallsutmaningar"]


def test_extraction_from_the_2023_report_reproduces_the_stored_template(parsed_2023, t2023: Template):
    extracted = extract_template(parsed_2023, "aterrapportering-2023")
    assert [q.id for q in extracted.questions] == [q.id for q in t2023.questions]
    assert extracted.limits == t2023.limits
    assert extracted.shared_elements == t2023.shared_elements
    # the region's answers are not part of the template
    answer = "Den senaste Regionala utvecklingsstrategin, RUS, antogs 220428"
    assert answer not in str(extracted.model_dump())


def test_2021_template_reads_questions_from_section_instructions(t2021: Template):
    q = t2021.question("3.1")
    assert q.text.startswith("Beskriv kortfattat inom vilka områden")
    assert t2021.limits == []
    assert "agenda2030" in t2021.question("1.1.1").optional_elements
    assert t2021.question("1.3.7").answer_type == "table" and t2021.question("1.3.7").max_items == 10


def test_saved_template_loads_back_unchanged(t2023: Template, tmp_path: Path):
    save_template(t2023, tmp_path / "copy.yaml")
    assert load_template(str(tmp_path / "copy.yaml"), get_settings().templates_dir) == t2023


def test_unknown_template_and_question_say_what_exists(t2023: Template):
    with pytest.raises(TemplateError, match="aterrapportering-2023"):
        load_template("nope", get_settings().templates_dir)
    with pytest.raises(UnknownQuestionError, match="1.1"):
        t2023.question("11.9")
