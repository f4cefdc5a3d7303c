"""The web service under hostile input: wildcards in filters and deletes, odd-sized
requests, cross-site writes, identical uploads at once, and what failed uploads leave."""

from __future__ import annotations

import io
import os
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from nlp.embed import HashingEmbedder
from underlag.settings import Settings

from conftest import LOCAL

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
    return TestClient(create_app(settings, HashingEmbedder(), seed_corpus=None), base_url=LOCAL)


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
    with make_client(folder, api_heavy_queue=8) as c:  # six drafts at once all wait their turn
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


# -- 2. other hosts, other sites, and reading with a token ---------------------------

@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", ""])
def test_a_request_for_another_host_is_refused(shared, host):
    c, _ = shared
    r = c.get("/api/documents", headers={"Host": host})
    assert r.status_code == 400 and r.json()["code"] == "bad_host"


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000"])
def test_the_loopback_names_are_answered(shared, host):
    c, _ = shared
    assert c.get("/api/documents", headers={"Host": host}).status_code == 200


def test_allowed_hosts_are_configurable(tmp_path):
    with make_client(tmp_path, allowed_hosts="underlag.intern.example, annan.example") as c:
        assert c.get("/api/health", headers={"Host": "underlag.intern.example:8000"}).status_code == 200
        assert c.get("/api/health", headers={"Host": "localhost"}).status_code == 400


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Origin": "null"},
                                     {"Referer": "https://evil.example/sida.html"},
                                     {"Origin": "http://localhost:9999"}])
def test_a_write_from_another_site_is_refused_and_nothing_is_indexed(shared, headers):
    c, _ = shared
    before = c.get("/api/documents").json()
    r = upload(c, "fran-annan-sajt.txt", REPORT.encode() + b"\nAnnan sajt.\n", headers=headers)
    assert r.status_code == 403 and r.json()["code"] == "cross_site"
    doc_id = before[0]["id"] if before else "x"
    assert c.delete(f"/api/documents/{doc_id}", headers=headers).status_code == 403
    assert c.get("/api/documents").json() == before


@pytest.mark.parametrize("headers", [{"Origin": "http://localhost"}, {"Referer": "http://localhost/"}, {}])
def test_a_write_from_the_servers_own_page_or_a_script_passes(shared, headers):
    c, _ = shared
    r = upload(c, "egen.txt", REPORT.encode() + b"\nEgen sida.\n", headers=headers)
    assert r.status_code in (200, 201), r.text
    assert c.delete(f"/api/documents/{r.json()['document']['id']}", headers=headers).status_code == 200


@pytest.fixture(scope="module")
def read_guarded(tmp_path_factory):
    with make_client(tmp_path_factory.mktemp("read-guarded"), read_token="las-1", api_token="skriv-1") as c:
        yield c


@pytest.mark.parametrize("path", ["/api/documents", "/api/search?q=kompetens", "/", "/docs", "/openapi.json"])
def test_with_a_read_token_reading_needs_it(read_guarded, path):
    r = read_guarded.get(path)
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    assert r.headers["www-authenticate"].startswith("Basic")  # so a browser asks for it
    for auth in ({"Authorization": "Bearer las-1"}, {"Authorization": "Bearer skriv-1"}):
        assert read_guarded.get(path, headers=auth).status_code == 200
    assert read_guarded.get(path, auth=("vem-som-helst", "las-1")).status_code == 200
    assert read_guarded.get(path, auth=("vem-som-helst", "fel")).status_code == 401


def test_with_a_read_token_health_and_static_files_stay_open(read_guarded):
    assert read_guarded.get("/api/health").status_code == 200
    assert read_guarded.get("/static/app.js").status_code == 200


def test_serve_beyond_loopback_refuses_to_start_without_a_read_token(tmp_path):
    from typer.testing import CliRunner

    from api.cli import app

    r = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)],
                           env={"UNDERLAG_READ_TOKEN": "", "UNDERLAG_PUBLIC_READ": "0"})
    assert r.exit_code == 2 and "UNDERLAG_READ_TOKEN" in r.output


# -- 3. no request waits for another kind ---------------------------------------------

def test_reads_answer_while_the_writer_and_the_heavy_pool_are_held_and_a_full_queue_is_503(tmp_path, monkeypatch):
    with make_client(tmp_path, api_heavy_jobs=1, api_heavy_queue=2) as c:
        assert upload(c).status_code == 201
        svc = c.app.state.service
        release = threading.Event()
        real_tag = svc.models.tagger.tag

        def held_tag(*args, **kwargs):
            release.wait(60)
            return real_tag(*args, **kwargs)

        monkeypatch.setattr(svc.models.tagger, "tag", held_tag)
        with ThreadPoolExecutor(4) as pool:
            # a write that holds the writer thread, and three tag requests: one runs, two wait
            writer = pool.submit(svc.call, lambda ix: release.wait(60))
            tags = [pool.submit(c.post, "/api/tag", json={"text": "Bredband på landsbygden."}) for _ in range(3)]
            while svc.heavy_admitted < 3:  # all three admitted (one held in the tagger, two waiting)
                release.wait(0.05)
            full = c.post("/api/tag", json={"text": "Bredband på landsbygden."})
            assert full.status_code == 503 and full.json()["code"] == "busy"
            assert int(full.headers["retry-after"]) > 0
            # reads go on meanwhile
            hits = c.get("/api/search", params={"q": "kollektivtrafik"})
            assert hits.status_code == 200 and hits.json()["hits"]
            assert len(c.get("/api/documents").json()) == 1
            assert c.get("/api/health").json()["documents"] == 1
            assert not writer.done() and not any(t.done() for t in tags)
            release.set()
            assert [t.result().status_code for t in tags] == [200] * 3
            writer.result()


def test_an_acknowledged_upload_is_found_by_the_next_search_and_a_delete_is_gone(tmp_path):
    with make_client(tmp_path) as c:
        for i in range(3):
            r = upload(c, f"rapport-{i}.txt", REPORT.replace("anropsstyrd", f"anropsstyrd{i}x").encode())
            assert r.status_code == 201
            doc_id = r.json()["document"]["id"]
            for mode in ("lexical", "dense", "hybrid"):
                hits = c.get("/api/search", params={"q": f"anropsstyrd{i}x", "mode": mode, "k": 50}).json()["hits"]
                assert doc_id in {h["document_id"] for h in hits}, (i, mode)
        assert c.delete(f"/api/documents/{doc_id}").status_code == 200
        for mode in ("lexical", "dense", "hybrid"):
            hits = c.get("/api/search", params={"q": "anropsstyrd2x", "mode": mode, "k": 50}).json()["hits"]
            assert doc_id not in {h["document_id"] for h in hits}, mode
