"""The CLI's public interface: subcommands, --json field names, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()
SEED_2023 = "002_aee3b258286ac5e7.txt"
SEED_PROJECT = "003_b61ed9f9079cac58.txt"


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(autouse=True)
def small_model(monkeypatch):
    """The CLI's wiring is under test here, not the model: a hashing embedder is instant."""
    from nlp.embed import HashingEmbedder
    from api import components as services

    monkeypatch.setattr(services, "build_embedder", lambda settings: HashingEmbedder())


@pytest.fixture()
def reports(tmp_path: Path, corpus_dir: Path) -> Path:
    folder = tmp_path / "reports"
    (folder / "2023").mkdir(parents=True)
    shutil.copy(corpus_dir / SEED_2023, folder / "2023" / SEED_2023)
    shutil.copy(corpus_dir / SEED_PROJECT, folder / SEED_PROJECT)
    return folder


def test_parse_json_prints_sections_with_public_fields(corpus_dir: Path):
    result = run("parse", str(corpus_dir / SEED_2023), "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert {"title", "organisation", "doc_type", "years", "date", "diarienummer"} <= doc["metadata"].keys()
    section = next(s for s in doc["sections"] if s["number"] == "1.1")
    assert {"number", "title", "heading_path", "text", "page"} <= section.keys()
    assert "Samverkan mellan flera aktörer är en förutsättning för genomförandet av RUS." in section["text"]


def test_parse_human_output_shows_the_section_tree(corpus_dir: Path):
    result = run("parse", str(corpus_dir / SEED_2023))
    assert result.exit_code == 0
    assert "1.1 Beskriv hur" in result.stdout and "10.5" in result.stdout


def test_ingest_walks_folders_and_skips_unchanged_files_on_rerun(reports: Path, tmp_path: Path):
    data = str(tmp_path / "data")
    first = json.loads(run("ingest", str(reports), "--json", "--data-dir", data).stdout)
    assert sorted(Path(d["file"]).name for d in first["ingested"]) == [SEED_2023, SEED_PROJECT]
    second = json.loads(run("ingest", str(reports), "--json", "--data-dir", data).stdout)
    assert second["ingested"] == [] and len(second["unchanged"]) == 2
    listing = json.loads(run("documents", "--json", "--data-dir", data).stdout)
    assert sorted(d["filename"] for d in listing) == [SEED_2023, SEED_PROJECT]


def test_changed_file_replaces_its_earlier_version(reports: Path, tmp_path: Path):
    data = str(tmp_path / "data")
    target = reports / SEED_PROJECT
    run("ingest", str(target), "--data-dir", data)
    target.write_text(target.read_text(encoding="utf-8") + "\nTillägg\n\nEn ny mening om bredband.\n",
                      encoding="utf-8")
    result = json.loads(run("ingest", str(target), "--json", "--data-dir", data).stdout)
    assert len(result["ingested"]) == 1 and len(result["ingested"][0]["replaced"]) == 1
    assert len(json.loads(run("documents", "--json", "--data-dir", data).stdout)) == 1


def test_bad_files_get_one_line_each_and_the_rest_still_go_in(reports: Path, tmp_path: Path):
    (reports / "tom.txt").write_bytes(b"")
    (reports / "trasig.pdf").write_bytes(b"%PDF-1.7\n this is not really a pdf")
    (reports / "gammal.doc").write_bytes(b"\xd0\xcf\x11\xe0 old word")
    data = str(tmp_path / "data")
    result = run("ingest", str(reports), "--data-dir", data)
    assert result.exit_code == 1
    failed = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(failed) == 3
    assert any("tom.txt" in line and "empty" in line for line in failed)
    assert any("trasig.pdf" in line for line in failed)
    assert any("gammal.doc" in line and ".docx" in line for line in failed)
    listing = json.loads(run("documents", "--json", "--data-dir", data).stdout)
    assert len(listing) == 2


def test_failed_ingest_does_not_touch_documents_already_indexed(reports: Path, tmp_path: Path):
    data = str(tmp_path / "data")
    run("ingest", str(reports), "--data-dir", data)
    bad = tmp_path / "trasig.docx"
    bad.write_bytes(b"PK\x03\x04 broken zip")
    assert run("ingest", str(bad), "--data-dir", data).exit_code == 1
    listing = json.loads(run("documents", "--json", "--data-dir", data).stdout)
    assert len(listing) == 2


def test_delete_removes_a_document_by_file_name(reports: Path, tmp_path: Path):
    data = str(tmp_path / "data")
    run("ingest", str(reports), "--data-dir", data)
    assert run("delete", SEED_PROJECT, "--data-dir", data).exit_code == 0
    listing = json.loads(run("documents", "--json", "--data-dir", data).stdout)
    assert [d["filename"] for d in listing] == [SEED_2023]
    assert run("delete", "no-such-document", "--data-dir", data).exit_code == 1
