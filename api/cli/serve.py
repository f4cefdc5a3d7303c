"""`underlag` subcommands for the web service (serve).

Registered on :data:`api.cli.common.app` when :mod:`api.cli` is imported.
"""

from __future__ import annotations

import logging
import os
from typing import Annotated

import typer

from api.cli.common import DataDirOpt, app, err, out, settings_for

#: uvicorn imports the app from this string (see api.app.served_app); the name of its
#: environment variable is repeated here for the same reason.
APP_FACTORY = "api.app:served_app"
SERVE_URL_ENV = "UNDERLAG_SERVE_URL"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default; "
                                           "0.0.0.0 opens it to the network).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    data_dir: DataDirOpt = None,
) -> None:
    """Start the web service and its web page (API docs under /docs).

    The model loads once at start; an empty index is first filled with the
    sample corpus. Set UNDERLAG_API_TOKEN to require a token for upload and delete.
    """
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings_for(data_dir)
    if host not in ("127.0.0.1", "localhost", "::1") and not settings.api_token:
        err.print("warning: listening beyond loopback without UNDERLAG_API_TOKEN: anyone who reaches "
                  "the port can upload and delete documents", highlight=False)
    out.print(f"Underlag: http://{host}:{port}/  (API: /docs, index: {settings.index_dir})", highlight=False)
    address = f"[{host}]" if ":" in host else host
    local = "127.0.0.1" if host in ("0.0.0.0", "::") else address
    os.environ["UNDERLAG_DATA_DIR"] = str(settings.data_dir)
    os.environ[SERVE_URL_ENV] = f"http://{local}:{port}"
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, log_level="info", access_log=False)
