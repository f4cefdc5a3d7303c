"""A .docx zip bomb is refused before it is inflated into memory: declared sizes
first, then every member through a counting reader; the parse's peak memory
stays near that of the same report without the bomb."""

from __future__ import annotations

import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import docgen
import pytest

from ingest import pipeline
from underlag.errors import CorruptDocumentError, FileTooLargeError
from underlag.settings import PROJECT_ROOT, Settings

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def normal_docx(tmp_path_factory) -> Path:
    return docgen.make_report_docx(tmp_path_factory.mktemp("normal") / "rapport.docx").path


def with_padding(normal: Path, path: Path, padding_mib: int) -> Path:
    """The same report, its document.xml padded with ``padding_mib`` MiB of spaces
    before ``</w:body>`` (whitespace between elements: the text is unchanged)."""
    with zipfile.ZipFile(normal) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename != "word/document.xml":
                dst.writestr(info.filename, data)
                continue
            head, tail = data.rsplit(b"</w:body>", 1)
            with dst.open("word/document.xml", "w") as out:
                out.write(head)
                block = b" " * MIB
                for _ in range(padding_mib):
                    out.write(block)
                out.write(b"</w:body>" + tail)
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory, normal_docx) -> Path:
    """About 1 MB on disk, 1 GiB inflated."""
    return with_padding(normal_docx, tmp_path_factory.mktemp("bomb") / "bomb.docx", 1024)


def lie_about_size(path: Path, member: str, declared: int) -> Path:
    """Rewrite the uncompressed size that the local and the central header of ``member`` declare."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    # (signature, offset of the uncompressed size, of the name's length, of the name)
    for signature, size_at, length_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        at = data.find(signature)
        while at != -1:
            length = struct.unpack_from("<H", data, at + length_at)[0]
            if data[at + name_at:at + name_at + length] == name:
                struct.pack_into("<I", data, at + size_at, declared)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


def test_a_zip_bomb_is_refused_naming_the_file(bomb):
    assert bomb.stat().st_size < 5 * MIB
    with pytest.raises(FileTooLargeError) as e:
        pipeline.read_raw(bomb, Settings())
    assert "bomb.docx" in str(e.value) and "word/document.xml" in str(e.value) and "declared" in str(e.value)


def test_a_member_that_inflates_beyond_its_declared_size_is_refused(tmp_path, normal_docx):
    path = lie_about_size(with_padding(normal_docx, tmp_path / "ljuger.docx", 64), "word/document.xml", 4096)
    with pytest.raises(CorruptDocumentError) as e:
        pipeline.read_raw(path, Settings())
    assert "ljuger.docx" in str(e.value)


def test_the_real_inflated_size_is_counted_while_reading(tmp_path, normal_docx):
    # declared sizes within the limits, but over the per-part limit when inflated
    path = with_padding(normal_docx, tmp_path / "stor.docx", 3)
    with pytest.raises(FileTooLargeError):
        pipeline.read_raw(path, Settings(docx_max_xml_mb=2))
    assert pipeline.read_raw(path, Settings())[0].lines  # and within them it reads


MEASURE = """
import resource, sys
from ingest.pipeline import parse_file
try:
    parse_file(sys.argv[1])
    print("parsed")
except Exception as e:
    print(type(e).__name__)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_kib(path: Path) -> tuple[str, int]:
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path)], cwd=PROJECT_ROOT, capture_output=True,
                         text=True, timeout=600, env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"})
    outcome, peak = out.stdout.split()[-2:]
    return outcome, int(peak)


def test_parsing_a_zip_bomb_peaks_under_one_and_a_half_times_a_normal_docx(bomb, normal_docx):
    outcome, normal = peak_rss_kib(normal_docx)
    assert outcome == "parsed"
    outcome, bombed = peak_rss_kib(bomb)
    assert outcome == "FileTooLargeError"
    assert bombed < 1.5 * normal, (bombed, normal)
