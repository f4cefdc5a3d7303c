"""Document metadata of the sample corpus, and the rules behind it."""

from __future__ import annotations

import pytest

from ingest import metadata
from ingest.pipeline import parse_file
from ingest.raw import RawDocument, RawLine
from underlag.settings import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "corpus"

EXPECTED = {
    "000_7fb02ce29b4be31a.txt": dict(
        title="Uppföljning av de prioriterade områdena för samverkan 2022-2023 mellan Region "
              "Örebro län och Länsstyrelsen i Örebro län",
        organisation="Region Örebro län", doc_type="uppföljning", years=[2022, 2023],
        date="2024-03-21", diarienummer=[]),
    "001_a40ca19e294990ef.txt": dict(
        title="Återrapportering av det regionala tillväxtarbetet enligt vilkorsbeslut för 2021",
        organisation="Region Örebro län", doc_type="återrapportering", years=[2021],
        date="2022-01-31", diarienummer=[]),
    # The template states a deadline ("senast den 21 februari 2024"), not its own date.
    "002_aee3b258286ac5e7.txt": dict(
        title="Återrapportering av villkorsbeslut 2023",
        organisation="Region Örebro län", doc_type="återrapportering", years=[2023],
        date=None, diarienummer=["N2022/02395", "Ä 2023–2905"]),
    "003_b61ed9f9079cac58.txt": dict(
        title="RUS-genomförande 2024-2025",
        organisation="Region Örebro län", doc_type="projektbeskrivning", years=[2024, 2025],
        date="2023-12-11", diarienummer=["23RS11869"]),
}


class _Parsed(dict):
    """Each seed parsed once, when a test first asks for it."""

    def __missing__(self, name: str):
        self[name] = parse_file(CORPUS / name)
        return self[name]


@pytest.fixture(scope="module")
def parsed() -> _Parsed:
    return _Parsed()


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("field", ["title", "organisation", "doc_type", "years", "date", "diarienummer"])
def test_metadata_of_sample_document(parsed, name, field):
    assert getattr(parsed[name].metadata, field) == EXPECTED[name][field]


def test_title_line_and_front_matter_are_not_body(parsed):
    doc = parsed["001_a40ca19e294990ef.txt"]
    assert doc.sections[0].title != doc.metadata.title
    assert "2022-01-31" not in doc.text


def _raw(*texts: str, **kw) -> RawDocument:
    return RawDocument(path="x.txt", format="txt", lines=[RawLine(t) for t in texts], **kw)


def test_version_stamp_is_read_as_date():
    md = metadata.extract(_raw("Rapport om något 2020", "", "Version 240321"))
    assert (md.date, md.doc_type, md.years) == ("2024-03-21", "rapport", [2020])


def test_container_title_and_date_are_the_fallback():
    md = metadata.extract(_raw("1. Inledning", "Text.", title="Från Word", created="2021-05-04T10:00:00"))
    assert (md.title, md.date) == ("Från Word", "2021-05-04")


def test_letterhead_at_the_top_is_front_matter():
    texts = ["Tjänsteställe, handläggare", "Projektbeskrivning", "2023-12-11", "Dnr: 23RS11869",
             "", "RUS-genomförande 2024-2025", "", "Sammanfattning"]
    skip, title = metadata.front_matter(texts)
    assert title == 5
    assert skip == {0, 1, 2, 3, 5}


def test_unlabelled_numbers_are_not_diarienummer():
    md = metadata.extract(_raw("Titel", "Projektet BRT 21RS9097 20345918 pågår."))
    assert md.diarienummer == []
