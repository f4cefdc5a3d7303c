"""The document store: parsed documents in SQLite, one transaction per change.

SQLite gives the atomicity ingest needs: a document and everything derived
from it go in (or out) in one transaction, so a crash mid-ingest leaves the
previous state loadable, and a failing file never touches what is stored.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from underlag.model import Document, DocumentSummary, Passage

#: Generations of the change log kept (index.search catches up from it).
CHANGE_LOG_KEEP = 1000

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

-- Passages: the unit of retrieval. ``rowid`` is also the passage's id in FAISS.
CREATE TABLE IF NOT EXISTS passages (
    rowid        INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,  -- "<document id>:<section index>:<passage index>"
    document_id  TEXT NOT NULL,
    years        TEXT,                  -- ",2022,2023," for LIKE filters
    doc_type     TEXT,
    organisation TEXT,
    section      TEXT,
    json         TEXT NOT NULL,         -- the Passage
    vector       BLOB                   -- float32 embedding; the FAISS file is rebuilt from these
);
CREATE INDEX IF NOT EXISTS passages_document ON passages(document_id);
-- Covering index of the filter columns: a filter reads this instead of scanning the
-- wide passage rows (JSON and vector), ten times faster at 100k passages.
CREATE INDEX IF NOT EXISTS passages_filters ON passages(doc_type, organisation, years, section, document_id);

-- Lexical index: analysed terms (lemmas, compound parts) of each passage, ranked by BM25.
CREATE VIRTUAL TABLE IF NOT EXISTS passage_fts USING fts5(terms, tokenize = 'unicode61 remove_diacritics 0');

-- Goal/target tags of each passage (nlp/tagger.py), for goal filters and the portfolio view.
CREATE TABLE IF NOT EXISTS passage_tags (
    rowid     INTEGER NOT NULL,   -- passages.rowid
    framework TEXT NOT NULL,      -- "agenda2030", "national_strategy", ...
    label     TEXT NOT NULL,      -- "8.5", "S4.1", "inkludering"
    level     TEXT NOT NULL,      -- "goal" or "target"
    score     REAL NOT NULL,      -- calibrated, 0..1
    PRIMARY KEY (rowid, framework, label)
);
CREATE INDEX IF NOT EXISTS passage_tags_label ON passage_tags(label, framework);
-- Which tagger (model fingerprint) tagged a document's passages; absent = not tagged.
CREATE TABLE IF NOT EXISTS tagged_documents (document_id TEXT PRIMARY KEY, tagger TEXT NOT NULL);

-- Sentence vectors of a passage (index.passages.sentence_texts), for re-ranking by its best sentence: one row
-- per passage once embedded; ``count`` 0 and no vectors when the passage has no sentences of its
-- own to weigh (one sentence, or short). ``vectors`` is ``count`` x dim float16, in order: half of
-- float32's 1.5 kB a sentence, and a cosine off by < 0.001. Data folders from before this table
-- have no rows: their passages rank by the passage vector alone until `underlag reindex` fills it.
-- The model that made them is meta 'sentence_embedder'.
CREATE TABLE IF NOT EXISTS passage_sentences (rowid INTEGER PRIMARY KEY, count INTEGER NOT NULL, vectors BLOB);

-- The passages each generation touched (removed or added; int64 rowids), or NULL for all of
-- them (new vectors after a change of model): a process whose FAISS index stands at an
-- earlier generation (the server, when the CLI ingested next to it) catches up from these
-- instead of reading the whole file again. The last CHANGE_LOG_KEEP generations are kept.
CREATE TABLE IF NOT EXISTS changes (generation INTEGER PRIMARY KEY, rowids BLOB);

-- Key/value state, e.g. the generation counter the FAISS file is checked against.
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class LexicalRow:
    """What the lexical index holds of one passage (read from the store; defined here so that
    reading the store needs no search library)."""

    rowid: int
    terms: str  # space-separated analysed terms, as FTS5 stores them
    document_id: str
    doc_type: str | None
    organisation: str | None
    years: Sequence[int]
    section: str | None


@dataclass(frozen=True)
class Change:
    """What one write did, for the derived indexes (FAISS) to follow."""

    replaced: list[str]
    removed_rowids: list[int]
    added_rowids: list[int]
    generation: int


@dataclass(frozen=True)
class CatchUp:
    """The net change between a generation and ``generation`` (see DocumentStore.changes_since)."""

    generation: int
    touched: np.ndarray  # rowids removed or added since; those still stored are in ``vectors``
    vectors: dict[int, np.ndarray]


#: One stored tag: (framework, label id, level, score).
StoredTag = tuple[str, str, str, float]


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

    def put(self, doc: Document, passages: Sequence[Passage] = (),
            terms: Sequence[Sequence[str]] = (), vectors: np.ndarray | None = None,
            embedder: str | None = None, tags: Sequence[Sequence[StoredTag]] | None = None,
            tagger: str | None = None, sentences: Sequence[np.ndarray] | None = None) -> Change:
        """Store a document with its passages, their index terms, vectors and tags, atomically.

        An older version of the same source file, and its passages, are replaced.
        ``embedder`` names the model that made ``vectors``; vectors of different
        models are never mixed (see :meth:`set_vectors`). ``tagger`` names the
        tagger model that made ``tags`` (one list per passage). ``sentences``: per passage its
        sentence vectors (``embedder``'s, maybe none), see :meth:`set_sentence_vectors`.
        """
        if tags is not None and (tagger is None or len(tags) != len(passages)):
            raise ValueError("one list of tags per passage, and say which tagger made them")
        if vectors is not None and embedder is None:
            raise ValueError("say which embedder made the vectors")
        if terms and len(terms) != len(passages):
            raise ValueError("one list of terms per passage")
        if vectors is not None and len(vectors) != len(passages):
            raise ValueError("one vector per passage")
        if sentences is not None and (len(sentences) != len(passages) or embedder is None):
            raise ValueError("one matrix of sentence vectors per passage, and say which embedder made them")
        source = _source_key(doc.source)
        with self.transaction() as db:
            replaced = [r[0] for r in db.execute(
                "SELECT id FROM documents WHERE source = ? AND id != ?", (source, doc.id))]
            removed: list[int] = []
            for old in [*replaced, doc.id]:
                removed += self._delete(db, old)
            db.execute(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
                (doc.id, source, doc.filename, doc.metadata.title, doc.metadata.doc_type,
                 ",".join(map(str, doc.metadata.years)), len(doc.sections),
                 datetime.now(timezone.utc).isoformat(timespec="seconds"),
                 doc.model_dump_json()),
            )
            added: list[int] = []
            for i, p in enumerate(passages):
                vec = None if vectors is None else np.asarray(vectors[i], dtype=np.float32).tobytes()
                cur = db.execute(
                    "INSERT INTO passages (id, document_id, years, doc_type, organisation, section, json, vector)"
                    " VALUES (?,?,?,?,?,?,?,?)",
                    (p.id, p.document_id, "," + ",".join(map(str, p.years)) + ",", p.doc_type,
                     p.organisation, p.section, p.model_dump_json(), vec))
                rowid = int(cur.lastrowid)  # type: ignore[arg-type]
                added.append(rowid)
                if terms:
                    db.execute("INSERT INTO passage_fts (rowid, terms) VALUES (?, ?)",
                               (rowid, " ".join(terms[i])))
                if tags is not None:
                    self._insert_tags(db, rowid, tags[i])
                if sentences is not None:
                    self._insert_sentences(db, rowid, sentences[i])
            if sentences is not None:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('sentence_embedder', ?)", (embedder,))
            if tags is not None:
                db.execute("INSERT OR REPLACE INTO tagged_documents VALUES (?, ?)", (doc.id, tagger))
            if vectors is not None:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('embedder', ?)", (embedder,))
            generation = self._bump_generation(db, [*removed, *added])
        return Change(replaced=replaced, removed_rowids=removed, added_rowids=added,
                      generation=generation)

    def embedder_name(self) -> str | None:
        """The model the stored vectors come from (None before the first vector)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'embedder'").fetchone()
        return row[0] if row else None

    def all_passages(self) -> list[tuple[int, Passage]]:
        rows = self._db.execute("SELECT rowid, json FROM passages ORDER BY rowid")
        return [(r[0], Passage.model_validate_json(r[1])) for r in rows]

    def set_vectors(self, rowids: Sequence[int], vectors: np.ndarray, embedder: str) -> int:
        """Replace every passage's vector at once (after a change of model), atomically."""
        if len(rowids) != len(vectors):
            raise ValueError("one vector per passage")
        with self.transaction() as db:
            db.executemany("UPDATE passages SET vector = ? WHERE rowid = ?",
                           [(np.asarray(v, dtype=np.float32).tobytes(), int(r))
                            for r, v in zip(rowids, vectors, strict=True)])
            db.execute("INSERT OR REPLACE INTO meta VALUES ('embedder', ?)", (embedder,))
            return self._bump_generation(db, None)

    def get(self, doc_id: str) -> Document | None:
        row = self._db.execute("SELECT json FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return Document.model_validate_json(row[0]) if row else None

    def resolve(self, ref: str) -> str | None:
        """A document id from an id, a unique id prefix or a file name.

        The prefix is compared as text, not as a LIKE pattern: "%" or "_" name no
        document (a delete of "%" must not delete the only document there is).
        """
        if not ref:
            return None
        rows = self._db.execute(
            "SELECT id FROM documents WHERE id = ? OR filename = ? OR substr(id, 1, ?) = ?",
            (ref, ref, len(ref), ref)).fetchall()
        ids = sorted({r[0] for r in rows})
        return ids[0] if len(ids) == 1 else None

    def list(self) -> list[DocumentSummary]:
        rows = self._db.execute(
            "SELECT id, source, filename, title, doc_type, years, sections, ingested_at "
            "FROM documents ORDER BY filename")
        return [DocumentSummary(id=r[0], source=r[1], filename=r[2], title=r[3], doc_type=r[4],
                                years=[int(y) for y in r[5].split(",") if y], sections=r[6], ingested_at=r[7])
                for r in rows]

    def document_stats(self) -> dict[str, tuple[int, str | None]]:
        """Per document id: its number of passages and its organisation."""
        rows = self._db.execute("SELECT document_id, COUNT(*), MAX(organisation) FROM passages "
                                "GROUP BY document_id")
        return {r[0]: (r[1], r[2]) for r in rows}

    def delete(self, doc_id: str) -> Change | None:
        """Remove a document and its passages; None when there is no such document."""
        with self.transaction() as db:
            if not self.has(doc_id):
                return None
            removed = self._delete(db, doc_id)
            generation = self._bump_generation(db, removed)
        return Change(replaced=[doc_id], removed_rowids=removed, added_rowids=[], generation=generation)

    def _document_rowids(self, doc_id: str) -> list[int]:
        rows = self._db.execute("SELECT rowid FROM passages WHERE document_id = ? ORDER BY rowid", (doc_id,))
        return [r[0] for r in rows]

    def _delete(self, db: sqlite3.Connection, doc_id: str) -> list[int]:
        rowids = self._document_rowids(doc_id)
        db.executemany("DELETE FROM passage_fts WHERE rowid = ?", [(r,) for r in rowids])
        db.executemany("DELETE FROM passage_tags WHERE rowid = ?", [(r,) for r in rowids])
        # SQLite reuses the rowids of a deleted last document: nothing of it may stay keyed by them
        db.executemany("DELETE FROM passage_sentences WHERE rowid = ?", [(r,) for r in rowids])
        db.execute("DELETE FROM tagged_documents WHERE document_id = ?", (doc_id,))
        db.execute("DELETE FROM passages WHERE document_id = ?", (doc_id,))
        db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        return rowids

    # -- sentence vectors -----------------------------------------------------

    @staticmethod
    def _insert_sentences(db: sqlite3.Connection, rowid: int, vectors: np.ndarray) -> None:
        m = np.asarray(vectors, dtype=np.float16)
        db.execute("INSERT OR REPLACE INTO passage_sentences VALUES (?, ?, ?)",
                   (rowid, len(m), m.tobytes() if len(m) else None))

    def set_sentence_vectors(self, vectors: dict[int, np.ndarray], embedder: str, replace_all: bool = False) -> None:
        """Store sentence vectors (rowid -> ``(n, dim)``, n may be 0) made by ``embedder``;
        ``replace_all``: these are every passage's (after a change of model), drop the rest.
        Passages deleted meanwhile are skipped. No generation: no derived index holds them."""
        with self.transaction() as db:
            if replace_all:
                db.execute("DELETE FROM passage_sentences")
            live = {r[0] for r in self._rows_by_rowid("SELECT rowid FROM passages", list(vectors))}
            for rowid, m in vectors.items():
                if rowid in live:
                    self._insert_sentences(db, rowid, m)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('sentence_embedder', ?)", (embedder,))

    def sentence_embedder_name(self) -> str | None:
        """The model the stored sentence vectors come from (None before the first)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'sentence_embedder'").fetchone()
        return row[0] if row else None

    def sentence_vectors(self, rowids: Sequence[int]) -> dict[int, np.ndarray]:
        """The stored sentence vectors (float32 ``(n, dim)``) of those of these passages that have
        sentences of their own; a passage without (one sentence, or never embedded) is left out."""
        out = {}
        for rowid, count, blob in self._rows_by_rowid("SELECT rowid, count, vectors FROM passage_sentences",
                                                      rowids):
            if count and blob is not None:
                out[rowid] = np.frombuffer(blob, dtype=np.float16).astype(np.float32).reshape(count, -1)
        return out

    def passages_without_sentences(self) -> list[int]:
        """Rowids of the passages whose sentences were never embedded (stored before the
        sentence table existed), in order."""
        rows = self._db.execute("SELECT rowid FROM passages WHERE rowid NOT IN "
                                "(SELECT rowid FROM passage_sentences) ORDER BY rowid")
        return [r[0] for r in rows]

    # -- tags ---------------------------------------------------------------

    @staticmethod
    def _insert_tags(db: sqlite3.Connection, rowid: int, tags: Sequence[StoredTag]) -> None:
        db.executemany("INSERT OR REPLACE INTO passage_tags VALUES (?,?,?,?,?)",
                       [(rowid, fw, label, level, float(score)) for fw, label, level, score in tags])

    def set_document_tags(self, doc_id: str, tags: dict[int, Sequence[StoredTag]], tagger: str) -> None:
        """Replace the tags of a document's passages (rowid -> tags) atomically."""
        with self.transaction() as db:
            rowids = self._document_rowids(doc_id)
            if set(tags) - set(rowids):
                raise ValueError(f"tags for passages that are not in document {doc_id}")
            db.executemany("DELETE FROM passage_tags WHERE rowid = ?", [(r,) for r in rowids])
            for rowid, ts in tags.items():
                self._insert_tags(db, rowid, ts)
            db.execute("INSERT OR REPLACE INTO tagged_documents VALUES (?, ?)", (doc_id, tagger))

    def untagged_documents(self, tagger: str) -> list[str]:
        """Documents whose passages were not tagged by this tagger (never, or by another model)."""
        rows = self._db.execute(
            "SELECT id FROM documents WHERE id NOT IN "
            "(SELECT document_id FROM tagged_documents WHERE tagger = ?) ORDER BY filename", (tagger,))
        return [r[0] for r in rows]

    def passage_tags(self, rowids: Sequence[int]) -> dict[int, list[StoredTag]]:
        out: dict[int, list[StoredTag]] = {}
        for r in self._rows_by_rowid("SELECT rowid, framework, label, level, score FROM passage_tags",
                                     rowids, order="rowid, score DESC"):
            out.setdefault(r[0], []).append((r[1], r[2], r[3], r[4]))
        return out

    def vectors_by_rowid(self, rowids: Sequence[int]) -> dict[int, np.ndarray]:
        """The stored vectors of these passages (passages without one are left out)."""
        return {r[0]: np.frombuffer(r[1], dtype=np.float32)
                for r in self._rows_by_rowid("SELECT rowid, vector FROM passages", rowids) if r[1] is not None}

    def vectors_for(self, rowids: Sequence[int]) -> np.ndarray | None:
        """The stored vectors of these passages in order, or None if any is missing."""
        ids = list(rowids)
        found = self.vectors_by_rowid(ids)
        if len(found) != len(ids):
            return None
        return np.vstack([found[r] for r in ids]) if ids else None

    def document_tags(self, doc_id: str) -> dict[int, list[StoredTag]]:
        """Tags of every passage of a document, by passage rowid."""
        return self.passage_tags(self._document_rowids(doc_id))

    # -- state --------------------------------------------------------------

    def generation(self) -> int:
        """A counter bumped by every change; derived files (FAISS) record the one they match."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def _bump_generation(self, db: sqlite3.Connection, touched: Sequence[int] | None) -> int:
        """The next generation, logging the rowids the change ``touched`` (None: every passage)."""
        g = self.generation() + 1
        db.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (str(g),))
        db.execute("INSERT OR REPLACE INTO changes VALUES (?, ?)",
                   (g, None if touched is None else np.asarray(touched, dtype=np.int64).tobytes()))
        db.execute("DELETE FROM changes WHERE generation <= ?", (g - CHANGE_LOG_KEEP,))
        return g

    def changes_since(self, generation: int) -> CatchUp | None:
        """What changed after ``generation``: the passages touched and their vectors now,
        read in one snapshot; None when the log does not reach back that far (or a
        change touched every passage), and the caller reads the whole index instead."""
        self._db.execute("BEGIN")  # a read snapshot: the generation and the rows agree
        try:
            now = self.generation()
            rows = self._db.execute("SELECT rowids FROM changes WHERE generation > ? AND generation <= ?",
                                    (generation, now)).fetchall()
            if len(rows) != now - generation or any(r[0] is None for r in rows):
                return None
            touched = np.unique(np.concatenate([np.frombuffer(r[0], dtype=np.int64) for r in rows]
                                               or [np.zeros(0, dtype=np.int64)]))
            return CatchUp(now, touched, self.vectors_by_rowid(touched.tolist()))
        finally:
            self._db.execute("COMMIT")

    # -- passages -------------------------------------------------------------

    def passage_count(self) -> int:
        return self._db.execute("SELECT count(*) FROM passages").fetchone()[0]

    def passages(self, rowids: Sequence[int]) -> dict[int, Passage]:
        """Passages by rowid (missing rowids are left out)."""
        return {r[0]: Passage.model_validate_json(r[1])
                for r in self._rows_by_rowid("SELECT rowid, json FROM passages", rowids)}

    def passages_by_id(self, ids: Sequence[str]) -> dict[str, tuple[int, Passage]]:
        """Passages by their id ("doc:si:pi"), with their rowids (missing ids are left out)."""
        return {r[1]: (r[0], Passage.model_validate_json(r[2]))
                for r in self._rows_by_rowid("SELECT rowid, id, json FROM passages", ids, column="id")}

    def _rows_by_rowid(self, select: str, keys: Sequence[int] | Sequence[str], order: str | None = None,
                       column: str = "rowid") -> Iterator[tuple]:
        """Rows of ``select`` (a query without WHERE) whose ``column`` is one of ``keys``, in
        chunks that stay under SQLite's limit on bound parameters."""
        ids = list(keys)
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            sql = f"{select} WHERE {column} IN ({','.join('?' * len(chunk))})"
            yield from self._db.execute(sql + (f" ORDER BY {order}" if order else ""), chunk)

    def document_passages(self, doc_id: str) -> list[tuple[int, Passage]]:
        rows = self._db.execute("SELECT rowid, json FROM passages WHERE document_id = ? ORDER BY rowid",
                                (doc_id,))
        return [(r[0], Passage.model_validate_json(r[1])) for r in rows]

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """All stored passage vectors as (rowids, matrix)."""
        rows = self._db.execute("SELECT rowid, vector FROM passages WHERE vector IS NOT NULL ORDER BY rowid")
        ids, vecs = [], []
        for rowid, blob in rows:
            ids.append(rowid)
            vecs.append(np.frombuffer(blob, dtype=np.float32))
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        return np.asarray(ids, dtype=np.int64), np.vstack(vecs)

    def filter_rowids(self, where: str, params: Sequence[object]) -> np.ndarray:
        """Rowids of the passages that satisfy an SQL condition over the passages table."""
        rows = self._db.execute(f"SELECT rowid FROM passages WHERE {where}", list(params))
        return np.fromiter((r[0] for r in rows), dtype=np.int64)

    def doc_freqs(self, words: Sequence[str]) -> dict[str, int]:
        """How many passages hold each of these lexical words (FTS5's own count; a word none
        holds is left out). Through a connection-local fts5vocab table: nothing in the file."""
        words = list(dict.fromkeys(words))
        if not words:
            return {}
        self._db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.passage_fts_vocab "
                         "USING fts5vocab(main, passage_fts, row)")
        rows = self._db.execute("SELECT term, doc FROM temp.passage_fts_vocab WHERE term IN "
                                f"({','.join('?' * len(words))})", words)
        return {term: int(doc) for term, doc in rows}

    def lexical_search(self, match: str, k: int, where: str = "1", params: Sequence[object] = ()
                       ) -> list[tuple[int, float]]:
        """BM25 over the passages' terms: (rowid, score) best first; higher is better."""
        if where == "1":
            # no filter: FTS5 alone (the join costs about half the time at 100k passages)
            rows = self._db.execute(
                "SELECT rowid, bm25(passage_fts) AS rank FROM passage_fts "
                "WHERE passage_fts MATCH ? ORDER BY rank LIMIT ?", [match, k])
        else:
            rows = self._db.execute(
                "SELECT passage_fts.rowid, bm25(passage_fts) AS rank FROM passage_fts "
                "JOIN passages ON passages.rowid = passage_fts.rowid "
                f"WHERE passage_fts MATCH ? AND ({where}) ORDER BY rank LIMIT ?",
                [match, *params, k])
        # FTS5's bm25() is negative, more negative = better; report it the usual way round
        return [(r[0], -r[1]) for r in rows]

    def lexical_rows(self, rowids: Sequence[int] | None = None) -> Iterator[LexicalRow]:
        """What the lexical engine (index.lexical) indexes of each passage: its terms and
        filter fields; of every passage, or of ``rowids``."""
        select = ("SELECT passages.rowid, passage_fts.terms, document_id, doc_type, organisation, years, section "
                  "FROM passages JOIN passage_fts ON passage_fts.rowid = passages.rowid")
        rows = (self._db.execute(select) if rowids is None
                else self._rows_by_rowid(select, rowids, column="passages.rowid"))
        for rowid, terms, doc_id, doc_type, organisation, years, section in rows:
            yield LexicalRow(rowid, terms, doc_id, doc_type, organisation,
                             [int(y) for y in (years or "").split(",") if y], section)

    def stored_terms(self, rowid: int) -> list[str]:
        row = self._db.execute("SELECT terms FROM passage_fts WHERE rowid = ?", (rowid,)).fetchone()
        return row[0].split() if row else []


def _source_key(source: str | Path) -> str:
    return str(Path(source).resolve())
