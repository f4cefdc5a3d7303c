"""From a file on disk to a :class:`~underlag.model.Document`.

The stages, each in its own module:

1. a reader for the format (``pdf``, ``docx``, ``text``) gives a
   :class:`~ingest.raw.RawDocument` of lines with layout hints;
2. ``repair`` fixes the characters of every line (split Swedish letters,
   Unicode normalisation, soft hyphens);
3. ``boilerplate`` drops running headers, footers and page numbers;
4. ``structure`` joins wrapped lines into paragraphs, finds sections,
   template questions, instructions, tables and footnotes, and the metadata.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Generic, Literal, TypeVar

from ingest import boilerplate, docx, pdf, repair, structure, text
from ingest.raw import RawDocument
from underlag.errors import (
    EmptyDocumentError,
    FileNameError,
    FileTooLargeError,
    IngestError,
    UnreadableError,
    UnsupportedFormatError,
)
from underlag.model import Document
from underlag.settings import Settings, get_settings

T = TypeVar("T")

Reader = Callable[[Path, Settings], RawDocument]

READERS: dict[str, Reader] = {
    ".pdf": pdf.read,
    ".docx": docx.read,
    ".txt": text.read,
    ".md": text.read,
}

SUPPORTED_SUFFIXES = tuple(sorted(READERS))


def content_id(data: bytes) -> str:
    """The document id: a content hash, so the same bytes are the same document."""
    return hashlib.sha256(data).hexdigest()[:16]


def file_id(path: Path) -> str:
    """The document id of a file on disk, read in chunks (the same value as :func:`content_id`)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def printable_path(path: Path) -> str:
    """``path`` as text that can be printed and stored: bytes of a name that is not
    UTF-8 (Python keeps them as lone surrogates) shown as U+FFFD."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _check_file(path: Path, settings: Settings) -> bytes:
    shown = printable_path(path)
    if shown != str(path):
        # e.g. "rapport-\xe5r.txt" written by an old Windows program or unpacked from a zip
        raise FileNameError(shown, "the file name is not valid UTF-8, so it cannot be stored",
                            "rename the file (retype its å, ä and ö) and try again")
    if not path.is_file():
        raise IngestError(path, "no such file")
    suffix = path.suffix.lower()
    if suffix == ".doc":
        raise UnsupportedFormatError(path, "old binary Word format (.doc) is not supported",
                                     "save it as .docx in Word or LibreOffice")
    if suffix not in READERS:
        raise UnsupportedFormatError(path, f"unsupported file type '{suffix or '(none)'}'",
                                     f"supported: {', '.join(SUPPORTED_SUFFIXES)}")
    size = path.stat().st_size
    if size == 0:
        raise EmptyDocumentError(path, "file is empty")
    limit = int(settings.max_file_mb * 1024 * 1024)
    if size > limit:
        raise FileTooLargeError(path, f"file is {size / 1024 / 1024:.0f} MB, over the "
                                f"{settings.max_file_mb:g} MB limit",
                                "raise UNDERLAG_MAX_FILE_MB if it really is one report")
    return path.read_bytes()


def read_raw(path: Path, settings: Settings | None = None) -> tuple[RawDocument, bytes]:
    """Read and check a file; return its raw lines and its bytes."""
    settings = settings or get_settings()
    path = Path(path)
    data = _check_file(path, settings)
    raw = READERS[path.suffix.lower()](path, settings)
    if not any(not line.blank for line in raw.lines):
        raise EmptyDocumentError(path, "no text found in the file")
    return raw, data


def clean_raw(raw: RawDocument, lexicon: repair.Lexicon | None = None) -> RawDocument:
    """Stages 2 and 3: repair characters, then drop running headers and footers."""
    lexicon = lexicon or repair.default_lexicon()
    lines = [replace(line, text=repair.repair_line(line.text, lexicon)) if line.text else line
             for line in raw.lines]
    lines = boilerplate.strip_running_lines(lines)
    return replace(raw, lines=lines)


def parse_file(path: str | Path, settings: Settings | None = None,
               lexicon: repair.Lexicon | None = None) -> Document:
    """Parse one file into a repaired, structured document.

    Raises an :class:`~underlag.errors.IngestError` subclass naming the file and
    the problem when the file cannot be read.
    """
    path = Path(path)
    raw, data = read_raw(path, settings)
    lexicon = lexicon or repair.default_lexicon()
    doc = structure.build(clean_raw(raw, lexicon), doc_id=content_id(data), lexicon=lexicon)
    if not doc.sections:
        raise EmptyDocumentError(path, "no text found in the file")
    return doc


def is_lock_file(path: Path) -> bool:
    """Word's owner file of an open document (``~$`` and the rest of the name)."""
    return path.name.startswith("~$")


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files to ingest: each file given, and every supported file below each folder.

    Unsupported files inside folders are skipped silently (a folder of reports
    often holds images and spreadsheets too); a file named explicitly is always
    yielded, so the user hears why it was not ingested. Word's lock files
    (``~$rapport.docx``, a few bytes that exist while the report is open) are
    never a report: skipped wherever they are, also when a shell glob names them.
    """
    seen: set[Path] = set()
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*")
                           if f.is_file() and f.suffix.lower() in (*READERS, ".doc")
                           and not any(part.startswith(".") for part in f.relative_to(p).parts)
                           and f.name.lower() != "readme.md")
        else:
            found = [p]
        for f in found:
            if is_lock_file(f):
                continue
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                yield f


@dataclass(frozen=True)
class ParseResult:
    """The outcome for one file: a document, or the error that stopped it."""

    path: Path
    document: Document | None = None
    error: IngestError | None = None


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What became of one file of a batch: ``status`` "ingested" (with the document and what
    ``store`` returned), "unchanged" (with the stored id) or "failed" (with the error)."""

    path: Path
    status: Literal["ingested", "unchanged", "failed"]
    document: Document | None = None
    stored: T | None = None
    id: str | None = None
    error: IngestError | None = None


def ingest_files(files: Iterable[Path], settings: Settings, lexicon: repair.Lexicon,
                 store: Callable[[Document], T],
                 stored_ids: Callable[[Path], set[str]] = lambda path: set()) -> Iterator[Outcome[T]]:
    """Parse and store files one by one, the policy every batch follows (the CLI's ingest
    and the server's seeding): a file whose content is already stored (``stored_ids`` of its
    path holds its content id) is skipped, and a file that fails, in parsing or in ``store``,
    yields its error while the rest go on."""
    for f in files:
        try:
            if f.is_file() and (doc_id := file_id(f)) in stored_ids(f):
                yield Outcome(f, "unchanged", id=doc_id)
                continue
            doc = parse_file(f, settings, lexicon)
            yield Outcome(f, "ingested", document=doc, stored=store(doc), id=doc.id)
        except IngestError as e:
            yield Outcome(f, "failed", error=e)
        except Exception as e:  # noqa: BLE001 - one bad file must not stop the batch
            yield Outcome(f, "failed", error=UnreadableError(f, f"could not be read: {type(e).__name__}: {e}"))


def parse_many(paths: Iterable[str | Path], settings: Settings | None = None,
               lexicon: repair.Lexicon | None = None) -> Iterator[ParseResult]:
    """Parse files one by one; a failing file yields its error and the rest go on."""
    lexicon = lexicon or repair.default_lexicon()
    for f in iter_files(paths):
        try:
            yield ParseResult(f, document=parse_file(f, settings, lexicon))
        except IngestError as e:
            yield ParseResult(f, error=e)
        except Exception as e:  # noqa: BLE001 - a reader bug must not stop the batch
            yield ParseResult(f, error=UnreadableError(f, f"could not be read: {type(e).__name__}: {e}"))
