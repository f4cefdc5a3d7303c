"""The whole-report endpoints: a first draft (JSON, .docx, and as a job of the web page) and the reuse report."""

from __future__ import annotations

import io
import time

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


# -- the draft as a job of the web page ------------------------------------------------------

def follow(c: TestClient, job: dict) -> tuple[dict, list[tuple[str, float, str | None]]]:
    """Poll a job to its end; the last answer and every (stage, done, detail) seen."""
    seen = [(job["stage"], job["done"], job["detail"])]
    deadline = time.monotonic() + 300
    while job["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
        job = c.get(f"/api/jobs/{job['id']}").json()
        seen.append((job["stage"], job["done"], job["detail"]))
    return job, seen


@pytest.fixture(scope="module")
def draft_job(client):
    """A draft job that leaves out the 2023 report and the project description."""
    r = client.post("/api/jobs/draft", data={"template": TEMPLATE, "prefer_recent": "true",
                                             "exclude": [SEEDS["aterrapportering_2023"], SEEDS["projektbeskrivning"]]})
    assert r.status_code == 202, r.text
    assert r.json()["kind"] == "draft" and r.json()["label"] == TEMPLATE
    job, seen = follow(client, r.json())
    assert job["status"] == "done", job
    return job, seen


def test_the_draft_job_reports_progress_question_by_question(draft_job):
    job, seen = draft_job
    template = load_template(TEMPLATE, Settings().templates_dir)
    asked = [d for stage, _, d in seen if stage == "drafting"]
    assert len(set(asked)) >= 5 and set(asked) <= {q.id for q in template.questions}
    # group by group in the template's order (inside a group with a shared limit its Ja/Nej
    # questions come after the prose ones), the share done never going back
    groups = list(dict.fromkeys(q.group or q.id for q in template.questions))
    group_of = {q.id: groups.index(q.group or q.id) for q in template.questions}
    firsts = [group_of[q] for q in dict.fromkeys(asked)]
    assert firsts == sorted(firsts)
    shares = [done for _, done, _ in seen]
    assert shares == sorted(shares) and shares[-1] == 1.0 and seen[-1][0] == "done"


def test_the_draft_job_result_is_the_draft_json_without_the_left_out_documents(client, draft_job):
    job, _ = draft_job
    d = job["result"]
    assert set(d) >= {"template", "questions", "limits", "citations", "coverage", "gaps", "summary",
                      "excluded_documents", "prefer_recent"}
    assert d["prefer_recent"] is True and len(d["excluded_documents"]) == 2
    left_out = {SEEDS["aterrapportering_2023"], SEEDS["projektbeskrivning"]}
    assert d["citations"] and not any(c["filename"] in left_out for c in d["citations"])
    assert {c["document_id"] for c in d["citations"]}.isdisjoint(d["excluded_documents"])
    assert d["summary"]["limits_exceeded"] == 0 and d["summary"]["questions"] == 35
    assert all("citation" in p for q in d["questions"] for p in q["parts"])


def test_the_draft_job_downloads_the_word_file_with_headings_in_template_order(client, draft_job):
    from docx import Document as Docx

    job, _ = draft_job
    r = client.get(f"/api/jobs/{job['id']}/download", params={"format": "docx"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "utkast-aterrapportering-2023.docx" in r.headers["content-disposition"]
    paragraphs = Docx(io.BytesIO(r.content)).paragraphs
    h2 = [p.text for p in paragraphs if p.style.name == "Heading 2"]
    grouped = [q for q in job["result"]["questions"] if q["group"]]
    assert [h.split(" ", 1)[0] for h in h2 if h[0].isdigit()] == [q["id"] for q in grouped]
    assert any(p.text.startswith("[1] ") for p in paragraphs)  # the source list
    assert client.get(f"/api/jobs/{job['id']}/download", params={"format": "csv"}).status_code == 404


@pytest.mark.parametrize("data,status", [({"template": "no-such-template"}, 404),
                                         ({"template": TEMPLATE, "exclude": "no-such-document"}, 404),
                                         ({}, 422)])
def test_a_draft_job_with_a_bad_template_or_document_is_refused_at_once(client, data, status):
    r = client.post("/api/jobs/draft", data=data)
    assert r.status_code == status, r.text
