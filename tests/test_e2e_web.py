"""End to end in headless Chromium: the real server on loopback, driven by Playwright.

A person searches, opens a hit at its section, uploads a draft and reads its
coverage per question. Screenshots go to tests/out/. The server runs with the
instant HashingEmbedder (UNDERLAG_API_EMBEDDER=hashing) on a private index of
the sample corpus, so the test takes seconds, not minutes.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from api.subprocess_server import served
from underlag.settings import PROJECT_ROOT

CHROMIUM = os.environ.get("UNDERLAG_CHROMIUM", "/usr/bin/chromium")
OUT = PROJECT_ROOT / "tests" / "out"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

DRAFT = """Återrapportering av villkorsbeslut 2025

1.1 Beskriv hur det strategiskt viktigaste arbetet med den regionala utvecklingsstrategin och samordningen av insatser för genomförandet har bedrivits

Region Örebro län har samordnat genomförandet av den regionala utvecklingsstrategin tillsammans med länets kommuner, Länsstyrelsen och Örebro universitet. Arbetet har skett i regionala samverkansgrupper för kompetensförsörjning och innovation.

1.2 Beskriv hur ni har arbetat med att möta samhällsutmaningarna och där integrerat samtliga dimensioner av hållbar utveckling

Arbetet har omfattat ekonomisk, social och miljömässig hållbarhet, bland annat genom satsningar på omställning och inkludering.
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served(tmp_path_factory.mktemp("e2e") / "data") as base:
        yield base


@pytest.fixture(scope="module")
def page():
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: run scripts/install_browser.sh")
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="sv-SE")
        errors: list[str] = []  # uncaught script errors (4xx answers are expected: bad input)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_default_timeout(20_000)
        yield page
        browser.close()
        assert not errors, errors


def test_search_shows_highlighted_hits_that_open_the_document_at_its_section(server, page):
    from playwright.sync_api import expect

    page.goto(server + "/")
    expect(page.locator("#status")).to_have_text("4 dokument i indexet.")
    page.get_by_label("Vad letar du efter?").fill("kompetensförsörjning")
    page.keyboard.press("Enter")
    hits = page.locator("#sok-resultat .hit")
    expect(hits.first).to_be_visible()
    assert hits.count() > 3
    expect(hits.first.locator("mark").first).to_be_visible()
    page.screenshot(path=str(OUT / "e2e-sok.png"), full_page=False)

    link = hits.first.locator("h3 a")
    href = link.get_attribute("href")
    # the hit's passage, marked on its document's page (tests/test_e2e_workbench.py checks the marking)
    assert re.fullmatch(r"/dokument/[0-9a-f]+\?stycke=[0-9a-f]+%3A\d+%3A\d+#stycke", href)
    link.click()
    page.wait_for_url(re.compile(r"/dokument/"))
    section = page.locator("#stycke")
    expect(section).to_be_in_viewport()
    page.screenshot(path=str(OUT / "e2e-dokument.png"))

    page.go_back()  # the search is in the address: the hits come back
    expect(page.get_by_label("Vad letar du efter?")).to_have_value("kompetensförsörjning")
    expect(page.locator("#sok-resultat .hit").first).to_be_visible()


def test_search_filters_by_year(server, page):
    from playwright.sync_api import expect

    page.goto(server + "/")
    expect(page.locator("#status")).to_have_text("4 dokument i indexet.")
    page.get_by_label("Vad letar du efter?").fill("samverkan")
    page.get_by_label("År").fill("2021")
    page.get_by_role("button", name="Sök").click()
    expect(page.locator("#sok-resultat .hit").first).to_be_visible()
    headings = page.locator("#sok-resultat .hit h3").all_inner_texts()
    assert headings and all("2021" in h for h in headings)


def test_bad_query_shows_a_swedish_error(server, page):
    from playwright.sync_api import expect

    page.goto(server + "/")
    page.get_by_label("Vad letar du efter?").fill("?!")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Sökfrågan saknar ord")


def test_uploaded_draft_shows_coverage_per_question(server, page, tmp_path):
    from playwright.sync_api import expect

    draft = tmp_path / "utkast-2025.txt"
    draft.write_text(DRAFT, encoding="utf-8")
    page.goto(server + "/#granska")
    form = page.locator("#granska")
    expect(form).to_be_visible()
    form.get_by_label("Mall").select_option("aterrapportering-2023")
    form.get_by_label("Utkast (PDF, Word eller text)").set_input_files(str(draft))
    form.get_by_role("button", name="Granska").click()
    table = page.locator("table.coverage")
    expect(table).to_be_visible()
    row_11 = table.locator("tbody tr").filter(has=page.locator("th", has_text=re.compile(r"^1\.1$")))
    expect(row_11).to_contain_text("Besvarad")
    expect(row_11).to_contain_text("av 4500")
    expect(table.locator("tbody tr").filter(has=page.locator("th", has_text=re.compile(r"^3\.1$")))
           ).to_contain_text("Saknas")
    expect(page.locator(".coverage-summary")).to_contain_text("frågor besvarade")
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(OUT / "e2e-granska.png"), full_page=True)


def test_suggestion_for_a_template_question_with_sources_and_docx(server, page):
    from playwright.sync_api import expect

    page.goto(server + "/#forslag")
    form = page.locator("#forslag-form")  # the section also holds the whole-report draft's form
    expect(form).to_be_visible()
    form.get_by_label("Mall").select_option("aterrapportering-2023")
    form.get_by_label("Fråga").select_option("1.1")
    form.get_by_role("button", name="Föreslå text").click()
    result = page.locator("#forslag-resultat")
    expect(result.locator(".draft p").first).to_be_visible()
    expect(result.locator(".sources li a").first).to_have_attribute("href", re.compile(r"^/dokument/.+#avsnitt-\d+$"))
    result.scroll_into_view_if_needed()
    page.screenshot(path=str(OUT / "e2e-forslag.png"))
    with page.expect_download() as download:
        result.get_by_text("Ladda ner förslaget som Word-dokument").click()
    assert download.value.suggested_filename == "forslag-aterrapportering-2023-1.1.docx"


def test_pasted_text_is_tagged_with_goals_and_evidence(server, page):
    from playwright.sync_api import expect

    page.goto(server + "/#tagga")
    form = page.locator("#tagga")
    form.get_by_label("Klistra in text").fill("Vi bygger ut bredband på landsbygden och arbetar med "
                                              "jämställdhet och utbildning i skolan.")
    form.get_by_role("button", name="Tagga", exact=True).click()
    result = page.locator("#tagga-resultat")
    expect(result.locator("ul.labels li").first).to_be_visible()
    expect(result.locator(".evidence").first).to_be_visible()
    result.scroll_into_view_if_needed()
    page.screenshot(path=str(OUT / "e2e-tagga.png"))


def test_portfolio_heatmap_has_a_row_per_document(server, page):
    from playwright.sync_api import expect

    page.goto(server + "/#portfolj")
    page.locator("#portfolj").get_by_role("button", name="Visa värmekarta").click()
    table = page.locator("table.heatmap")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(table.locator("thead th.goal")).to_have_count(17)
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(OUT / "e2e-portfolj.png"))


def test_keyboard_reaches_the_search_box_from_the_skip_link(server, page):
    page.goto(server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Hoppa till innehållet"
    page.keyboard.press("Enter")
    assert page.url.endswith("#innehall")
    for _ in range(10):  # past the heading links to the first form field
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
