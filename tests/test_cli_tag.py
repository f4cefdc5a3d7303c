"""`underlag tag`, `underlag portfolio` and `underlag search --goal`, run in-process with the
session's real model (the CLI's model loader is pointed at it, so it is loaded once)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _share_model(monkeypatch, e5, settings):
    """The CLI builds its embedder through the services factory: hand it the session model,
    and point the data folder at the test's own."""
    import api.components

    monkeypatch.setattr(api.components, "build_embedder", lambda _settings: e5)
    monkeypatch.setenv("UNDERLAG_DATA_DIR", str(settings.data_dir))
    from underlag.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_tag_text_json_has_labels_with_framework_id_title_score_evidence():
    text = "Utbyggnaden av bredband och digital infrastruktur på landsbygden har fortsatt."
    data = json.loads(run("tag", "--text", text, "--json").stdout)
    assert data["labels"]
    for label in data["labels"]:
        assert {"framework", "id", "title", "score", "evidence"} <= set(label)
        assert 0 <= label["score"] <= 1
        assert all(text[e["start"]:e["end"]] == e["text"] for e in label["evidence"])
    assert {"agenda2030:9.c", "national_strategy:S4.1"} <= {f"{x['framework']}:{x['id']}" for x in data["labels"]}


def test_tag_file_json_gives_the_document_profile(corpus_dir: Path):
    data = json.loads(run("tag", str(corpus_dir / "000_7fb02ce29b4be31a.txt"), "--json").stdout)
    assert data["passages"] == len(data["passage_tags"]) > 0
    by_key = {f"{x['framework']}:{x['id']}": x for x in data["labels"]}
    nine = by_key["agenda2030:9"]
    assert 0 < nine["share"] <= 1 and nine["passages"] >= 2
    assert nine["sections"] and nine["evidence"]
    assert {"framework", "id", "title", "score", "evidence"} <= set(nine)
    # energy and climate are one of the report's four areas
    assert "agenda2030:7" in by_key or "agenda2030:13" in by_key


def test_tag_csv_writes_rows_back_with_goal_columns(tmp_path: Path):
    src = tmp_path / "projekt.csv"
    src.write_text("namn;beskrivning\n"
                   "Fiber till byarna;Projektet bygger ut bredband och digital infrastruktur på landsbygden.\n"
                   "Yrkesvux;Validering och yrkesutbildning för vuxna som vill byta yrke.\n", encoding="utf-8")
    res = run("tag", "--csv", str(src), "--column", "beskrivning")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["namn"] for r in rows] == ["Fiber till byarna", "Yrkesvux"]
    assert "9" in rows[0]["agenda2030_goals"].split(";")
    assert "9.c" in rows[0]["agenda2030_targets"].split(";")
    assert "4" in rows[1]["agenda2030_goals"].split(";")
    assert "S4.1" in rows[0]["national_strategy_targets"].split(";")
    lines = [json.loads(x) for x in run("tag", "--csv", str(src), "--column", "beskrivning", "--json").stdout.splitlines()]
    assert [x["row"] for x in lines] == [1, 2] and lines[0]["namn"] == "Fiber till byarna"


def test_tag_csv_names_the_columns_when_the_column_is_missing(tmp_path: Path):
    src = tmp_path / "p.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, ["tag", "--csv", str(src), "--column", "text"])
    assert result.exit_code == 2
    assert "columns: a, b" in result.output


def test_tag_needs_exactly_one_input():
    assert runner.invoke(app, ["tag"]).exit_code == 2
    assert runner.invoke(app, ["tag", "--text", "x", "--csv", "y.csv"]).exit_code == 2


def test_portfolio_matrix_search_by_goal_and_heatmap(corpus_dir: Path, tmp_path: Path):
    # ingest runs without a tagger; portfolio and search --goal tag what is not yet tagged
    run("ingest", str(corpus_dir / "000_7fb02ce29b4be31a.txt"))
    data = json.loads(run("portfolio", "--json").stdout)
    assert data["framework"] == "agenda2030" and len(data["labels"]) == 17
    docs = {d["filename"]: d for d in data["documents"]}
    assert docs["000_7fb02ce29b4be31a.txt"]["share"]["9"] > 0
    assert all(0 <= v <= 1 for d in docs.values() for v in d["share"].values())

    csv_out = run("portfolio", "--csv", "-").stdout
    header = next(csv.reader(io.StringIO(csv_out)))
    assert header[:3] == ["document", "filename", "years"] and header[3:] == [str(i) for i in range(1, 18)]

    png, svg = tmp_path / "m.png", tmp_path / "m.svg"
    run("portfolio", "--png", str(png), "--svg", str(svg), "--framework", "national_strategy")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:500]

    hits = json.loads(run("search", "utbyggnad", "--goal", "9.c", "--json").stdout)
    assert hits and all("bredband" in h["text"].lower() or "digital" in h["text"].lower() for h in hits)
    unknown = runner.invoke(app, ["search", "utbyggnad", "--goal", "99.9"])
    assert unknown.exit_code == 2


def test_portfolio_of_an_empty_index_says_what_to_do():
    result = runner.invoke(app, ["portfolio"])
    assert result.exit_code == 1
    assert "underlag ingest" in result.output
