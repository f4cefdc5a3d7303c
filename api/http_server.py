"""The HTTP protocol under ``underlag serve`` (named there by its import string): uvicorn's
h11, made to answer its own refusals in the API's JSON shape.

uvicorn refuses a request it cannot parse (a request line or headers over h11's
16 KiB default, which a 100 000-character query is) with a plain-text 400
before the app sees it. Here the head may be up to ``max_request_head_kb``
(so an over-long query reaches the app and gets its 422), and a head beyond
that, or any other unparsable request, gets ``{"detail", "code"}`` like every
other refusal.
"""

from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol



class JsonH11Protocol(H11Protocol):
    """uvicorn's h11 protocol whose protocol-level 400 is JSON."""

    def send_400_response(self, msg: str) -> None:
        body = json.dumps({"detail": "the request could not be read: its request line or headers are "
                                     "malformed or too long (a query is at most a few thousand characters)",
                           "code": "bad_request"}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]
        self.transport.write(self.conn.send(h11.Response(status_code=400, headers=headers, reason=b"Bad Request")))
        self.transport.write(self.conn.send(h11.Data(data=body)))
        self.transport.write(self.conn.send(h11.EndOfMessage()))
        self.transport.close()
