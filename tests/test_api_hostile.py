"""The web service under hostile input: wildcards in filters and deletes, odd-sized
requests, cross-site writes, identical uploads at once, and what failed uploads leave."""

from __future__ import annotations

import io
import os
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from nlp.embed import HashingEmbedder
from underlag.settings import Settings

REPORT = """Återrapportering 2025 Region Örebro län

1. Kompetensförsörjning

Region Örebro län har arbetat med kompetensförsörjning och validering i länet.

1.1 Validering

Valideringen av yrkeskunskaper och kompetensförsörjning har nått fler personer under året.

2. Kollektivtrafik

Kollektivtrafiken på landsbygden har byggts ut med fler avgångar och anropsstyrd trafik.
"""


def make_client(tmp_path: Path, **overrides) -> TestClient:
    settings = Settings(data_dir=tmp_path / "data", **overrides)
    return TestClient(create_app(settings, HashingEmbedder(), seed_corpus=None))


def upload(c: TestClient, name: str = "rapport.txt", data: bytes = REPORT.encode(), path: str = "/api/documents",
           headers: dict | None = None, **form):
    return c.post(path, files={"file": (name, io.BytesIO(data), "application/octet-stream")},
                  data=form or None, headers=headers or {})


@pytest.fixture(scope="module")
def one_document(tmp_path_factory):
    """A service whose index holds exactly one document (tests leave it so)."""
    with make_client(tmp_path_factory.mktemp("one")) as c:
        assert upload(c).status_code == 201
        yield c


# -- 6. wildcards in filters and in a delete ------------------------------------------

@pytest.mark.parametrize("mode", ["hybrid", "lexical", "dense"])
@pytest.mark.parametrize("section", ["%", "_", "\\", "1%", "%.%"])
def test_a_section_filter_of_wildcards_matches_no_section(one_document, mode, section):
    r = one_document.get("/api/search", params={"q": "kompetensförsörjning", "section": section, "mode": mode})
    assert r.status_code == 200 and r.json()["hits"] == []


def test_a_plain_section_filter_still_matches_the_section_and_its_subsections(one_document):
    hits = one_document.get("/api/search", params={"q": "kompetensförsörjning", "section": "1"}).json()["hits"]
    assert {h["section"] for h in hits} == {"1", "1.1"}


@pytest.mark.parametrize("ref", ["%25", "_", "%25%25", "____", "%5C"])
def test_a_delete_of_a_wildcard_deletes_nothing(one_document, ref):
    r = one_document.delete(f"/api/documents/{ref}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert len(one_document.get("/api/documents").json()) == 1


@pytest.mark.parametrize("ref", ["%25", "_"])
def test_a_document_filter_of_a_wildcard_names_no_document(one_document, ref):
    r = one_document.get(f"/api/search?q=kollektivtrafik&document={ref}")
    assert r.status_code == 404 and r.json()["code"] == "unknown_document"


def test_a_unique_id_prefix_still_names_its_document(one_document):
    doc_id = one_document.get("/api/documents").json()[0]["id"]
    assert one_document.get(f"/api/documents/{doc_id[:6]}").json()["id"] == doc_id


# -- 4. identical drafts at once; 5. what failed uploads leave ------------------------

@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """A service for tests that leave the index as they found it."""
    folder = tmp_path_factory.mktemp("shared")
    with make_client(folder) as c:
        yield c, folder / "data"


@pytest.mark.parametrize("path", ["/api/tag/file", "/api/coverage"])
def test_identical_drafts_sent_at_once_all_succeed(shared, path):
    c, _ = shared
    form = {"template": c.get("/api/templates").json()[0]["id"]} if path == "/api/coverage" else {}
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: upload(c, "utkast.txt", REPORT.encode(), path, **form), range(6)))
    assert [r.status_code for r in answers] == [200] * 6, [r.text[:200] for r in answers]


def bad_files() -> list[tuple[str, bytes]]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    return [("binar.txt", bytes(range(256)) * 40), ("trasig.docx", b"PK\x03\x04 not a zip"),
            ("brus.docx", os.urandom(4096)), ("trasig.pdf", b"%PDF-1.4 this is not a pdf"),
            ("tom-zip.docx", buf.getvalue()), ("tom.txt", b""), ("bara-blanksteg.md", b"   \n\n  \n")]


def test_refused_uploads_leave_no_file_behind(shared):
    c, data = shared
    template = c.get("/api/templates").json()[0]["id"]
    for name, content in bad_files():
        for path, form in (("/api/documents", {}), ("/api/tag/file", {}), ("/api/coverage", {"template": template})):
            r = upload(c, name, content, path, **form)
            assert 400 <= r.status_code < 500 and r.json()["code"], (name, path, r.text)
    left = [p for folder in ("uploads", "drafts") if (data / folder).exists() for p in (data / folder).iterdir()]
    assert left == []


def test_an_indexed_upload_is_kept_once_under_its_content_address(shared):
    c, data = shared
    r = upload(c, "kopia-1.txt", REPORT.encode() + b"\nEn rad till.\n")
    doc_id = r.json()["document"]["id"]
    assert [p.name for p in (data / "uploads").iterdir()] == [f"{doc_id}.txt"]
    assert c.delete(f"/api/documents/{doc_id}").status_code == 200
    assert list((data / "uploads").iterdir()) == []


# -- 1. uploads that are only looked at need the token too -----------------------------

@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    with make_client(tmp_path_factory.mktemp("guarded"), api_token="hemligt-1") as c:
        yield c


@pytest.mark.parametrize("path", ["/api/tag/file", "/api/coverage"])
def test_draft_uploads_need_the_token_when_one_is_set(guarded, path):
    form = {"template": guarded.get("/api/templates").json()[0]["id"]} if path == "/api/coverage" else {}
    for headers in ({}, {"Authorization": "Bearer fel"}):
        r = upload(guarded, "utkast.txt", REPORT.encode(), path, headers=headers, **form)
        assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    r = upload(guarded, "utkast.txt", REPORT.encode(), path, headers={"Authorization": "Bearer hemligt-1"}, **form)
    assert r.status_code == 200, r.text
