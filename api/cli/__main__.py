"""``python -m api.cli``: the same command line as the ``underlag`` script."""

from api.cli import app

app()
