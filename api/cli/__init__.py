"""The ``underlag`` command line: one entry point, one subcommand per task.

Every command prints readable tables for people and, with ``--json``, JSON
for scripts (the field names are a public interface: extend, never rename).
Each command group lives in its own module and registers itself on :data:`app`;
the options and output helpers they share are in :mod:`api.cli.common`.
"""

from api.cli import documents, search, review, drafting, serve, tagging  # noqa: F401, I001  (registers the commands in this order)
from api.cli.common import app

__all__ = ["app"]
