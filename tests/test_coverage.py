"""Coverage check: answers, required elements, limits and table sizes of a draft."""

from __future__ import annotations

import pytest

from nlp.analyzer import default_analyzer
from review.coverage import check_coverage, coverage_json
from nlp.embed import HashingEmbedder
from review.templates import Template, load_template
from underlag.model import Block, BlockKind, Document, DocumentMetadata, Section, render_rows
from underlag.settings import get_settings

ACTORS = ("Arbetet har skett i nära samverkan med länets kommuner, Länsstyrelsen i Örebro län "
          "och civilsamhällets organisationer.")
ANSWER_7_1 = [
    "Region Örebro län har under året stärkt integreringen av jämställdhet i det regionala "
    "utvecklingsarbetet genom krav i alla projektansökningar.",
    ACTORS,
    "En utmaning har varit att följa upp effekterna för kvinnor och män i projekten.",
    "En framgångsfaktor är att jämställdhetsstrategen stöttar handläggarna i varje ärende.",
]


def section(number: str | None, title: str, texts: list[str], level: int = 2,
            kind: BlockKind = BlockKind.PARAGRAPH) -> Section:
    return Section(number=number, title=title, heading_path=[title], level=level,
                   blocks=[Block(kind=kind, text=t) for t in texts])


def draft(*sections: Section) -> Document:
    return Document(id="test", source="draft.md", filename="draft.md", format="md",
                    metadata=DocumentMetadata(), sections=list(sections))


def table(rows: int) -> Block:
    body = [["Insats", "Beskrivning och prestationer", "Effekter", "Mål"]] + [
        [f"Insats {i}", "Utbildning för företag", "Ökad kunskap", "RUS"] for i in range(rows)]
    return Block(kind=BlockKind.TABLE, text=render_rows(body), rows=body)


@pytest.fixture(scope="module")
def t2023() -> Template:
    return load_template("aterrapportering-2023", get_settings().templates_dir)


@pytest.fixture(scope="module")
def analyzer():
    return default_analyzer()


def only(t: Template, *qids: str) -> Template:
    """The template cut to a few questions (fewer texts to embed: the tests stay fast)."""
    return t.model_copy(update={"questions": [q for q in t.questions if q.id in qids]})


def q71(t2023: Template, texts: list[str]) -> Section:
    q = t2023.question("7.1")
    return section("7.1", q.title, texts)


def element(report, qid: str, eid: str):
    q = next(q for q in report.questions if q.id == qid)
    return next(e for e in q.elements if e.id == eid)


def test_actors_named_in_a_sentence_are_covered_with_that_sentence(t2023, e5, analyzer):
    report = check_coverage(draft(q71(t2023, ANSWER_7_1)), only(t2023, "7.1"), e5, analyzer)
    actors = element(report, "7.1", "aktorer")
    assert actors.status == "covered"
    assert actors.sentence == ACTORS


def test_draft_missing_the_actors_gets_them_flagged_on_that_question(t2023, e5, analyzer):
    without = [t for t in ANSWER_7_1 if t != ACTORS]
    report = check_coverage(draft(q71(t2023, without)), only(t2023, "7.1"), e5, analyzer)
    assert element(report, "7.1", "aktorer").status != "covered"
    # the other elements of the same answer are still found
    assert element(report, "7.1", "utmaningar").status == "covered"
    assert element(report, "7.1", "framgangsfaktorer").status == "covered"


def test_unanswered_questions_are_reported_missing(t2023, analyzer):
    report = check_coverage(draft(q71(t2023, ANSWER_7_1)), t2023, HashingEmbedder(), analyzer)
    status = {q.id: q.status for q in report.questions}
    assert status["7.1"] == "answered"
    assert status["1.1"] == "missing" and status["10.5"] == "missing"
    assert report.summary.answered == 1


def test_template_placeholder_text_is_not_an_answer(t2023, analyzer):
    placeholder = section("6.2", t2023.question("6.2").title, ["Klicka här för att ange text."],
                          kind=BlockKind.INSTRUCTION)
    report = check_coverage(draft(placeholder), t2023, HashingEmbedder(), analyzer)
    assert next(q for q in report.questions if q.id == "6.2").status == "missing"


def test_a_shared_limit_is_checked_over_all_its_questions(t2023, analyzer):
    text = "Arbetet med strategin har samordnats i partnerskapet. " * 30  # about 1 600 characters
    secs = [section(qid, t2023.question(qid).title, [text]) for qid in ("1.1", "1.2", "1.3")]
    report = check_coverage(draft(*secs), t2023, HashingEmbedder(), analyzer)
    use = next(u for u in report.limits if u.questions == ["1.1", "1.2", "1.3"])
    assert use.used == sum(len(s.text) for s in secs) > 4500
    assert use.over and report.summary.limits_exceeded == 1
    one = check_coverage(draft(secs[0]), t2023, HashingEmbedder(), analyzer)
    assert not next(u for u in one.limits if u.questions == ["1.1", "1.2", "1.3"]).over


@pytest.mark.parametrize(("rows", "over"), [(5, False), (7, True)])
def test_insatser_are_counted_against_the_tables_maximum(t2023, analyzer, rows, over):
    sec = Section(number="3.4", title=t2023.question("3.4").title, heading_path=["3.4"], level=2,
                  blocks=[table(rows)])
    report = check_coverage(draft(sec), t2023, HashingEmbedder(), analyzer)
    q = next(q for q in report.questions if q.id == "3.4")
    assert (q.items, q.max_items) == (rows, 5)
    assert (report.summary.tables_over == 1) is over


def test_elements_shared_by_a_group_may_be_covered_in_any_of_its_answers(t2023, e5, analyzer):
    secs = [section("1.1", t2023.question("1.1").title,
                    ["Strategin genomförs i samverkan med kommunerna, Länsstyrelsen och näringslivet."]),
            section("1.3", t2023.question("1.3").title,
                    ["En utmaning är att landsbygderna har sämre tillgång till service än tätorterna."])]
    report = check_coverage(draft(*secs), only(t2023, "1.1", "1.2", "1.3"), e5, analyzer)
    shared = next(s for s in report.shared if s.questions == ["1.1", "1.2", "1.3"])
    by_id = {e.id: e for e in shared.elements}
    assert by_id["aktorer"].status == "covered" and by_id["aktorer"].question == "1.1"
    assert by_id["utmaningar"].status == "covered" and by_id["utmaningar"].question == "1.3"
    assert by_id["framgangsfaktorer"].status == "missing"


def test_an_unnumbered_section_is_matched_to_its_question_by_meaning(t2023, e5, analyzer):
    sec = section(None, "Jämställdhet", ANSWER_7_1, level=1)
    report = check_coverage(draft(sec), only(t2023, "7.1", "8.1", "9.1"), e5, analyzer)
    q = next(q for q in report.questions if q.id == "7.1")
    assert (q.status, q.matched_by, q.section) == ("answered", "meaning", "Jämställdhet")


def test_json_has_the_documented_fields(t2023, analyzer):
    data = coverage_json(check_coverage(draft(q71(t2023, ANSWER_7_1)), t2023, HashingEmbedder(), analyzer))
    assert {"template", "draft", "questions", "shared", "limits", "summary"} <= set(data)
    q = next(q for q in data["questions"] if q["id"] == "7.1")
    assert {"id", "status", "chars", "limit", "items", "max_items", "elements", "matched_by"} <= set(q)
    assert {"id", "label", "status", "sentence", "score"} <= set(q["elements"][0])


# -- evidence of the right kind (issue 18) ------------------------------------------------

PARTNERS = "I partnerskapet ingår, förutom Region Örebro län"


@pytest.fixture(scope="module")
def report_2023():
    """The region's real 2023 report (seed 002), parsed once."""
    from ingest.pipeline import parse_file
    from underlag.settings import PROJECT_ROOT

    return parse_file(PROJECT_ROOT / "corpus" / "002_aee3b258286ac5e7.txt")


def without_block(doc: Document, phrase: str) -> Document:
    """The document without the one paragraph that holds ``phrase``."""
    hits = [(i, j) for i, s in enumerate(doc.sections) for j, b in enumerate(s.blocks) if phrase in b.text]
    assert len(hits) == 1
    i, j = hits[0]
    sections = list(doc.sections)
    sections[i] = sections[i].model_copy(update={"blocks": [b for k, b in enumerate(sections[i].blocks) if k != j]})
    return doc.model_copy(update={"sections": sections})


def shared_actors(report):
    shared = next(s for s in report.shared if s.questions == ["1.1", "1.2", "1.3"])
    return next(e for e in shared.elements if e.id == "aktorer")


def test_real_answers_that_name_the_partners_cover_the_actors_with_them_as_evidence(
        t2023, e5, analyzer, report_2023):
    report = check_coverage(report_2023, only(t2023, "1.1", "1.2", "1.3"), e5, analyzer)
    actors = shared_actors(report)
    assert actors.status == "covered"
    assert {"Örebro universitet", "Länsstyrelsen i Örebro län"} <= set(actors.evidence)
    assert "Region Örebro län" not in actors.evidence  # the writer is no partner of its own
    assert "Örebro universitet" in actors.reason


def test_real_answers_without_the_partners_paragraph_flag_the_actors_with_a_reason(
        t2023, e5, analyzer, report_2023):
    # The case: the sentence on "nya samverkansformer" stays and names no actor.
    damaged = without_block(report_2023, PARTNERS)
    report = check_coverage(damaged, only(t2023, "1.1", "1.2", "1.3"), e5, analyzer)
    actors = shared_actors(report)
    assert actors.status in ("weak", "missing")
    assert "aktör" in actors.reason
    assert "Örebro universitet" not in actors.evidence


def test_a_paragraph_naming_two_municipalities_and_a_university_covers_the_actors(t2023, e5, analyzer):
    secs = [section("1.1", t2023.question("1.1").title, [
        "Strategin har genomförts tillsammans med Karlskoga kommun och Lekebergs kommun samt "
        "Örebro universitet, som deltar i styrgruppen för kraftsamlingen."])]
    report = check_coverage(draft(*secs), only(t2023, "1.1", "1.2", "1.3"), e5, analyzer)
    actors = shared_actors(report)
    assert actors.status == "covered"
    assert {"Karlskoga kommun", "Lekebergs kommun", "Örebro universitet"} <= set(actors.evidence)


def test_samverkan_without_named_actors_is_weak_with_the_reason(t2023, e5, analyzer):
    vague = ["Region Örebro län har under året stärkt integreringen av jämställdhet i arbetet.",
             "Arbetet har skett i bred samverkan med många olika aktörer och organisationer i länet."]
    report = check_coverage(draft(q71(t2023, vague)), only(t2023, "7.1"), e5, analyzer)
    actors = element(report, "7.1", "aktorer")
    assert actors.status == "weak"
    assert actors.reason == "nämner samverkan men inga namngivna aktörer"


# The template asks for all three dimensions, each in its own words in a sentence on the
# work's effect or sustainability (tune cases: two and three tie; the issue asks for each).
@pytest.mark.parametrize(("text", "status", "lacking"), [
    ("Insatserna stärker näringslivets konkurrenskraft och ger fler människor arbete och "
     "livskvalitet, samtidigt som utsläppen av växthusgaser minskar.", "covered", None),
    ("Insatserna stärker den sociala sammanhållningen och jämställdheten i länet.",
     "weak", "ekonomisk eller miljömässig"),
    ("Insatserna stärker näringslivets konkurrenskraft och den sociala sammanhållningen.",
     "weak", "miljömässig"),
    # all three named, but in a list of who took part: no dimension of the work
    ("I nätverket deltog sex företag, två föreningar för social ekonomi och en miljöorganisation.",
     "weak", "inte som hållbarhetsdimensioner"),
])
def test_the_dimensions_are_counted_each_in_its_own_words(t2023, e5, analyzer, text, status, lacking):
    sec = section("5.2", t2023.question("5.2").title, [text])
    report = check_coverage(draft(sec), only(t2023, "5.2"), e5, analyzer)
    dims = element(report, "5.2", "hallbarhet")
    assert dims.status == status
    if lacking:
        assert lacking in dims.reason and dims.reason.startswith("nämner")


def test_json_elements_carry_reason_and_evidence(t2023, analyzer):
    data = coverage_json(check_coverage(draft(q71(t2023, ANSWER_7_1)), t2023, HashingEmbedder(), analyzer))
    q = next(q for q in data["questions"] if q["id"] == "7.1")
    actors = next(e for e in q["elements"] if e["id"] == "aktorer")
    assert actors["evidence_kind"] == "actors"
    assert "Länsstyrelsen i Örebro län" in actors["evidence"] and actors["reason"]
    unanswered = next(q for q in data["questions"] if q["id"] == "1.3")
    assert unanswered["elements"][0]["reason"] == "frågan är obesvarad"


# The territorial perspective: a place counts in a sentence about differences between places
# (issue 18's realistic cases: removals kept places named in sentences about other things).
def territorial_verdict(t2023, analyzer, texts: list[str]):
    """The territorial element of answer 1.3 made of ``texts``."""
    sec = section("1.3", t2023.question("1.3").title, texts)
    report = check_coverage(draft(sec), only(t2023, "1.3"), HashingEmbedder(), analyzer)
    return element(report, "1.3", "territoriellt")


@pytest.mark.parametrize(("texts", "status"), [
    (["Mikrobidraget ges till företag i hela länet förutom i Örebro tätort, där tillväxten är "
      "betydligt högre än i övriga delar av länet."], "covered"),
    (["Sex kommuner ingår i projektet – Karlskoga, Askersund, Kumla och Nora.",
      "Vi tar hänsyn till länets strukturella och geografiska skillnader."], "weak"),
])
def test_places_cover_the_territorial_perspective_only_in_a_sentence_on_differences(
        t2023, analyzer, texts, status):
    terr = territorial_verdict(t2023, analyzer, texts)
    assert terr.status == status
    if status == "weak":
        assert terr.reason.startswith("nämner platser och områden (Karlskoga")
        assert "skillnader mellan platser" in terr.reason


# Third round: the issue's partners sentence names places only inside organisations' names
# ("Örebro universitet", "Handelskammaren Mälardalen") and the writer's own county, and its
# "förutom" means "besides"; a where-word beside a difference cue needs no name.
@pytest.mark.parametrize(("texts", "status"), [
    (["I partnerskapet ingår, förutom Region Örebro län, länets tolv kommuner, Örebro universitet, "
      "Handelskammaren Mälardalen, RF-SISU Örebro och Länsstyrelsen i Örebro län.",
      "Vi tar hänsyn till det territoriella perspektivet i prioriteringarna."], "weak"),
    (["I partnerskapet ingår länets tolv kommuner och Örebro universitet.",
      "Kartläggningen visar stora skillnader mellan länets kommuner men också mellan olika områden inom "
      "kommunerna, och insatserna riktas dit behoven är störst."], "covered"),
])
def test_organisation_names_are_no_places_and_where_words_beside_a_difference_cue_are(
        t2023, analyzer, texts, status):
    terr = territorial_verdict(t2023, analyzer, texts)
    assert terr.status == status
    if status == "weak":
        assert "Mälardalen" not in terr.evidence and "Örebro" not in terr.evidence
    else:
        assert "mellan länets kommuner" in terr.evidence


def test_a_sentence_inside_a_table_cell_gives_no_evidence(t2023, analyzer):
    rows = [["Insats", "Beskrivning"],
            ["Mikrobidrag", "Ett stöd till små företag. Det ges i hela länet förutom i Örebro tätort. "
                            "Stödet följs upp årligen."]]
    tab = Block(kind=BlockKind.TABLE, text=render_rows(rows), rows=rows)
    prose = "Arbetet med den regionala utvecklingsstrategin har fortsatt under året i bred samverkan."
    sec = Section(number="1.3", title=t2023.question("1.3").title, heading_path=["1.3"], level=2,
                  blocks=[Block(kind=BlockKind.PARAGRAPH, text=prose), tab])
    report = check_coverage(draft(sec), only(t2023, "1.3"), HashingEmbedder(), analyzer)
    assert element(report, "1.3", "territoriellt").status != "covered"
    # the same sentence in the prose covers it
    sec = section("1.3", t2023.question("1.3").title,
                  [prose, "Det ges i hela länet förutom i Örebro tätort."])
    report = check_coverage(draft(sec), only(t2023, "1.3"), HashingEmbedder(), analyzer)
    assert element(report, "1.3", "territoriellt").status == "covered"
