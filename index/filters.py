"""Search filters and the SQL condition that applies them to the store's passages.

A filter names a document, a document type, an organisation, a year, a section (with its
subsections) or a goal; the dense half of a search asks the store for the rowids the
condition admits, the lexical half passes the same fields to Tantivy.
"""

from __future__ import annotations

from dataclasses import dataclass

from underlag.errors import QueryError

#: Candidates read from each half of a search for a page with its total and facets. 1000
#: keeps a page with facets at ~0.1 s on the sample corpus; a query matching more shows
#: "minst 1000". (Here, beside the filters, so that the command line's options can name it
#: without importing the index.)
MAX_RESULTS = 1000
#: How deep SearchIndex.search reads each half by default: a page's first hits are ranked
#: from lists this deep, so they are the same hits in the same order as the search's.
SEARCH_DEPTH = 100

#: The escape character of every LIKE pattern built from user input (``ESCAPE '\\'``).
LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """``text`` as a literal inside a LIKE pattern: ``%``, ``_`` and the escape character escaped."""
    return text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


@dataclass(frozen=True)
class Filters:
    """Restrict a search. ``section`` "1.3" matches 1.3 and its subsections."""

    document: str | None = None  # id, id prefix or file name
    doc_type: str | None = None
    year: int | None = None
    organisation: str | None = None
    section: str | None = None
    # a goal or target: "agenda2030:8.5", or a bare id ("8.5", "S4.1", "inkludering") in any framework
    goal: str | None = None

    def is_empty(self) -> bool:
        return not any((self.document, self.doc_type, self.year, self.organisation, self.section,
                        self.goal))


def where_clause(filters: Filters, document_id: str | None) -> tuple[str, list[object]]:
    """The SQL condition on ``passages`` (and its parameters) that ``filters`` stand for;
    ``document_id`` is the document filter already resolved to one id."""
    conds: list[str] = []
    params: list[object] = []
    if filters.document:
        conds.append("passages.document_id = ?")
        params.append(document_id)
    if filters.doc_type:
        conds.append("passages.doc_type = ?")
        params.append(filters.doc_type)
    if filters.organisation:
        conds.append("passages.organisation = ?")
        params.append(filters.organisation)
    if filters.year:
        conds.append("passages.years LIKE ?")
        params.append(f"%,{int(filters.year)},%")
    if filters.section:
        conds.append(f"(passages.section = ? OR passages.section LIKE ? ESCAPE '{LIKE_ESCAPE}')")
        params += [filters.section.rstrip("."), escape_like(filters.section.rstrip(".")) + ".%"]
    if filters.goal:
        framework, _, label = filters.goal.strip().rpartition(":")
        if not label:
            raise QueryError(f"'{filters.goal}' names no goal; use e.g. 8.5 or agenda2030:8.5")
        conds.append("passages.rowid IN (SELECT rowid FROM passage_tags WHERE label = ?"
                     + (" AND framework = ?)" if framework else ")"))
        params += [label, framework] if framework else [label]
    return (" AND ".join(conds) or "1"), params
