"""ReDoc at /redoc from the fastapi-offline package's files (Swagger UI's /docs is that
package's own route), under a Content-Security-Policy that keeps the page on this server.

ReDoc's bundle fetches its "API docs by Redocly" logo from cdn.redoc.ly; offline that
request hangs until it fails. The policy stops it in the browser, so nothing leaves the
machine (tests/test_e2e_workbench.py routes every request and asserts none went out).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

#: Where FastAPIOffline mounts its Swagger UI and ReDoc files.
ASSETS = "/static-offline-docs"
# ReDoc styles itself inline (styled-components) and runs its search in a blob: worker
REDOC_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                "script-src 'self' blob:; worker-src 'self' blob:; font-src 'self' data:; "
                "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


@router.get("/redoc")
async def redoc() -> HTMLResponse:
    page = get_redoc_html(openapi_url="/openapi.json", title="underlag - ReDoc",
                          redoc_js_url=f"{ASSETS}/redoc.standalone.js",
                          redoc_favicon_url=f"{ASSETS}/favicon.png", with_google_fonts=False)
    page.headers["Content-Security-Policy"] = REDOC_POLICY
    return page
