"""The document store: parsed documents in SQLite, one transaction per change.

SQLite gives the atomicity ingest needs: a document and everything derived
from it go in (or out) in one transaction, so a crash mid-ingest leaves the
previous state loadable, and a failing file never touches what is stored.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from underlag.model import Document

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id          TEXT PRIMARY KEY,   -- content hash of the source bytes
    source      TEXT NOT NULL,      -- resolved path the document was ingested from
    filename    TEXT NOT NULL,
    title       TEXT,
    doc_type    TEXT,
    years       TEXT,               -- comma-separated
    sections    INTEGER NOT NULL,
    ingested_at TEXT NOT NULL,
    json        TEXT NOT NULL       -- the Document, as the model serialises it
);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
"""


@dataclass(frozen=True)
class StoredDocument:
    """A row of the document listing, without the full document."""

    id: str
    source: str
    filename: str
    title: str | None
    doc_type: str | None
    years: list[int]
    sections: int
    ingested_at: str


class DocumentStore:
    """Parsed documents, keyed by content hash, in ``<dir>/underlag.sqlite``."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / "underlag.sqlite"
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> DocumentStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic change: everything inside commits together or not at all."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def has(self, doc_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is not None

    def ids_for_source(self, source: str | Path) -> list[str]:
        rows = self._db.execute("SELECT id FROM documents WHERE source = ?", (_source_key(source),))
        return [r[0] for r in rows]

    def put(self, doc: Document) -> list[str]:
        """Store a document; an older version from the same source file is replaced.

        Returns the ids of the documents it replaced.
        """
        source = _source_key(doc.source)
        with self.transaction() as db:
            replaced = [r[0] for r in db.execute(
                "SELECT id FROM documents WHERE source = ? AND id != ?", (source, doc.id))]
            for old in replaced:
                self._delete(db, old)
            db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
                (doc.id, source, doc.filename, doc.metadata.title, doc.metadata.doc_type,
                 ",".join(map(str, doc.metadata.years)), len(doc.sections),
                 datetime.now(timezone.utc).isoformat(timespec="seconds"),
                 doc.model_dump_json()),
            )
        return replaced

    def get(self, doc_id: str) -> Document | None:
        row = self._db.execute("SELECT json FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return Document.model_validate_json(row[0]) if row else None

    def resolve(self, ref: str) -> str | None:
        """A document id from an id, a unique id prefix or a file name."""
        rows = self._db.execute(
            "SELECT id FROM documents WHERE id = ? OR filename = ? OR id LIKE ?",
            (ref, ref, ref.replace("%", "") + "%")).fetchall()
        ids = sorted({r[0] for r in rows})
        return ids[0] if len(ids) == 1 else None

    def list(self) -> list[StoredDocument]:
        rows = self._db.execute(
            "SELECT id, source, filename, title, doc_type, years, sections, ingested_at "
            "FROM documents ORDER BY filename")
        return [StoredDocument(r[0], r[1], r[2], r[3], r[4],
                               [int(y) for y in r[5].split(",") if y], r[6], r[7]) for r in rows]

    def delete(self, doc_id: str) -> bool:
        with self.transaction() as db:
            return self._delete(db, doc_id)

    def _delete(self, db: sqlite3.Connection, doc_id: str) -> bool:
        return db.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount > 0


def _source_key(source: str | Path) -> str:
    return str(Path(source).resolve())
