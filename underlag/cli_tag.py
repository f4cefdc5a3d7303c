"""`underlag` subcommands for tagging against goal frameworks (tag, portfolio).

Registered on :data:`underlag.cli.app` when :mod:`underlag.cli` is imported.
"""

from __future__ import annotations

from underlag.cli import app, err, out  # noqa: F401
