"""Passages follow the document's structure and fit the embedding model."""

from __future__ import annotations

from index.passages import MAX_CHARS, passages
from underlag.model import Block, BlockKind, Document, DocumentMetadata, Section

SENTENCE = "Region Örebro län har arbetat med kompetensförsörjning tillsammans med kommunerna. "


def para(text: str) -> Block:
    return Block(kind=BlockKind.PARAGRAPH, text=text)


def doc(*sections: Section) -> Document:
    return Document(id="d" * 16, source="/tmp/r.txt", filename="r.txt", format="txt",
                    metadata=DocumentMetadata(title="Återrapportering 2023", doc_type="återrapportering",
                                              years=[2023], organisation="Region Örebro län"),
                    sections=list(sections))


def section(number: str, *blocks: Block) -> Section:
    return Section(number=number, title=f"Fråga {number}", heading_path=["Frågor", f"{number} Fråga"],
                   level=2, page=3, blocks=list(blocks))


def test_passages_never_cross_sections():
    d = doc(section("1.1", para("Kort svar om RUS.")), section("1.2", para("Kort svar om hållbarhet.")))
    ps = passages(d)
    assert [(p.section, p.text) for p in ps] == [("1.1", "Kort svar om RUS."), ("1.2", "Kort svar om hållbarhet.")]


def test_long_sections_are_cut_at_sentence_boundaries_within_the_size_limit():
    long_text = SENTENCE * 40
    ps = passages(doc(section("3.1", para(long_text))))
    assert len(ps) > 1
    assert all(len(p.text) <= MAX_CHARS for p in ps)
    assert all(p.text.endswith("kommunerna.") for p in ps)
    assert " ".join(p.text for p in ps) == long_text.strip()


def test_template_instructions_are_not_indexed():
    s = section("1.1", Block(kind=BlockKind.INSTRUCTION, text="Beskriv hur ni har samverkat."),
                para("Vi har samverkat med länsstyrelsen."))
    assert [p.text for p in passages(doc(s))] == ["Vi har samverkat med länsstyrelsen."]


def test_tables_are_passages_of_their_own_with_the_header_repeated():
    rows = [["Insats", "Aktörer"]] + [[f"Insats {i} om bredband i länet", "Kommunerna"] for i in range(60)]
    s = section("6.4", para("Inledning."), Block(kind=BlockKind.TABLE, text="", rows=rows))
    ps = passages(doc(s))
    tables = [p for p in ps if p.kind == "table"]
    assert len(tables) > 1
    assert all(p.text.startswith("Insats | Aktörer") for p in tables)
    assert ps[0].kind == "text" and ps[0].text == "Inledning."


def test_passages_carry_document_and_section_context():
    p = passages(doc(section("2.1", para("Analyser av länets utveckling."))))[0]
    assert (p.document, p.doc_type, p.year, p.organisation) == ("Återrapportering 2023", "återrapportering",
                                                                 2023, "Region Örebro län")
    assert (p.section, p.section_title, p.heading_path, p.page) == ("2.1", "Fråga 2.1",
                                                                     ["Frågor", "2.1 Fråga"], 3)
    assert p.id == "d" * 16 + ":0:0"
