"""Who may reach the service: the Host a request names, the site a browser says it
comes from, and the read token.

One ASGI middleware in front of every route, so a refusal is the same JSON
``{"detail", "code"}`` as every other error:

- **Host.** A request naming a host that is not this server's (``Host:
  evil.example``) is refused with 400: a page on another site whose name is made
  to resolve to this machine (DNS rebinding) then cannot read or write through
  the user's browser. Allowed are ``UNDERLAG_ALLOWED_HOSTS``, or by default the
  address the server listens on and the loopback names.
- **Cross-site writes.** A browser says where a request comes from (``Origin``,
  else ``Referer``). A POST, PUT, PATCH or DELETE from another site (a page the
  user has open that posts a file to ``/api/documents``) is refused with 403; one
  from the server's own pages, or from a client that sends neither header (curl,
  scripts, the CLI), passes.
- **Reading.** With ``UNDERLAG_READ_TOKEN`` set, every request except
  ``/api/health`` and the static files needs it (or the write token): as
  ``Authorization: Bearer <token>``, or as the password of HTTP Basic, so a
  browser asks for it with its own dialog and the web page works unchanged.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import socket
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from api.hosts import LOOPBACK, WILDCARD_ADDRESSES
from api.security import send_error
from underlag.settings import Settings

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# reachable without the read token: the load balancer's probe, and the page's script and style
OPEN_PATHS = ("/api/health", "/static/")


def allowed_hosts(settings: Settings) -> frozenset[str]:
    """The host names a request may use: the setting, or the bound address, the loopback
    names and, when bound to every address, this machine's own names."""
    if settings.allowed_hosts:
        return frozenset(h.strip().strip("[]").lower() for h in settings.allowed_hosts if h.strip())
    hosts = {*LOOPBACK, settings.host.strip("[]").lower()}
    if settings.host in WILDCARD_ADDRESSES:
        hosts |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    return frozenset(hosts)


def _hostname(authority: str) -> str:
    """The host of a ``Host`` header or of a URL's authority, without the port."""
    authority = authority.strip().lower()
    if authority.startswith("["):  # [::1]:8000
        return authority[1:authority.find("]")] if "]" in authority else authority
    return authority.rsplit(":", 1)[0] if authority.count(":") == 1 else authority


def _origin_of(url: str) -> str | None:
    """``host[:port]`` of an Origin or Referer, None when it names none ("null")."""
    parts = urlsplit(url)
    return parts.netloc.lower() if parts.scheme in ("http", "https") and parts.netloc else None


def _token_given(authorization: str) -> str:
    """The token of a Bearer header, or the password of a Basic one."""
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return ""
    return ""


def _matches(given: str, *tokens: str | None) -> bool:
    return any(t and hmac.compare_digest(given.encode("utf-8"), t.encode("utf-8")) for t in tokens)


class AccessMiddleware:
    """Refuse requests for another host (400), cross-site writes (403) and, with a read
    token set, requests without it (401)."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.settings = settings
        self.hosts = allowed_hosts(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
        host = headers.get("host", "")
        if "*" not in self.hosts and _hostname(host) not in self.hosts:
            await send_error(send, 400, f"this server does not answer for the host '{host[:100]}'; "
                                        "add it to UNDERLAG_ALLOWED_HOSTS if it is this server's name",
                             "bad_host")
            return
        if scope["method"] in UNSAFE_METHODS:
            source = headers.get("origin") or headers.get("referer")
            if source is not None and _origin_of(source) != host.lower():
                await send_error(send, 403, "a request from another site may not change or send "
                                            f"anything here (it came from '{source[:100]}')", "cross_site")
                return
        read_token = self.settings.read_token
        if read_token and not scope["path"].startswith(OPEN_PATHS):
            if not _matches(_token_given(headers.get("authorization", "")), read_token, self.settings.api_token):
                await send_error(send, 401, "this server needs a token to read: send 'Authorization: Bearer "
                                            "<token>' with the token in UNDERLAG_READ_TOKEN", "unauthorized",
                                 {"WWW-Authenticate": 'Basic realm="underlag", charset="UTF-8"'})
                return
        await self.app(scope, receive, send)
