"""What keeps the service safe under bad input: the write token, the body size
limit, security headers on the pages, and JSON errors for everything that fails.
"""

from __future__ import annotations

import hmac
import logging

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from underlag.errors import UnderlagError

log = logging.getLogger("underlag.api")

_bearer = HTTPBearer(auto_error=False, description="The token set in UNDERLAG_API_TOKEN "
                     "(only needed when the server has one).")


def require_token(request: Request,
                  credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:
    """Dependency of every endpoint that changes the index or takes an upload: checks the
    bearer token if one is set (an upload is parsed, and a parse is the costly part)."""
    expected = request.app.state.settings.api_token
    if not expected:
        return
    given = credentials.credentials if credentials else ""
    if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise HTTPException(401, "this server needs a token for this: send "
                                 "'Authorization: Bearer <token>' with the token in UNDERLAG_API_TOKEN",
                            headers={"WWW-Authenticate": "Bearer"})


class _BodyTooLarge(BaseException):
    # BaseException: request body parsers turn any Exception into their own 400
    pass


class BodyLimitMiddleware:
    """Refuse request bodies over ``limit`` bytes with 413, before they are read.

    The declared Content-Length is checked first; a body without one (chunked)
    is counted as it arrives, so nothing larger than the limit is ever spooled.
    """

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.limit
            except ValueError:
                await send_error(send, 400, "the Content-Length header is not a number", "bad_request")
                return
            if too_big:
                await send_error(send, 413, self._message(), "too_large")
                return
        seen = 0
        exceeded = started = False

        async def counting_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:  # whatever the app made of a cut-off body, the answer is 413
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyTooLarge:
            pass
        if exceeded and not started:
            await send_error(send, 413, self._message(), "too_large")

    def _message(self) -> str:
        return (f"the request is larger than the server's limit of {self.limit / 1024 / 1024:g} MB "
                "(UNDERLAG_MAX_UPLOAD_MB)")


async def send_error(send: Send, status: int, detail: str, code: str, headers: dict[str, str] | None = None) -> None:
    """Answer from a middleware, before any route: the same JSON as every other error."""
    response = JSONResponse({"detail": detail, "code": code}, status_code=status, headers=headers)
    await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:  # pragma: no cover - a JSON response never reads
    return {"type": "http.disconnect"}


def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves as JSON ``{"detail", "code"}``; nothing leaks a traceback."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, e: StarletteHTTPException) -> JSONResponse:
        code = {400: "bad_request", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed",
                413: "too_large", 415: "unsupported_format", 422: "invalid"}.get(e.status_code, "error")
        return JSONResponse({"detail": str(e.detail), "code": code}, status_code=e.status_code,
                            headers=getattr(e, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, e: RequestValidationError) -> JSONResponse:
        parts = []
        for err in e.errors():
            where = ".".join(str(x) for x in err.get("loc", ()) if x != "body")
            parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        return JSONResponse({"detail": "; ".join(parts) or "invalid request", "code": "invalid"},
                            status_code=422)

    @app.exception_handler(UnderlagError)
    async def user_error(request: Request, e: UnderlagError) -> JSONResponse:
        # status and code come with the error class (underlag.errors), as the CLI's exit code does
        headers = {"Retry-After": str(getattr(e, "retry_after", 60))} if e.http_status == 503 else None
        return JSONResponse({"detail": str(e), "code": e.code}, status_code=e.http_status, headers=headers)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, e: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error; the server log has the details",
                             "code": "internal"}, status_code=500)


PAGE_HEADERS = {
    # the pages load only their own script and style; nothing inline, no other origin
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
