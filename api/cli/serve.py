"""`underlag` subcommands for the web service (serve).

Registered on :data:`api.cli.common.app` when :mod:`api.cli` is imported.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from api.access import is_loopback
from api.app import create_app
from api.http_server import serve as run_server

from api.cli.common import DataDirOpt, app, err, out, settings_for


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
    run_server(create_app(settings), settings, host, port)
