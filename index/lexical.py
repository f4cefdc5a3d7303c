"""The lexical engine: BM25 over the passages' analysed terms in Tantivy.

SQLite's FTS5 computes BM25 for every passage that matches any query word, and
an analysed Swedish query (lemmas and compound parts) matches a large share of
a big corpus: at 1M passages FTS5 alone took p95 392 ms on an idle machine.
Tantivy (a Lucene-like engine in Rust) keeps block-wise maximum scores in its
postings and skips the blocks that cannot reach the top k, so the same query
takes a few milliseconds (evaluations/README.md, Performance).

Like the FAISS file, this index is derived from the SQLite store, which stays
the source of truth (FTS5 keeps every passage's terms inside the same
transaction as the passage): ``lexical/`` holds Tantivy's segments and
``lexical.json`` the store generation they match, written after Tantivy's own
atomic commit. A crash between the store's commit and ours leaves a generation
that does not match, and the index is rebuilt from the store on open (1M
passages in about 20 s). Two processes share the files (the CLI ingesting next
to the server): Tantivy lets one write at a time, and a write records its
generation only if the files stood at the one before it, so a change that
another process stored but never wrote here is not papered over.

The filter fields of a passage (document, type, organisation, years, section)
are indexed next to its terms, so a filtered query is one Tantivy query. A
section is indexed with each of its numbered ancestors ("1.3.2" as "1",
"1.3" and "1.3.2"), so the filter "1.3" matches 1.3 and every subsection, as
the SQL filter does.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import tantivy

from index.dense import _fsync_replace
from index.store import LexicalRow

INDEX_DIR = "lexical"
META_FILE = "lexical.json"
#: Bumped when the fields below change; an index of another format is rebuilt.
FORMAT = 1
# Tantivy's indexing memory: its minimum per thread is 15 MB; documents are small.
WRITER_HEAP = 64_000_000
#: How long a write waits for another process's writer (Tantivy allows one) to finish.
WRITER_WAIT_S = 30.0

log = logging.getLogger(__name__)


class LexicalBusyError(RuntimeError):
    """Another writer held the lexical index for longer than :data:`WRITER_WAIT_S`."""


def section_prefixes(section: str | None) -> list[str]:
    """``"1.3.2"`` -> ``["1", "1.3", "1.3.2"]`` (lowercased, as filters compare them)."""
    if not section:
        return []
    parts = section.strip().rstrip(".").lower().split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    # the terms are already analysed and lowercased (nlp.analyzer); split on spaces only,
    # and keep term frequencies (BM25) but not positions (no phrase queries)
    sb.add_text_field("terms", tokenizer_name="whitespace", index_option="freq")
    sb.add_integer_field("rowid", indexed=True, fast=True)
    for name in ("document_id", "doc_type", "organisation", "section"):
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("years", indexed=True)
    return sb.build()


class LexicalIndex:
    """A Tantivy index of passage terms and filter fields, keyed by the passage rowid."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._index = tantivy.Index.open(str(self.path))
        self._schema = self._index.schema

    # -- opening and building -------------------------------------------------------

    @classmethod
    def load(cls, directory: Path, generation: int) -> LexicalIndex | None:
        """The index in ``directory`` if it matches the store's ``generation``, else None."""
        directory = Path(directory)
        if _recorded_generation(directory) != generation:
            return None
        try:
            return cls(directory / INDEX_DIR)
        except Exception:  # noqa: BLE001 - Tantivy reports a damaged index with several error types
            # missing, half-written or unreadable: the caller rebuilds from the store
            return None

    @classmethod
    def build(cls, directory: Path, rows: Iterable[LexicalRow], generation: int) -> LexicalIndex:
        """A new index of ``rows``, replacing whatever is in ``directory``."""
        directory = Path(directory)
        tmp = directory / (INDEX_DIR + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        index = tantivy.Index(_schema(), path=str(tmp), reuse=False)
        writer = index.writer(heap_size=2 * WRITER_HEAP, num_threads=2)
        schema = index.schema
        for row in rows:
            writer.add_document(_document(row))
        writer.commit()
        writer.wait_merging_threads()
        del writer, index, schema
        # (meta first names no generation, so a crash mid-swap leaves a stale index)
        _write_meta(directory, generation=None)
        target = directory / INDEX_DIR
        old = directory / (INDEX_DIR + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
        _write_meta(directory, generation)
        return cls(target)

    # -- writing ----------------------------------------------------------------------

    def update(self, removed: Sequence[int], added: Iterable[LexicalRow], generation: int) -> None:
        """Delete ``removed`` rowids, add ``added`` rows, commit, and record ``generation``.

        A writer is opened per change and closed after it: Tantivy allows one
        writer per index, and another process (the CLI next to the server) may
        be the next to write.
        """
        writer = self._writer()
        # read under the writer lock: the generation the files record before this change
        recorded = _recorded_generation(self.path.parent)
        try:
            for rowid in removed:
                writer.delete_documents_by_term("rowid", int(rowid))
            for row in added:
                writer.add_document(_document(row))
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise
        finally:
            del writer
        self._index.reload()
        if recorded == generation - 1:
            _write_meta(self.path.parent, generation)
        else:
            # another process's change came in between and is not (yet) in these files,
            # or the files were already behind: recording this generation would claim
            # they hold it; left behind, they are rebuilt from the store when next opened
            log.info("%s: generation %s recorded before change %s; not recording it",
                     self.path, recorded, generation)

    def reload(self) -> None:
        """See what other processes have committed since this index was opened."""
        self._index.reload()

    def _writer(self) -> tantivy.IndexWriter:
        deadline, pause = time.monotonic() + WRITER_WAIT_S, 0.05
        while True:
            try:
                return self._index.writer(heap_size=WRITER_HEAP, num_threads=1)
            except ValueError as e:
                if "LockBusy" not in str(e):
                    raise
                if time.monotonic() > deadline:
                    raise LexicalBusyError(f"{self.path}: another process kept writing for "
                                           f"{WRITER_WAIT_S:.0f} s") from e
                log.info("%s: waiting for another writer", self.path)
                time.sleep(pause)
                pause = min(1.0, 2 * pause)

    # -- reading ----------------------------------------------------------------------

    def search(self, words: Sequence[str], k: int, *, document_id: str | None = None,
               doc_type: str | None = None, organisation: str | None = None,
               year: int | None = None, section: str | None = None) -> list[tuple[int, float]]:
        """BM25 over ``words`` (any of them), (rowid, score) best first, under the filters."""
        if not words or k <= 0:
            return []
        schema = self._schema
        should = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "terms", w, index_option="freq"))
             for w in dict.fromkeys(words)])
        must = [(field, value) for field, value in (
            ("document_id", document_id), ("doc_type", doc_type), ("organisation", organisation),
            ("years", int(year) if year else None),
            ("section", section.strip().rstrip(".").lower() if section else None)) if value]
        query = should
        if must:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, should)]
                + [(tantivy.Occur.Must, tantivy.Query.const_score_query(
                    tantivy.Query.term_query(schema, field, value), 0.0)) for field, value in must])
        searcher = self._index.searcher()
        hits = searcher.search(query, k, count=False).hits
        if not hits:
            return []
        rowids = searcher.fast_field_values("rowid", [address for _, address in hits])
        return [(int(r), float(score)) for r, (score, _) in zip(rowids, hits, strict=True)]

    def doc_freqs(self, words: Sequence[str]) -> dict[str, int]:
        """How many passages hold each of these words (a word none holds is left out; passages
        deleted but not yet merged away still count: a rarity, not an exact count)."""
        searcher = self._index.searcher()
        found = {w: searcher.doc_freq("terms", w) for w in dict.fromkeys(words)}
        return {w: n for w, n in found.items() if n}

    @property
    def size(self) -> int:
        return self._index.searcher().num_docs


def _document(row: LexicalRow) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_integer("rowid", int(row.rowid))
    doc.add_text("terms", row.terms)
    doc.add_text("document_id", row.document_id)
    if row.doc_type:
        doc.add_text("doc_type", row.doc_type)
    if row.organisation:
        doc.add_text("organisation", row.organisation)
    for year in row.years:
        doc.add_integer("years", int(year))
    for prefix in section_prefixes(row.section):
        doc.add_text("section", prefix)
    return doc


def _recorded_generation(directory: Path) -> int | None:
    """The store generation the files hold (None: missing, unreadable, another format)."""
    try:
        meta = json.loads((Path(directory) / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        return None
    return meta.get("generation")


def _write_meta(directory: Path, generation: int | None) -> None:
    tmp = Path(directory) / (META_FILE + ".tmp")
    tmp.write_text(json.dumps({"format": FORMAT, "generation": generation}), encoding="utf-8")
    _fsync_replace(tmp, Path(directory) / META_FILE)
