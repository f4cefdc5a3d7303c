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
# The base URL of in-process API clients: the server answers only for its own host names
# (api.access), and TestClient's default "testserver" is not one of them.
LOCAL = "http://localhost"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    """Settings with a private, empty data folder."""
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def e5():
    """The real embedding model (converted by ``python -m nlp.model_setup`` in setup)."""
    from api.components import build_embedder
    from underlag.settings import get_settings

    return build_embedder(get_settings())


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, e5, corpus_dir):
    """The four sample reports ingested once into a private index, with the real model.

    Read-only for tests: a test that writes builds its own index.
    """
    from ingest.pipeline import parse_many
    from api.components import open_index

    settings = Settings(data_dir=tmp_path_factory.mktemp("corpus-index"))
    index = open_index(settings, embedder=e5)
    for result in parse_many([corpus_dir]):
        assert result.document is not None, result.error
        index.add(result.document)
    yield index
    index.close()
