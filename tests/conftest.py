"""Shared fixtures: the sample corpus, parsed once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from underlag.settings import PROJECT_ROOT, Settings

CORPUS = PROJECT_ROOT / "corpus"
SEEDS = {
    "uppfoljning": "000_7fb02ce29b4be31a.txt",
    "aterrapportering_2021": "001_a40ca19e294990ef.txt",
    "aterrapportering_2023": "002_aee3b258286ac5e7.txt",
    "projektbeskrivning": "003_b61ed9f9079cac58.txt",
}


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    """Settings with a private, empty data folder."""
    return Settings(data_dir=tmp_path / "data")
