"""A running server on the same data folder, found and asked by the command line.

The server announces itself in ``<data dir>/server.json`` (address and process id,
no token) once it is ready, and removes the file when it stops. ``underlag search``
asks it first: the server has the model and the index loaded, so a search answers
in a fraction of a second instead of the seconds a fresh process needs to load
them. ``UNDERLAG_SERVER`` names a server explicitly. Anything that goes wrong on
the way (no server, a stale file, a refused connection, an error answer) means
"work alone": the command then does exactly what it does without a server.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from index.filters import Filters
from underlag.model import Hit, Tag
from underlag.settings import Settings

SERVER_FILE = "server.json"
#: A server that does not answer within this is treated as absent (its answers take ~0.07 s).
TIMEOUT_S = 30.0
#: The API's own limit on hits per search; larger requests are served locally.
MAX_REMOTE_K = 100


def server_file(settings: Settings) -> Path:
    return settings.data_dir / SERVER_FILE


def announce(settings: Settings, url: str) -> None:
    """Write the server's address to the data folder (atomically, readable by the owner's commands)."""
    path = server_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"url": url, "pid": os.getpid()}) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def withdraw(settings: Settings) -> None:
    """Remove the announcement, if it is this process's."""
    path = server_file(settings)
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def find_server(settings: Settings) -> str | None:
    """The address of a server for this data folder: ``UNDERLAG_SERVER``, else an
    announcement whose process is still alive, else None."""
    if settings.server:
        return settings.server.rstrip("/")
    try:
        info = json.loads(server_file(settings).read_text(encoding="utf-8"))
        url, pid = str(info["url"]), int(info["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return url.rstrip("/") if _alive(pid) else None


#: What means "work alone": no answer, an error answer (a bad filter, an unknown document:
#: the local run then reports it in its own words), or an answer of another shape.
_FAILURES = (OSError, ValueError, KeyError, TypeError, urllib.error.URLError)


def _filter_fields(filters: Filters) -> dict[str, str | int]:
    return {name: value for name, value in (
        ("document", filters.document), ("doc_type", filters.doc_type), ("year", filters.year),
        ("organisation", filters.organisation), ("section", filters.section), ("goal", filters.goal),
    ) if value is not None}


def _ask(url: str, path: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(f"{url}{path}", data=data,
                                     headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        return json.loads(response.read().decode("utf-8"))


def _hits(rows: list[dict]) -> list[Hit]:
    fields = Hit.model_fields  # the API adds the page address; the command line prints the rest
    return [Hit.model_validate({name: v for name, v in row.items() if name in fields}) for row in rows]


def remote_search(url: str, query: str, *, k: int, mode: str, filters: Filters) -> list[Hit] | None:
    """The server's hits for a search, as the index itself returns them; None to work alone."""
    if k > MAX_REMOTE_K:
        return None
    params = {"q": query, "k": k, "mode": mode, **_filter_fields(filters)}
    try:
        return _hits(_ask(url, f"/api/search?{urllib.parse.urlencode(params)}")["hits"])
    except _FAILURES:
        return None


def remote_similar(url: str, text: str, *, k: int, filters: Filters,
                   exclude_document: str | None) -> list[Hit] | None:
    """The server's earlier wording of ``text`` (``underlag similar``); None to work alone."""
    if k > MAX_REMOTE_K:
        return None
    body = {"text": text, "k": k, "filters": _filter_fields(filters), "exclude_document": exclude_document}
    try:
        return _hits(_ask(url, "/api/prior-wording", body)["hits"])
    except _FAILURES:
        return None


def remote_tag(url: str, text: str) -> list[Tag] | None:
    """The server's tags for a text in every framework (``underlag tag --text``); None to work alone.

    Scores come back rounded to 4 decimals, as a tag's JSON prints them anyway."""
    try:
        return [Tag.model_validate(t) for t in _ask(url, "/api/tag", {"text": text})["labels"]]
    except _FAILURES:
        return None
