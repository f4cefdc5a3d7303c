"""The ``underlag`` command line: one entry point, one subcommand per task.

Every command prints readable tables for people and, with ``--json``, JSON
for scripts (the field names are a public interface: extend, never rename).
Each command group lives in its own module and registers itself on :data:`app`
when the command runs (the table of commands is :data:`api.cli.common.COMMANDS`);
the options and output helpers they share are in :mod:`api.cli.common`.
"""

from api.cli.common import app

__all__ = ["app"]
