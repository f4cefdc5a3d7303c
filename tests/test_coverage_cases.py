"""The hand-labelled coverage cases stay valid and build the drafts they describe."""

from __future__ import annotations

import pytest

from evaluations.coverage_cases import (
    CASES, answer_blocks, build_case, check_case, load_cases, normalise, parsed)

PARTNERS = "I partnerskapet ingår, förutom Region Örebro län, länets tolv kommuner"
VAGUE = "Därför har vi under året utvecklat nya samverkansformer"


def _answer(doc, questions) -> str:
    return " ".join(normalise(b.text) for _, _, _, b in answer_blocks(doc, questions))


def _case(**over) -> dict:
    base = {"id": "t1", "template": "aterrapportering-2023", "questions": ["1.1", "1.2", "1.3"],
            "element": "aktorer", "kind": "removed", "source": "002_aee3b258286ac5e7.txt",
            "remove": [PARTNERS], "expected": "missing_or_weak", "reason": "test", "split": "test"}
    return {**base, **over}


@pytest.mark.slow
def test_every_case_in_the_file_is_valid():
    # Guards the phrases against parser changes: each must still name exactly one block.
    errors = [e for c in load_cases(CASES) for e in check_case(c)]
    assert errors == []


def test_removing_the_partnership_paragraph_keeps_the_vague_sentences():
    draft, template, questions, element = build_case(_case())
    text = _answer(draft, questions)
    assert (template, element) == ("aterrapportering-2023", "aktorer")
    assert PARTNERS not in text
    assert VAGUE in text
    intact = _answer(parsed("002_aee3b258286ac5e7.txt"), questions)
    # Only that one paragraph went: the rest of 1.1-1.3 is unchanged.
    assert len(answer_blocks(draft, questions)) == len(answer_blocks(parsed("002_aee3b258286ac5e7.txt"),
                                                                     questions)) - 1
    assert PARTNERS in intact


def test_an_intact_case_is_the_real_report():
    draft, *_ = build_case(_case(kind="intact", remove=[], expected="covered"))
    assert draft is parsed("002_aee3b258286ac5e7.txt")


@pytest.mark.parametrize("over, problem", [
    ({"remove": ["Region Örebro län"]}, "blocks (want 1)"),                  # in many paragraphs
    ({"remove": ["en mening som inte finns i svaret alls"]}, "in 0 blocks"),
    ({"element": "resultat"}, "not in template"),
    ({"questions": ["1.2"], "element": "territoriellt"}, "does not ask for"),
    ({"kind": "intact"}, "intact case with phrases"),
])
def test_the_validator_names_what_is_wrong(over, problem):
    assert any(problem in e for e in check_case(_case(**over)))


def test_a_phrase_naming_no_single_block_cannot_be_built():
    with pytest.raises(ValueError):
        build_case(_case(remove=["Region Örebro län"]))
