"""A real ``underlag serve`` on loopback answers what only a real HTTP server sees
(request heads the app never gets) in the API's JSON shape."""

from __future__ import annotations

import http.client
import json
import threading
from urllib.parse import urlsplit

import httpx
import pytest

from api.subprocess_server import free_port, start_server, stop, wait_until_up


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    port = free_port()
    proc = start_server(tmp_path_factory.mktemp("server") / "data", port)
    threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()  # never let the pipe fill
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, proc, timeout=600)  # a loaded 2-core machine starts slowly
        yield url
    finally:
        stop(proc)


def raw_get(base: str, target: str) -> tuple[int, str, dict]:
    """GET with http.client, which sends a request line of any length (httpx stops at 64 KiB)."""
    u = urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        conn.request("GET", target)
        r = conn.getresponse()
        return r.status, r.getheader("content-type", ""), json.loads(r.read())
    finally:
        conn.close()


@pytest.mark.parametrize("chars, status, code", [(100_000, 422, "invalid"), (3_000_000, 400, "bad_request")])
def test_an_over_long_query_gets_the_json_error_shape(base, chars, status, code):
    got, content_type, body = raw_get(base, "/api/search?q=" + "x" * chars)
    assert got == status and content_type.startswith("application/json")
    assert body["code"] == code and body["detail"]


def test_an_over_long_header_gets_the_json_error_shape(base):
    r = httpx.get(f"{base}/api/health", headers={"X-Padding": "y" * 2_000_000}, timeout=60)
    assert r.status_code == 400 and r.json()["code"] == "bad_request"
