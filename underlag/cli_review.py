"""`underlag` subcommands for templates, coverage checks and draft suggestions (template, coverage, suggest).

Registered on :data:`underlag.cli.app` when :mod:`underlag.cli` is imported.
"""

from __future__ import annotations

from underlag.cli import app, err, out  # noqa: F401
