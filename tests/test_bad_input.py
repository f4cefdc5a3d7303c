"""Files that cannot be ingested fail with a specific error that names the file."""

from __future__ import annotations

import os
from pathlib import Path

import docgen
import pytest

from ingest import pipeline
from underlag.errors import (
    CorruptDocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
    FileNameError,
    FileTooLargeError,
    NoTextLayerError,
    UnsupportedFormatError,
)
from underlag.settings import Settings


@pytest.fixture(scope="module")
def good_pdf(tmp_path_factory) -> Path:
    return docgen.make_report_pdf(tmp_path_factory.mktemp("good") / "rapport.pdf").path


@pytest.fixture(scope="module")
def good_docx(tmp_path_factory) -> Path:
    return docgen.make_report_docx(tmp_path_factory.mktemp("good") / "rapport.docx").path


def encrypted_pdf(tmp: Path, good_pdf: Path, good_docx: Path) -> Path:
    return docgen.make_report_pdf(tmp / "skyddad.pdf", encrypt="hemligt").path


def encrypted_docx(tmp: Path, good_pdf: Path, good_docx: Path) -> Path:
    pytest.importorskip("msoffcrypto")
    return docgen.make_encrypted_docx(good_docx, tmp / "skyddad.docx")


def truncated_pdf(tmp: Path, good_pdf: Path, good_docx: Path) -> Path:
    data = good_pdf.read_bytes()
    (tmp / "avbruten.pdf").write_bytes(data[: len(data) // 2])
    return tmp / "avbruten.pdf"


def random_pdf(tmp: Path, good_pdf: Path, good_docx: Path) -> Path:
    (tmp / "brus.pdf").write_bytes(os.urandom(4096))
    return tmp / "brus.pdf"


def text_named_pdf(tmp: Path, good_pdf: Path, good_docx: Path) -> Path:
    (tmp / "egentligen-text.pdf").write_text("Det här är ingen PDF.\n", encoding="utf-8")
    return tmp / "egentligen-text.pdf"


def random_docx(tmp: Path, good_pdf: Path, good_docx: Path) -> Path:
    (tmp / "brus.docx").write_bytes(os.urandom(4096))
    return tmp / "brus.docx"


def zip_without_document_xml(tmp: Path, good_pdf: Path, good_docx: Path) -> Path:
    return docgen.zip_without_document(tmp / "tom-zip.docx")


def truncated_docx(tmp: Path, good_pdf: Path, good_docx: Path) -> Path:
    data = good_docx.read_bytes()
    (tmp / "avbruten.docx").write_bytes(data[: len(data) // 2])
    return tmp / "avbruten.docx"


def scanned_pdf(tmp: Path, good_pdf: Path, good_docx: Path) -> Path:
    return docgen.make_scanned_pdf(tmp / "inskannad.pdf")


def empty(suffix: str):
    def make(tmp: Path, good_pdf: Path, good_docx: Path) -> Path:
        (tmp / f"tom{suffix}").write_bytes(b"")
        return tmp / f"tom{suffix}"
    make.__name__ = f"empty_{suffix.lstrip('.')}"
    return make


def blank_docx(tmp: Path, good_pdf: Path, good_docx: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_paragraph("   ")
    d.save(str(tmp / "blank.docx"))
    return tmp / "blank.docx"


def old_doc(tmp: Path, good_pdf: Path, good_docx: Path) -> Path:
    (tmp / "gammal.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    return tmp / "gammal.doc"


def doc_named_docx(tmp: Path, good_pdf: Path, good_docx: Path) -> Path:
    # An OLE compound file whose directory names the "WordDocument" stream of a .doc.
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    entry = "WordDocument".encode("utf-16-le").ljust(128, b"\0")
    (tmp / "omdopt.docx").write_bytes(header + entry + bytes(384))
    return tmp / "omdopt.docx"


def unknown_extension(tmp: Path, good_pdf: Path, good_docx: Path) -> Path:
    (tmp / "budget.xlsx").write_bytes(b"PK\x03\x04")
    return tmp / "budget.xlsx"


CASES = [
    (encrypted_pdf, EncryptedDocumentError, "password-protected"),
    (encrypted_docx, EncryptedDocumentError, "password-protected"),
    (truncated_pdf, CorruptDocumentError, "not a readable PDF"),
    (random_pdf, CorruptDocumentError, "not a readable PDF"),
    (text_named_pdf, CorruptDocumentError, "not a readable PDF"),
    (random_docx, CorruptDocumentError, "not a .docx"),
    (truncated_docx, CorruptDocumentError, "not a .docx"),
    (zip_without_document_xml, CorruptDocumentError, "word/document.xml"),
    (scanned_pdf, NoTextLayerError, "OCR"),
    (empty(".pdf"), EmptyDocumentError, "empty"),
    (empty(".docx"), EmptyDocumentError, "empty"),
    (blank_docx, EmptyDocumentError, "no text"),
    (old_doc, UnsupportedFormatError, ".docx"),
    (doc_named_docx, UnsupportedFormatError, "old binary Word file (.doc)"),
    (unknown_extension, UnsupportedFormatError, "unsupported file type"),
]


@pytest.mark.parametrize(("make", "error", "says"), CASES, ids=[c[0].__name__ for c in CASES])
def test_bad_file_raises_specific_error_naming_the_file(make, error, says, tmp_path,
                                                       good_pdf, good_docx):
    path = make(tmp_path, good_pdf, good_docx)
    with pytest.raises(error) as e:
        pipeline.read_raw(path, Settings())
    assert type(e.value) is error
    assert path.name in str(e.value)
    assert says in str(e.value)


@pytest.mark.parametrize("settings", [Settings(max_file_mb=0.001), Settings(max_pdf_pages=2)],
                         ids=["bytes", "pages"])
def test_too_large_pdf_is_refused(settings, good_pdf):
    with pytest.raises(FileTooLargeError) as e:
        pipeline.read_raw(good_pdf, settings)
    assert good_pdf.name in str(e.value) and "limit" in str(e.value)


def test_encrypted_pdf_error_says_what_to_do(tmp_path, good_pdf, good_docx):
    with pytest.raises(EncryptedDocumentError) as e:
        pipeline.read_raw(encrypted_pdf(tmp_path, good_pdf, good_docx), Settings())
    assert e.value.hint == "remove the password and try again"


def test_pdf_with_a_scanned_page_warns_and_reads_the_rest(tmp_path):
    path = docgen.make_scanned_pdf(tmp_path / "delvis.pdf", pages=2, text_on_first="Sammanfattning")
    raw, _ = pipeline.read_raw(path, Settings())
    assert [line.text for line in raw.lines] == ["Sammanfattning"]
    assert len(raw.warnings) == 1 and "delvis.pdf" in raw.warnings[0] and "page(s) 2" in raw.warnings[0]


def test_pdf_with_only_blank_pages_is_empty_not_scanned(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "blank.pdf"
    c = canvas.Canvas(str(path))
    c.showPage()
    c.save()
    with pytest.raises(EmptyDocumentError) as e:
        pipeline.read_raw(path, Settings())
    assert "blank.pdf" in str(e.value)


def test_a_file_name_that_is_not_utf8_is_a_clear_error(tmp_path):
    # "rapport-år.txt" in latin-1 bytes: Python keeps the å as a lone surrogate
    path = Path(os.fsdecode(bytes(tmp_path) + b"/rapport-\xe5r.txt"))
    path.write_text("Rapport 2026\n\n1. Bredband\n\nBredband till alla.\n", encoding="utf-8")
    [result] = list(pipeline.parse_many([tmp_path]))
    assert isinstance(result.error, FileNameError) and result.document is None
    message = str(result.error)
    message.encode("utf-8")  # printable and storable: no lone surrogate left
    assert "rapport-\ufffdr.txt" in message and "not valid UTF-8" in message and "rename" in message


def test_word_lock_files_are_skipped_like_hidden_files(tmp_path, good_docx):
    (tmp_path / "rapport.docx").write_bytes(good_docx.read_bytes())
    (tmp_path / "~$rapport.docx").write_bytes(b"\x0bAnna Svensson" + bytes(149))  # Word's owner file
    results = list(pipeline.parse_many([tmp_path]))
    assert [(r.path.name, r.error) for r in results] == [("rapport.docx", None)]
    # also when a shell glob names it
    assert list(pipeline.iter_files([tmp_path / "~$rapport.docx", tmp_path / "rapport.docx"])) == [
        tmp_path / "rapport.docx"]
