"""The whole-report endpoints: a first draft (JSON and .docx) and the reuse report."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from nlp.embed import HashingEmbedder
from review.templates import load_template
from underlag.settings import Settings

from conftest import LOCAL, SEEDS

TEMPLATE = "aterrapportering-2023"
PARAMS = {"template": TEMPLATE, "exclude_document": SEEDS["aterrapportering_2023"]}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """The app over the sample corpus (seeded at start) with the small hashing embedder."""
    with TestClient(create_app(Settings(data_dir=tmp_path_factory.mktemp("api-draft")), HashingEmbedder()), base_url=LOCAL) as c:
        yield c


@pytest.fixture(scope="module")
def draft(client):
    r = client.get("/api/draft", params=PARAMS)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_draft_answers_every_question_in_order_within_every_limit(draft):
    template = load_template(TEMPLATE, Settings().templates_dir)
    assert [q["id"] for q in draft["questions"]] == [q.id for q in template.questions]
    chars = {q["id"]: q["chars"] for q in draft["questions"]}
    for lim in template.limits:
        assert sum(chars[qid] for qid in lim.questions) <= lim.max_chars
    assert draft["summary"]["limits_exceeded"] == 0 and draft["coverage"]["summary"]["limits_exceeded"] == 0


def test_the_draft_never_cites_the_excluded_report(draft):
    assert draft["excluded_document"]
    assert all(c["document_id"] != draft["excluded_document"] for c in draft["citations"])
    assert all(c["filename"] != SEEDS["aterrapportering_2023"] for c in draft["citations"])


def test_the_draft_as_word_has_the_question_headings(client):
    from docx import Document as Docx

    r = client.get("/api/draft.docx", params=PARAMS)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    h2 = [p.text for p in Docx(io.BytesIO(r.content)).paragraphs if p.style.name == "Heading 2"]
    assert h2[0].startswith("1.1 ") and len(h2) == 35


def test_an_unknown_template_is_404(client):
    assert client.get("/api/draft", params={"template": "../etc/passwd"}).status_code == 404


def test_reuse_of_2023_against_2021(client):
    r = client.get("/api/reuse", params={"report": SEEDS["aterrapportering_2023"],
                                         "against": SEEDS["aterrapportering_2021"]})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["against"][0]["year"] == 2021 and data["summary"]["questions"] > 30
    assert client.get("/api/reuse", params={"report": "no-such-document", "year": 2021}).status_code == 404
