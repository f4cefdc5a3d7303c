"""evaluations/check_tagging_paragraphs.py: the English paragraph set and its validator."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location(
    "check_tagging_paragraphs", ROOT / "evaluations" / "check_tagging_paragraphs.py")
check_mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_mod)

GOALS = {str(g) for g in range(1, 18)}
GOOD = {"id": "p001", "text": " ".join(["word"] * 80), "labels": ["6", "3"], "primary": "6", "split": "tune"}


def test_shipped_set_passes():
    assert check_mod.check(check_mod.DEFAULT_PATH) == 0


def test_valid_record_has_no_errors():
    assert check_mod.record_errors(GOOD, GOALS) == []


@pytest.mark.parametrize("change, message", [
    ({"text": "too short"}, "words"),
    ({"labels": ["18"], "primary": "18"}, "unknown goal"),
    ({"primary": "3"}, "not the first label"),
    ({"split": "dev"}, "neither tune nor test"),
    ({"labels": []}, "non-empty"),
])
def test_invalid_records_are_reported(change, message):
    assert any(message in e for e in check_mod.record_errors({**GOOD, **change}, GOALS))


def test_a_paragraph_copying_a_training_example_fails(tmp_path):
    rows = check_mod.load_jsonl(check_mod.DEFAULT_PATH)
    example = check_mod.load_jsonl(check_mod.KEPT_APART[0])[0]["text"]
    rows[0] = {**rows[0], "text": rows[0]["text"] + " " + example}
    path = tmp_path / "paragraphs.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert check_mod.check(path) == 1


def test_a_split_against_the_alternation_fails(tmp_path):
    rows = check_mod.load_jsonl(check_mod.DEFAULT_PATH)
    rows[0] = {**rows[0], "split": "test" if rows[0]["split"] == "tune" else "tune"}
    path = tmp_path / "paragraphs.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert check_mod.check(path) == 1
