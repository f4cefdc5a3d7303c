"""The API behind the workbench page: search totals, facets, paging and collapsed
copies; exports; jobs with progress; offline API docs. TestClient, HashingEmbedder."""

from __future__ import annotations

import csv
import io
import time

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.app import create_app
from nlp.embed import HashingEmbedder
from underlag.settings import PROJECT_ROOT, Settings

from conftest import LOCAL

REPORT = """Lägesrapport {year}

1. Bredband på landsbygden

Region Örebro län har tillsammans med kommunerna byggt ut bredband till byar på landsbygden.
Utbyggnaden ger fler företag möjlighet att verka i hela länet.
"""


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("workbench-api"))
    with TestClient(create_app(settings, HashingEmbedder()), base_url=LOCAL) as c:
        yield c


@pytest.fixture()
def empty(tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path / "data"), HashingEmbedder(), seed_corpus=None), base_url=LOCAL) as c:
        yield c


def follow(c: TestClient, job: dict) -> tuple[dict, list[tuple[str, float]]]:
    """Poll a job to its end; the last answer and every (stage, done) seen."""
    seen = [(job["stage"], job["done"])]
    deadline = time.monotonic() + 120
    while job["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
        job = c.get(f"/api/jobs/{job['id']}").json()
        seen.append((job["stage"], job["done"]))
    return job, seen


def test_a_made_up_word_has_a_total_of_zero_and_no_hit_that_counts(client):
    body = client.get("/api/search", params={"q": "xylofonorkester", "k": 20}).json()
    assert body["total"] == 0 and not any(h["counted"] for h in body["hits"])


def test_the_total_counts_more_than_a_page_and_pages_continue(client):
    first = client.get("/api/search", params={"q": "samverkan", "k": 10}).json()
    second = client.get("/api/search", params={"q": "samverkan", "k": 10, "offset": 10}).json()
    both = client.get("/api/search", params={"q": "samverkan", "k": 20}).json()
    assert first["total"] > 20 and first["total"] == second["total"] and second["offset"] == 10
    assert [h["id"] for h in first["hits"] + second["hits"]] == [h["id"] for h in both["hits"]]
    # the pages follow the search's ranking; the hits that count are the total's
    pages = [client.get("/api/search", params={"q": "samverkan", "k": 100, "offset": o}).json()["hits"]
             for o in range(0, first["total"] + 100, 100)]
    assert sum(h["counted"] for page in pages for h in page) == first["total"]


@pytest.mark.parametrize("facet,param", [("year", "year"), ("doc_type", "doc_type"),
                                         ("document", "document"), ("goal", "goal")])
def test_a_facet_count_is_the_total_of_the_search_narrowed_by_it(client, facet, param):
    body = client.get("/api/search", params={"q": "samverkan"}).json()
    values = body["facets"][facet]
    assert values and sum(v["count"] for v in values) >= values[0]["count"]
    for v in values[:3]:
        narrowed = client.get("/api/search", params={"q": "samverkan", param: v["value"]}).json()
        assert narrowed["total"] == v["count"], (facet, v)


def test_goal_facets_are_named_by_their_titles_not_their_slugs(client):
    goals = client.get("/api/search", params={"q": "samverkan"}).json()["facets"]["goal"]
    assert all(g["label"] != g["value"].split(":")[1] for g in goals)


def test_an_unknown_goal_filter_is_404_unknown_goal(client):
    r = client.get("/api/search", params={"q": "samverkan", "goal": "99.99"})
    assert r.status_code == 404 and r.json()["code"] == "unknown_goal"


def test_copies_of_a_passage_collapse_into_one_hit_that_names_the_others(empty):
    for year in (2024, 2025):  # two reports, the same paragraph
        r = empty.post("/api/documents", files={"file": (f"rapport-{year}.txt", REPORT.format(year=year).encode())})
        assert r.status_code == 201
    body = empty.get("/api/search", params={"q": "bredband landsbygden"}).json()
    assert body["total"] == 1 and len(body["hits"]) == 1
    (other,) = body["hits"][0]["also_in"]
    assert other["document_id"] != body["hits"][0]["document_id"] and other["url"].startswith("/dokument/")


def test_hits_export_as_csv_and_xlsx_with_every_counted_hit(client):
    total = client.get("/api/search", params={"q": "bredband"}).json()["total"]
    r = client.get("/api/search.csv", params={"q": "bredband"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "nr" and len(rows) - 1 == total
    assert all(row[7].startswith(f"{LOCAL}/dokument/") for row in rows[1:])
    x = client.get("/api/search.xlsx", params={"q": "bredband"})
    sheet = load_workbook(io.BytesIO(x.content)).active
    assert sheet.max_row - 1 == total and sheet["G2"].value == rows[1][6]


def test_the_document_listing_has_passages_organisation_and_tagged(client):
    docs = client.get("/api/documents").json()
    assert all(d["passages"] > 0 and d["tagged"] is True for d in docs)
    assert any(d["organisation"] == "Region Örebro län" for d in docs)
    assert sum(d["passages"] for d in docs) == client.get("/api/health").json()["passages"]


def test_an_upload_job_reports_its_stages_and_its_result(empty):
    r = empty.post("/api/jobs/documents", files={"file": ("rapport.txt", REPORT.format(year=2026).encode())})
    assert r.status_code == 202
    job, seen = follow(empty, r.json())
    assert job["status"] == "done" and job["result"]["status"] == "ingested" and job["result"]["passages"] > 0
    assert [d for _, d in seen] == sorted(d for _, d in seen)  # the share done never goes back
    again, _ = follow(empty, empty.post("/api/jobs/documents", files={
        "file": ("kopia.txt", REPORT.format(year=2026).encode())}).json())
    assert again["result"]["status"] == "unchanged"


def test_a_refused_upload_is_an_error_with_a_code(empty):
    r = empty.post("/api/jobs/documents", files={"file": ("tom.txt", b"")})
    assert r.status_code == 422 and r.json()["code"] == "empty"


def test_a_coverage_job_moves_through_its_stages_and_offers_docx_and_html(client):
    report = next((PROJECT_ROOT / "corpus").glob("001_*.txt"))
    r = client.post("/api/jobs/coverage", data={"template": "aterrapportering-2023"},
                    files={"file": (report.name, report.read_bytes())})
    job, seen = follow(client, r.json())
    assert job["status"] == "done" and job["result"]["summary"]["questions"] > 5
    assert {"embedding", "done"} <= {s for s, _ in seen} or job["seconds"] < 0.5
    docx = client.get(f"/api/jobs/{job['id']}/download", params={"format": "docx"})
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    html = client.get(f"/api/jobs/{job['id']}/download", params={"format": "html"})
    assert "Granskning av" in html.text


def test_a_table_is_tagged_by_the_chosen_column(client):
    table = "id;beskrivning\n1;Utbyggnad av bredband på landsbygden\n2;Jämställd rekrytering i länets företag\n"
    r = client.post("/api/jobs/tag-table", data={"column": "beskrivning"},
                    files={"file": ("projekt.csv", table.encode("utf-8"))})
    job, _ = follow(client, r.json())
    assert job["result"]["rows"] == 2
    out = client.get(f"/api/jobs/{job['id']}/download")
    rows = list(csv.DictReader(io.StringIO(out.content.decode("utf-8-sig"))))
    assert [row["id"] for row in rows] == ["1", "2"] and "agenda2030_goals" in rows[0]
    wrong = client.post("/api/jobs/tag-table", data={"column": "text"}, files={"file": ("projekt.csv", table.encode())})
    assert wrong.status_code == 422 and "beskrivning" in wrong.json()["detail"]


def test_an_unknown_job_is_404(client):
    assert client.get("/api/jobs/0123456789abcdef").status_code == 404


def test_the_api_docs_load_their_assets_from_this_server(client):
    docs = client.get("/docs").text
    assert "/static-offline-docs/swagger-ui-bundle.js" in docs and "cdn" not in docs
    assert client.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200
    redoc = client.get("/redoc")
    assert "/static-offline-docs/redoc.standalone.js" in redoc.text and "fonts.googleapis" not in redoc.text
    assert "img-src 'self'" in redoc.headers["content-security-policy"]


def test_the_agenda_2030_framework_is_named_in_swedish_only(client):
    names = {f["id"]: f["name"] for f in client.get("/api/taxonomies").json()}
    assert names["agenda2030"] == "Agenda 2030: 17 globala mål och 169 delmål"


def test_an_export_named_by_a_query_outside_latin_1_downloads_under_that_name(client):
    r = client.get("/api/search.csv", params={"q": "bredband Ōsaka"})
    disposition = r.headers["content-disposition"]
    assert r.status_code == 200 and disposition.isascii()
    assert "filename*=UTF-8''traffar-bredband-%C5%8Dsaka.csv" in disposition
