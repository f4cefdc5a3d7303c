"""The template, coverage and suggest commands: --json field names, files written, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from underlag.settings import get_settings

runner = CliRunner()
SEED_2023 = "002_aee3b258286ac5e7.txt"

DRAFT = """# Återrapportering 2023 (utkast)

## 7 Jämställdhet

### 7.1 Beskriv hur det strategiskt viktigaste arbetet med att stärka integrering av jämställdhet har genomförts

Region Örebro län har under året ställt krav på jämställdhetsanalys i alla projektansökningar.
En utmaning har varit att följa upp effekterna för kvinnor och män.
"""


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(autouse=True)
def small_model(monkeypatch):
    """The commands' wiring is under test here, not the model: a hashing embedder is instant."""
    from api import components
    from nlp.embed import HashingEmbedder

    # every command reaches the model through the composition root
    monkeypatch.setattr(components, "build_embedder", lambda settings, **kw: HashingEmbedder())


def test_template_list_json_names_both_templates():
    r = run("template", "list", "--json")
    assert r.exit_code == 0
    ids = {t["id"]: t for t in json.loads(r.stdout)}
    assert ids["aterrapportering-2023"]["questions"] >= 34 and "aterrapportering-2021" in ids


def test_template_show_json_is_the_template():
    r = run("template", "show", "aterrapportering-2023", "--json")
    data = json.loads(r.stdout)
    assert {"id", "questions", "limits", "elements", "shared_elements"} <= set(data)
    assert data["questions"][0]["id"] == "1.1"


def test_template_extract_writes_a_yaml_that_loads(corpus_dir: Path, tmp_path: Path):
    from review.templates import load_template

    out = tmp_path / "ny.yaml"
    r = run("template", "extract", str(corpus_dir / SEED_2023), "--id", "ny-2023", "--out", str(out))
    assert r.exit_code == 0
    t = load_template(str(out), get_settings().templates_dir)
    assert t.id == "ny-2023" and t.question("10.5")


def test_unknown_template_exits_2_with_one_line():
    r = runner.invoke(app, ["template", "show", "finns-inte"])
    assert r.exit_code == 2 and "finns-inte" in r.stderr


def test_coverage_json_and_reports(tmp_path: Path):
    draft = tmp_path / "utkast.md"
    draft.write_text(DRAFT, encoding="utf-8")
    docx, html = tmp_path / "granskning.docx", tmp_path / "granskning.html"
    r = run("coverage", str(draft), "--template", "aterrapportering-2023", "--json",
            "--docx", str(docx), "--html", str(html))
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    q = next(q for q in data["questions"] if q["id"] == "7.1")
    assert q["status"] == "answered"
    actors = next(e for e in q["elements"] if e["id"] == "aktorer")
    assert actors["status"] != "covered"
    # every verdict says why, and the reports show it
    assert actors["reason"] == "ingenting om samverkan" and actors["evidence"] == []
    page = html.read_text(encoding="utf-8")
    assert docx.stat().st_size > 0 and "7.1" in page and "ingenting om samverkan" in page
    from docx import Document as Docx
    assert any("ingenting om samverkan" in c.text for t in Docx(str(docx)).tables for r in t.rows
               for c in r.cells)


def test_coverage_table_for_people(tmp_path: Path):
    draft = tmp_path / "utkast.md"
    draft.write_text(DRAFT, encoding="utf-8")
    r = run("coverage", str(draft), "--template", "aterrapportering-2023")
    assert r.exit_code == 0 and "7.1" in r.stdout and "Samverkande aktörer" in r.stdout
    assert "ingenting om" in r.stdout  # the reason under the verdict


def test_suggest_json_and_docx(corpus_dir: Path, tmp_path: Path):
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ("000_7fb02ce29b4be31a.txt", "003_b61ed9f9079cac58.txt"):
        shutil.copy(corpus_dir / name, reports / name)
    data_dir = tmp_path / "data"
    assert run("ingest", str(reports), "--data-dir", str(data_dir)).exit_code == 0
    out = tmp_path / "forslag.docx"
    r = run("suggest", "1.1", "--template", "aterrapportering-2023", "--data-dir", str(data_dir),
            "--exclude", "000_7fb02ce29b4be31a.txt", "--json", "--docx", str(out))
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["chars"] <= data["budget"] == 1500
    assert data["citations"] and all(c["filename"] == "003_b61ed9f9079cac58.txt" for c in data["citations"])
    assert out.stat().st_size > 0
