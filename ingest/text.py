"""Reader for plain text (.txt) and Markdown (.md) reports.

Text files arrive in whatever encoding the exporting program chose. A UTF-16
or UTF-32 byte order mark (Notepad's "Unicode") is followed; else UTF-8 is
tried first (with or without BOM); a file that is not UTF-8 is decoded as
cp1252, the encoding Swedish Windows programs write, when the result looks
like Swedish text, and a warning says so. Anything else is refused.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ingest.raw import RawDocument, RawLine
from underlag.errors import EncodingError
from underlag.settings import Settings

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# Bytes that never occur in text; a file full of them is binary, whatever its name.
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
# C1 control characters: present when latin-1 text is misread, absent in real text.
_C1 = re.compile("[\x80-\x9f]")


# Byte order marks of UTF-32 and UTF-16 (UTF-32 first: its LE mark starts with UTF-16's).
# Notepad's "Unicode" is UTF-16 LE with a BOM; its NUL bytes would otherwise look binary.
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
              (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode(path: Path, data: bytes) -> tuple[str, list[str]]:
    """Decode a text file's bytes; return the text and any warnings."""
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), []
            except UnicodeDecodeError as e:
                raise EncodingError(path, f"starts with a {encoding.upper()} byte order mark but is not "
                                          f"valid {encoding.upper()} (byte {e.start})",
                                    "save the file as UTF-8") from None
    sample = data[:65536]
    if sample and len(_BINARY.findall(sample)) > max(8, len(sample) // 1000):
        raise EncodingError(path, "not a text file (binary content)",
                            "is it a PDF or Word file with the wrong extension?")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as e:
        utf8_error = e
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _C1.search(text):
            return text, [f"{path.name}: not valid UTF-8 (byte {utf8_error.start}); "
                          f"decoded as {encoding}"]
    raise EncodingError(path, f"not valid UTF-8 (byte {utf8_error.start}) and not cp1252/latin-1 text",
                        "save the file as UTF-8")


def read(path: Path, settings: Settings) -> RawDocument:
    """Read a text or Markdown file into one raw line per physical line."""
    text, warnings = decode(path, path.read_bytes())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    is_markdown = path.suffix.lower() == ".md"
    lines: list[RawLine] = []
    page = 1 if "\f" in text else None
    for physical in text.split("\n"):
        # A form feed is a page break in text exported from PDF or Word.
        chunks = physical.split("\f")
        for i, chunk in enumerate(chunks):
            if i > 0:
                page += 1  # type: ignore[operator]
            m = _MD_HEADING.match(chunk) if is_markdown else None
            if m:
                lines.append(RawLine(m.group(2), page=page, heading_level=len(m.group(1))))
            else:
                lines.append(RawLine(chunk.rstrip("\n"), page=page))
    return RawDocument(path=str(path), format=path.suffix.lower().lstrip("."), lines=lines,
                       page_count=page, warnings=warnings)
