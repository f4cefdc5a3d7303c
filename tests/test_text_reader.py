"""The text reader: encodings, Markdown headings, page breaks."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import text
from underlag.errors import EncodingError

SWEDISH = "Kompetensförsörjning i Örebro län är en utmaning för både små och stora företag.\n"


def test_reads_utf8_with_bom_without_warning(tmp_path: Path, settings):
    f = tmp_path / "bom.txt"
    f.write_bytes("\ufeff".encode() + SWEDISH.encode())
    raw = text.read(f, settings)
    assert raw.lines[0].text == SWEDISH.strip()
    assert raw.warnings == []


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_decodes_windows_encoded_swedish_and_warns(tmp_path: Path, settings, encoding):
    f = tmp_path / "rapport.txt"
    f.write_bytes(SWEDISH.encode(encoding))
    raw = text.read(f, settings)
    assert raw.lines[0].text == SWEDISH.strip()
    assert len(raw.warnings) == 1
    assert "rapport.txt" in raw.warnings[0] and "not valid UTF-8" in raw.warnings[0]


def test_refuses_binary_content_named_txt(tmp_path: Path, settings):
    f = tmp_path / "bild.txt"
    f.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(EncodingError) as e:
        text.read(f, settings)
    assert "bild.txt" in str(e.value) and "binary" in str(e.value)


def test_markdown_headings_become_heading_hints(tmp_path: Path, settings):
    f = tmp_path / "utkast.md"
    f.write_text("# Återrapportering 2024\n\n## 1.1 Regional utvecklingsstrategi\n\nVi har ...\n",
                 encoding="utf-8")
    raw = text.read(f, settings)
    headings = [(line.heading_level, line.text) for line in raw.lines if line.heading_level]
    assert headings == [(1, "Återrapportering 2024"), (2, "1.1 Regional utvecklingsstrategi")]


def test_form_feeds_number_the_pages(tmp_path: Path, settings):
    f = tmp_path / "sidor.txt"
    f.write_text("Sida ett\n\fSida två\nmer\n\fSida tre\n", encoding="utf-8")
    raw = text.read(f, settings)
    pages = {line.text: line.page for line in raw.lines if line.text}
    assert pages == {"Sida ett": 1, "Sida två": 2, "mer": 2, "Sida tre": 3}
    assert raw.page_count == 3


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_reads_utf16_and_utf32_with_a_byte_order_mark(tmp_path: Path, settings, encoding):
    # Notepad's "Unicode" save: UTF-16 LE with a BOM, full of NUL bytes
    f = tmp_path / "unicode.txt"
    f.write_bytes(("\ufeff" + SWEDISH).encode(encoding))
    raw = text.read(f, settings)
    assert raw.lines[0].text == SWEDISH.strip() and raw.warnings == []


def test_a_truncated_utf16_file_is_an_encoding_error_naming_the_file(tmp_path: Path, settings):
    f = tmp_path / "avbruten.txt"
    f.write_bytes(("\ufeff" + SWEDISH).encode("utf-16-le") + b"\x00\xd8")  # half a surrogate pair
    with pytest.raises(EncodingError) as e:
        text.read(f, settings)
    assert "avbruten.txt" in str(e.value) and "UTF-16" in str(e.value)


@pytest.mark.parametrize("line", ["Bredband till alla hushåll i Lekeberg",
                                  "Bredband till alla hushåll i Lekeberg\n"])
def test_a_one_line_text_without_a_final_period_is_a_document(tmp_path: Path, settings, line):
    from index.passages import passages
    from ingest.pipeline import parse_file
    from nlp.analyzer import default_analyzer

    f = tmp_path / "en-rad.txt"
    f.write_text(line, encoding="utf-8")
    doc = parse_file(f, settings)
    assert [p.text for p in passages(doc, sentences=default_analyzer().sentences)] == [line.strip()]
