"""Which addresses are this machine's own: shared by the access checks of the web service
and by ``underlag serve`` (which must not import the web framework to decide it)."""

from __future__ import annotations

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD_ADDRESSES = frozenset({"0.0.0.0", "::", ""})


def is_loopback(host: str) -> bool:
    """Whether a server bound to ``host`` is reachable from this machine only."""
    return host.strip("[]") in LOOPBACK
