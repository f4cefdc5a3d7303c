"""The review endpoints: templates, coverage of an uploaded draft, suggestions (JSON and .docx)."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from nlp.embed import HashingEmbedder
from underlag.settings import PROJECT_ROOT, Settings

from conftest import LOCAL

TEMPLATE = "aterrapportering-2023"
DRAFT_2023 = PROJECT_ROOT / "corpus" / "002_aee3b258286ac5e7.txt"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with TestClient(create_app(Settings(data_dir=tmp_path_factory.mktemp("api-review")), HashingEmbedder()), base_url=LOCAL) as c:
        yield c


def test_templates_are_listed_with_their_question_counts(client):
    templates = {t["id"]: t for t in client.get("/api/templates").json()}
    assert {"aterrapportering-2021", TEMPLATE} <= set(templates)
    assert templates[TEMPLATE]["questions"] > 10


def test_template_has_questions_and_limits(client):
    t = client.get(f"/api/templates/{TEMPLATE}").json()
    assert t["questions"][0]["id"] == "1.1" and t["limits"]


@pytest.mark.parametrize("template_id", ["nope", "..%2F..%2Fetc%2Fpasswd.yaml", "%2Fetc%2Fhosts.yaml"])
def test_unknown_or_path_like_template_is_404(client, template_id):
    r = client.get(f"/api/templates/{template_id}")
    assert r.status_code == 404


def test_coverage_of_a_filled_in_report_answers_its_questions(client):
    r = client.post("/api/coverage", data={"template": TEMPLATE},
                    files={"file": ("utkast.txt", DRAFT_2023.read_bytes())})
    assert r.status_code == 200, r.text
    report = r.json()
    q11 = next(q for q in report["questions"] if q["id"] == "1.1")
    assert q11["status"] == "answered" and q11["chars"] > 0 and q11["limit"]["max_chars"] == 4500
    assert report["draft"] == "utkast.txt" and report["summary"]["answered"] > 20


def test_coverage_does_not_keep_the_draft_or_index_it(client, tmp_path):
    before = client.get("/api/documents").json()
    client.post("/api/coverage", data={"template": TEMPLATE},
                files={"file": ("utkast.txt", b"Utkast\n\n1.1 Svar\n\nText.\n")})
    assert client.get("/api/documents").json() == before
    drafts = client.app.state.settings.data_dir / "drafts"
    assert not drafts.exists() or not any(drafts.iterdir())


@pytest.mark.parametrize("data, files, status", [
    ({"template": TEMPLATE}, None, 422),
    ({}, {"file": ("u.txt", b"Text om skolor.")}, 422),
    ({"template": "nope"}, {"file": ("u.txt", b"Text om skolor.")}, 404),
    ({"template": TEMPLATE}, {"file": ("u.exe", b"MZ")}, 415),
    ({"template": TEMPLATE}, {"file": ("u.txt", b"")}, 422),
    ({"template": TEMPLATE}, {"file": ("u.pdf", b"%PDF-1.4 broken")}, 422),
])
def test_bad_coverage_request_is_a_clear_4xx(client, data, files, status):
    r = client.post("/api/coverage", data=data, files=files)
    assert r.status_code == status and r.json()["detail"]


def test_suggestion_cites_earlier_reports_within_the_budget(client):
    r = client.get("/api/suggest", params={"template": TEMPLATE, "question": "1.1"})
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["draft"] and s["citations"] and s["chars"] <= s["budget"]
    assert {p["citation"] for p in s["parts"]} <= {c["n"] for c in s["citations"]}


def test_suggestion_as_docx(client):
    from docx import Document as Docx

    r = client.get("/api/suggest.docx", params={"template": TEMPLATE, "question": "1.1"})
    assert r.status_code == 200
    assert r.headers["content-disposition"] == f'attachment; filename="forslag-{TEMPLATE}-1.1.docx"'
    text = "\n".join(p.text for p in Docx(io.BytesIO(r.content)).paragraphs)
    assert "Källor" in text


@pytest.mark.parametrize("params, status, code", [
    ({"template": TEMPLATE, "question": "99.9"}, 404, "unknown_question"),
    ({"template": "nope", "question": "1.1"}, 404, "not_found"),
    ({"template": TEMPLATE}, 422, "invalid"),
    ({"template": TEMPLATE, "question": "1.1", "max_chars": 5}, 422, "invalid"),
    ({"template": TEMPLATE, "question": "1.1", "exclude_document": "no-such-doc"}, 404, "unknown_document"),
])
def test_bad_suggestion_request_is_a_clear_4xx(client, params, status, code):
    for path in ("/api/suggest", "/api/suggest.docx"):
        r = client.get(path, params=params)
        assert r.status_code == status and r.json()["code"] == code
