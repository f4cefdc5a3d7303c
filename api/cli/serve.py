"""`underlag` subcommands for the web service (serve).

Registered on :data:`api.cli.common.app` when one of its commands runs (:data:`api.cli.common.COMMANDS`).
"""

from __future__ import annotations

import logging
import os
from typing import Annotated

import typer

from api.cli.common import DataDirOpt, app, err, out, settings_for
from api.hosts import is_loopback

#: uvicorn imports the app from this string (see api.app.served_app); the name of its
#: environment variable is repeated here for the same reason.
APP_FACTORY = "api.app:served_app"
SERVE_URL_ENV = "UNDERLAG_SERVE_URL"
HTTP_PROTOCOL = "api.http_server:JsonH11Protocol"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default; "
                                           "0.0.0.0 opens it to the network).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    data_dir: DataDirOpt = None,
) -> None:
    """Start the web service and its web page (API docs under /docs).

    The model loads once at start; an empty index is first filled with the
    sample corpus. Set UNDERLAG_API_TOKEN to require a token for upload and delete;
    beyond loopback UNDERLAG_READ_TOKEN (a token to read) is required too.
    """
    import uvicorn  # only when serving: it is a tenth of the command line's start-up

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings_for(data_dir).model_copy(update={"host": host})
    if not is_loopback(host):
        if not settings.read_token and not settings.public_read:
            err.print("Lyssnar inte utanför loopback utan UNDERLAG_READ_TOKEN: rapporterna kan vara interna "
                      "utkast. Sätt UNDERLAG_READ_TOKEN (eller UNDERLAG_PUBLIC_READ=1 för öppen läsning).",
                      highlight=False)
            raise typer.Exit(2)
        if not settings.api_token:
            err.print("Varning: utanför loopback utan UNDERLAG_API_TOKEN kan alla som når porten ladda upp "
                      "och ta bort dokument.", highlight=False)
    out.print(f"Underlag: http://{host}:{port}/  (API: /docs, index: {settings.index_dir})", highlight=False)
    address = f"[{host}]" if ":" in host else host
    local = "127.0.0.1" if host in ("0.0.0.0", "::") else address
    os.environ["UNDERLAG_DATA_DIR"] = str(settings.data_dir)
    os.environ[SERVE_URL_ENV] = f"http://{local}:{port}"
    os.environ["UNDERLAG_HOST"] = host  # the served app reads its settings from the environment
    # h11 with the API's JSON 400 for requests it cannot parse, and a request head large enough
    # that an over-long query reaches the app and gets its 422 (api.http_server)
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, log_level="info", access_log=False,
                http=HTTP_PROTOCOL, h11_max_incomplete_event_size=int(settings.max_request_head_kb * 1024))
