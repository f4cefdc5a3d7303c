"""The tagging endpoints: frameworks, tagging a text, a file and a stored document,
the portfolio matrix and the goal filter of search."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from nlp.embed import HashingEmbedder
from underlag.settings import PROJECT_ROOT, Settings

from conftest import LOCAL

TEXT = "Vi bygger ut bredband på landsbygden och arbetar med jämställdhet i skolan."


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with TestClient(create_app(Settings(data_dir=tmp_path_factory.mktemp("api-tagging")), HashingEmbedder()), base_url=LOCAL) as c:
        yield c


def test_taxonomies_list_every_framework_with_goals_and_targets(client):
    frameworks = {f["id"]: f for f in client.get("/api/taxonomies").json()}
    assert {"agenda2030", "national_strategy", "rus_orebro"} <= set(frameworks)
    agenda = frameworks["agenda2030"]
    assert len(agenda["goals"]) == 17 and len(agenda["targets"]) == 169
    assert all(t["parent"] for t in agenda["targets"])


def test_tagging_a_text_gives_labels_with_evidence_spans_in_the_input(client):
    r = client.post("/api/tag", json={"text": TEXT})
    assert r.status_code == 200
    body = r.json()
    assert body["characters"] == len(TEXT) and body["labels"]
    for label in body["labels"]:
        assert 0 <= label["score"] <= 1
        for e in label["evidence"]:
            assert TEXT[e["start"]:e["end"]] == e["text"]
            assert all(e["start"] <= s < t <= e["end"] for s, t in e["highlights"])


def test_tagging_can_be_limited_to_one_framework(client):
    labels = client.post("/api/tag", json={"text": TEXT, "frameworks": ["agenda2030"]}).json()["labels"]
    assert labels and {x["framework"] for x in labels} == {"agenda2030"}


@pytest.mark.parametrize("body, status", [({}, 422), ({"text": ""}, 422), ({"text": "   "}, 422),
                                          ({"text": "x" * 200_001}, 422), ({"text": TEXT, "frameworks": ["nej"]}, 404)])
def test_bad_tagging_request_is_a_clear_4xx(client, body, status):
    r = client.post("/api/tag", json=body)
    assert r.status_code == status and r.json()["detail"]


def test_uploaded_file_gets_a_goal_profile_and_is_not_stored(client):
    before = client.get("/api/documents").json()
    data = (PROJECT_ROOT / "corpus" / "003_b61ed9f9079cac58.txt").read_bytes()
    r = client.post("/api/tag/file", files={"file": ("projekt.txt", data)})
    assert r.status_code == 200, r.text
    profile = r.json()
    assert profile["file"] == "projekt.txt" and profile["labels"] and profile["passages"] > 5
    assert client.get("/api/documents").json() == before


def test_bad_file_for_tagging_is_a_clear_4xx(client):
    assert client.post("/api/tag/file", files={"file": ("x.exe", b"MZ")}).status_code == 415
    assert client.post("/api/tag/file", files={"file": ("x.pdf", b"%PDF-broken")}).status_code == 422


def test_stored_document_has_a_goal_profile(client):
    r = client.get("/api/documents/003_b61ed9f9079cac58.txt/tags")
    assert r.status_code == 200 and r.json()["labels"]
    assert client.get("/api/documents/nothing/tags").status_code == 404


def test_portfolio_is_a_documents_by_goals_matrix(client):
    m = client.get("/api/portfolio", params={"framework": "agenda2030"}).json()
    assert len(m["labels"]) == 17 and len(m["documents"]) == 4
    for d in m["documents"]:
        assert set(d["share"]) == {lab["id"] for lab in m["labels"]}
        assert all(0 <= v <= 1 for v in d["share"].values())
    assert any(v > 0 for d in m["documents"] for v in d["share"].values())


@pytest.mark.parametrize("params, status", [({"framework": "nej"}, 404), ({"level": "planet"}, 422)])
def test_bad_portfolio_request_is_a_clear_4xx(client, params, status):
    assert client.get("/api/portfolio", params=params).status_code == status


def test_search_by_goal_returns_only_tagged_passages(client):
    m = client.get("/api/portfolio").json()
    goal = max(m["labels"], key=lambda lab: sum(d["passages"][lab["id"]] for d in m["documents"]))["id"]
    hits = client.get("/api/search", params={"q": "arbete", "goal": f"agenda2030:{goal}", "k": 50}).json()["hits"]
    assert hits
    profiles = {}
    for h in hits:
        if h["document_id"] not in profiles:
            profiles[h["document_id"]] = client.get(f"/api/documents/{h['document_id']}/tags").json()
        tagged = {p["passage"] for p in profiles[h["document_id"]]["passage_tags"]
                  if any(x["framework"] == "agenda2030" and x["id"] == goal for x in p["labels"])}
        assert h["id"] in tagged


def test_documents_ingested_without_the_tagger_are_tagged_in_the_background(tmp_path, monkeypatch):
    """The CLI ingests without tagging: the server tags such documents after it starts,
    one at a time, and says in /api/health how many are left; and what the CLI ingests
    while the server runs is found by search and tagged too."""
    import time

    import api.service

    monkeypatch.setattr(api.service, "TAG_POLL_S", 0.2)

    from index.search import SearchIndex
    from ingest.pipeline import parse_file
    from nlp.analyzer import default_analyzer

    def tagged_documents(c: TestClient) -> set[str]:
        """The documents the portfolio (which reads the stored tags) has tagged passages of."""
        return {d["id"] for d in c.get("/api/portfolio").json()["documents"] if any(d["share"].values())}

    settings = Settings(data_dir=tmp_path / "data")
    with SearchIndex(settings.index_dir, default_analyzer(), HashingEmbedder()) as index:
        for name in ("003_b61ed9f9079cac58.txt", "001_a40ca19e294990ef.txt"):
            index.add(parse_file(PROJECT_ROOT / "corpus" / name))
        doc_ids = {d.id for d in index.store.list()}
    with TestClient(create_app(settings, HashingEmbedder(), seed_corpus=None), base_url=LOCAL) as c:
        deadline = time.monotonic() + 120
        while (health := c.get("/api/health").json())["tagging_pending"] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert health["tagging_pending"] == 0 and health["documents"] == 2
        assert tagged_documents(c) == doc_ids

        # the CLI ingests a third report into the folder the server is serving
        third = parse_file(PROJECT_ROOT / "corpus" / "000_7fb02ce29b4be31a.txt")
        with SearchIndex(settings.index_dir, default_analyzer(), HashingEmbedder()) as index:
            index.add(third)
        hits = c.get("/api/search", params={"q": "utbyggnaden av bredband", "document": third.id, "k": 3}).json()["hits"]
        assert hits and all(h["document_id"] == third.id for h in hits)
        deadline = time.monotonic() + 60
        while (tagged := tagged_documents(c)) != doc_ids | {third.id} and time.monotonic() < deadline:
            time.sleep(0.2)
        assert tagged == doc_ids | {third.id}
