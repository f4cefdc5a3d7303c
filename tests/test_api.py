"""The web service's API, through FastAPI's TestClient, on a private index with
the instant HashingEmbedder: every endpoint, and what it answers to bad input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from nlp.embed import HashingEmbedder
from underlag.settings import Settings

from conftest import LOCAL

DRAFT = """Återrapportering 2025 Region Örebro län

1. Kompetensförsörjning

Region Örebro län har under året arbetat med kompetensförsörjning och validering
tillsammans med kommunerna i länet. Arbetet har gett fler vägar till jobb.

2. Kollektivtrafik

Kollektivtrafiken på landsbygden har byggts ut med fler avgångar och anropsstyrd trafik.
"""


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """A service over the four sample reports (read-only: tests that write use ``empty``)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("api-corpus"))
    with TestClient(create_app(settings, HashingEmbedder()), base_url=LOCAL) as c:
        yield c


def _empty_client(tmp_path: Path, **overrides) -> TestClient:
    settings = Settings(data_dir=tmp_path / "data", **overrides)
    return TestClient(create_app(settings, HashingEmbedder(), seed_corpus=None), base_url=LOCAL)


@pytest.fixture()
def empty(tmp_path):
    with _empty_client(tmp_path) as c:
        yield c


def upload(c: TestClient, name: str = "utkast.txt", data: bytes = DRAFT.encode(), headers=None):
    return c.post("/api/documents", files={"file": (name, io.BytesIO(data), "application/octet-stream")},
                  headers=headers or {})


# -- health and documents ----------------------------------------------------------

def test_health_reports_the_seeded_sample_corpus(client):
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["documents"] == 4 and body["passages"] > 100
    assert body["token_required"] is False


def test_empty_index_at_start_is_filled_with_the_sample_corpus(client):
    names = {d["filename"] for d in client.get("/api/documents").json()}
    assert names == {"000_7fb02ce29b4be31a.txt", "001_a40ca19e294990ef.txt",
                     "002_aee3b258286ac5e7.txt", "003_b61ed9f9079cac58.txt"}


def test_document_listing_gives_no_server_paths(client):
    for d in client.get("/api/documents").json():
        assert "source" not in d and d["url"] == f"/dokument/{d['id']}"


@pytest.mark.parametrize("ref", ["002_aee3b258286ac5e7.txt", "id"])
def test_get_document_by_file_name_or_id(client, ref):
    listed = {d["filename"]: d["id"] for d in client.get("/api/documents").json()}
    ref = listed["002_aee3b258286ac5e7.txt"] if ref == "id" else ref
    doc = client.get(f"/api/documents/{ref}").json()
    assert doc["id"] == listed["002_aee3b258286ac5e7.txt"] and "source" not in doc
    assert [s["index"] for s in doc["sections"]] == list(range(len(doc["sections"])))


def test_sections_of_a_document_carry_numbers_and_questions(client):
    sections = client.get("/api/documents/002_aee3b258286ac5e7.txt/sections").json()
    assert any(s["number"] == "1.1" and s["question"] for s in sections)


@pytest.mark.parametrize("path", ["/api/documents/nothing-here", "/api/documents/nothing-here/sections"])
def test_unknown_document_is_404_json(client, path):
    r = client.get(path)
    assert r.status_code == 404 and r.json()["code"] == "not_found"


# -- search ------------------------------------------------------------------------

def test_search_returns_hits_with_highlights_and_section_links(client):
    r = client.get("/api/search", params={"q": "kompetensförsörjning", "k": 5})
    assert r.status_code == 200
    hits = r.json()["hits"]
    assert len(hits) == 5
    h = hits[0]
    assert h["highlights"] and h["url"] == f"/dokument/{h['document_id']}#avsnitt-{h['section_index']}"
    start, end = h["highlights"][0]
    assert "kompetens" in h["text"][start:end].lower()


def test_search_filters_by_year_and_document(client):
    hits = client.get("/api/search", params={"q": "samverkan", "year": 2021, "k": 20}).json()["hits"]
    assert hits and all(2021 in h["years"] for h in hits)
    hits = client.get("/api/search", params={"q": "samverkan",
                                             "document": "003_b61ed9f9079cac58.txt"}).json()["hits"]
    assert hits and {h["filename"] for h in hits} == {"003_b61ed9f9079cac58.txt"}


def test_search_section_filter_keeps_subsections(client):
    hits = client.get("/api/search", params={"q": "regionen", "section": "1", "k": 30}).json()["hits"]
    assert hits and all(h["section"] == "1" or h["section"].startswith("1.") for h in hits)


@pytest.mark.parametrize("mode", ["hybrid", "lexical", "dense", "rrf"])
def test_search_modes(client, mode):
    r = client.get("/api/search", params={"q": "bredband på landsbygden", "mode": mode})
    assert r.status_code == 200 and r.json()["mode"] == mode and r.json()["hits"]


@pytest.mark.parametrize("params, status, code", [
    ({"q": "   "}, 400, "bad_query"),
    ({"q": "?!"}, 400, "bad_query"),
    ({}, 422, "invalid"),
    ({"q": "x" * 5001}, 422, "invalid"),
    ({"q": "skola", "k": 0}, 422, "invalid"),
    ({"q": "skola", "k": "many"}, 422, "invalid"),
    ({"q": "skola", "mode": "magic"}, 422, "invalid"),
    ({"q": "skola", "year": 99999}, 422, "invalid"),
    ({"q": "skola", "document": "no-such-document"}, 404, "unknown_document"),
])
def test_bad_search_is_a_clear_4xx(client, params, status, code):
    r = client.get("/api/search", params=params)
    assert r.status_code == status and r.json()["code"] == code and r.json()["detail"]


def test_prior_wording_finds_a_copied_passage_first(client):
    hit = client.get("/api/search", params={"q": "kollektivtrafik", "k": 1}).json()["hits"][0]
    r = client.post("/api/prior-wording", json={"text": hit["text"][:400], "k": 3})
    assert r.status_code == 200
    first = r.json()["hits"][0]
    assert first["id"] == hit["id"] and first["overlap"] > 0.9


def test_prior_wording_can_leave_a_document_out(client):
    hit = client.get("/api/search", params={"q": "kollektivtrafik", "k": 1}).json()["hits"][0]
    r = client.post("/api/prior-wording", json={"text": hit["text"][:400],
                                                "exclude_document": hit["document_id"]})
    assert all(h["document_id"] != hit["document_id"] for h in r.json()["hits"])


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": "abc", "k": 1000}, {"text": 5},
                                  {"text": "abc", "filters": {"year": "soon"}}])
def test_bad_prior_wording_request_is_422(client, body):
    r = client.post("/api/prior-wording", json=body)
    assert r.status_code == 422 and r.json()["code"] == "invalid"


def test_malformed_json_is_422(client):
    r = client.post("/api/prior-wording", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


# -- upload, ingest, delete ----------------------------------------------------------

def test_upload_ingests_a_text_report_and_makes_it_searchable(empty):
    r = upload(empty)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "ingested" and body["passages"] >= 2
    assert body["document"]["filename"] == "utkast.txt"
    hits = empty.get("/api/search", params={"q": "anropsstyrd trafik"}).json()["hits"]
    assert hits and hits[0]["filename"] == "utkast.txt"


def test_upload_of_the_same_bytes_again_is_unchanged(empty):
    assert upload(empty).status_code == 201
    r = upload(empty, name="kopia.txt")
    assert r.status_code == 200 and r.json()["status"] == "unchanged"
    assert len(empty.get("/api/documents").json()) == 1


def test_uploads_are_stored_under_content_addressed_names(empty, tmp_path):
    upload(empty, name="../../../etc/passwd.txt")
    stored = list((tmp_path / "data" / "uploads").iterdir())
    assert len(stored) == 1 and stored[0].name.endswith(".txt") and len(stored[0].stem) == 16
    assert empty.get("/api/documents").json()[0]["filename"] == "passwd.txt"
    assert not (tmp_path / "etc").exists()


def test_upload_of_a_docx_report(empty, tmp_path):
    from docx import Document as Docx

    d = Docx()
    d.add_heading("Projektbeskrivning Bredband", 0)
    d.add_heading("1. Bakgrund", 1)
    d.add_paragraph("Bredbandsutbyggnaden på landsbygden i Örebro län behöver fortsätta under 2026.")
    buf = io.BytesIO()
    d.save(buf)
    r = upload(empty, "projekt.docx", buf.getvalue())
    assert r.status_code == 201, r.text
    assert empty.get("/api/search", params={"q": "bredbandsutbyggnad"}).json()["hits"]


@pytest.mark.parametrize("name, data, status, code", [
    ("rapport.exe", b"MZ\x90\x00", 415, "unsupported_format"),
    ("rapport", b"text utan filtyp", 415, "unsupported_format"),
    ("gammal.doc", b"\xd0\xcf\x11\xe0", 415, "unsupported_format"),
    ("tom.txt", b"", 422, "empty"),
    ("trasig.pdf", b"%PDF-1.4 this is not a pdf", 422, "corrupt"),
    ("trasig.docx", b"PK\x03\x04 not a zip", 422, "corrupt"),
    ("binar.txt", bytes(range(256)) * 40, 422, None),
])
def test_bad_upload_is_a_clear_4xx_naming_the_file(empty, name, data, status, code):
    r = upload(empty, name, data)
    assert r.status_code == status, r.text
    body = r.json()
    if code:
        assert body["code"] == code
    assert "/data/" not in body["detail"]  # never the server's paths
    assert empty.get("/api/documents").json() == []


def test_upload_without_a_file_is_422(empty):
    r = empty.post("/api/documents", data={"nothing": "here"})
    assert r.status_code == 422 and r.json()["code"] == "invalid"


def test_upload_over_the_limit_is_413(tmp_path):
    with _empty_client(tmp_path, max_upload_mb=0.01) as c:
        r = upload(c, "stor.txt", ("Kompetensförsörjning i länet. " * 2000).encode())
        assert r.status_code == 413 and r.json()["code"] == "too_large"
        assert not list((tmp_path / "data" / "uploads").glob("*.txt"))


def test_body_without_content_length_over_the_limit_is_413(tmp_path):
    with _empty_client(tmp_path, max_upload_mb=0.01) as c:
        def chunks():
            for _ in range(200):
                yield b"x" * 1024

        r = c.post("/api/prior-wording", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413 and r.json()["code"] == "too_large"


def test_delete_removes_the_document_its_hits_and_its_uploaded_file(empty, tmp_path):
    doc_id = upload(empty).json()["document"]["id"]
    assert (tmp_path / "data" / "uploads" / f"{doc_id}.txt").exists()
    r = empty.delete(f"/api/documents/{doc_id}")
    assert r.status_code == 200 and r.json() == {"deleted": doc_id}
    assert empty.get("/api/documents").json() == []
    assert empty.get("/api/search", params={"q": "anropsstyrd trafik"}).json()["hits"] == []
    assert not (tmp_path / "data" / "uploads" / f"{doc_id}.txt").exists()
    assert empty.delete(f"/api/documents/{doc_id}").status_code == 404


# -- token -----------------------------------------------------------------------

@pytest.fixture()
def guarded(tmp_path):
    with _empty_client(tmp_path, api_token="hemligt-1") as c:
        yield c


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer fel"}, {"Authorization": "hemligt-1"}])
def test_write_endpoints_need_the_token_when_one_is_set(guarded, headers):
    r = upload(guarded, headers=headers)
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    assert r.headers["www-authenticate"] == "Bearer"
    assert guarded.delete("/api/documents/x", headers=headers).status_code == 401
    assert guarded.get("/api/documents").json() == []


def test_write_endpoints_accept_the_right_token(guarded):
    auth = {"Authorization": "Bearer hemligt-1"}
    doc_id = upload(guarded, headers=auth).json()["document"]["id"]
    assert guarded.delete(f"/api/documents/{doc_id}", headers=auth).status_code == 200


def test_reading_needs_no_token(guarded):
    assert guarded.get("/api/health").json()["token_required"] is True
    assert guarded.get("/api/documents").status_code == 200


# -- pages and what is reachable ------------------------------------------------------

def test_web_page_is_swedish_html_with_a_strict_content_policy(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '<html lang="sv">' in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_document_page_has_an_anchor_per_section(client):
    doc = client.get("/api/documents/002_aee3b258286ac5e7.txt").json()
    r = client.get(doc["url"])
    assert r.status_code == 200
    for s in doc["sections"]:
        assert f'id="avsnitt-{s["index"]}"' in r.text


def test_document_page_escapes_document_text(empty):
    text = "Rapport <script>alert(1)</script>\n\n1. Avsnitt\n\nText om <b>skolor</b> i länet.\n"
    upload(empty, "x.txt", text.encode())
    doc_id = empty.get("/api/documents").json()[0]["id"]
    page = empty.get(f"/dokument/{doc_id}").text
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_unknown_document_page_is_404(client):
    assert client.get("/dokument/finns-inte").status_code == 404


@pytest.mark.parametrize("path", ["/static/../../underlag/settings.py", "/static/%2e%2e/app.py",
                                  "/etc/passwd", "/data/index/underlag.sqlite", "/static/../../../etc/passwd"])
def test_nothing_outside_the_static_folder_is_served(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert "BaseSettings" not in r.text and "root:" not in r.text


def test_openapi_schema_lists_every_endpoint(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/health", "/api/documents", "/api/documents/{ref}", "/api/documents/{ref}/sections",
            "/api/search", "/api/prior-wording"} <= set(paths)
    assert "security" in paths["/api/documents"]["post"]
