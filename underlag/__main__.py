"""``python -m underlag``: the same command line as the ``underlag`` script."""

from underlag.cli import app

app()
