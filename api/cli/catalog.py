"""`underlag documents`: the documents in the index, read from its store alone.

Registered on :data:`api.cli.common.app` when the command runs; it opens no search index and
loads no model (the start-up benchmark times it against a bare ``import faiss, numpy``).
"""

from __future__ import annotations

from rich.table import Table

from api.cli.common import DataDirOpt, JsonOpt, app, out, print_json, settings_for
from index.catalog import documents_in


@app.command()
def documents(as_json: JsonOpt = False, data_dir: DataDirOpt = None) -> None:
    """List the documents in the index."""
    docs = documents_in(settings_for(data_dir).index_dir)
    if as_json:
        print_json([d.model_dump(mode="json") for d in docs])
        return
    table = Table("id", "fil", "titel", "typ", "år", "avsnitt")
    for d in docs:
        table.add_row(d.id[:10], d.filename, d.title or "", d.doc_type or "",
                      ", ".join(map(str, d.years)), str(d.sections))
    out.print(table)
