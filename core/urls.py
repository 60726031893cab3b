"""URL helpers."""

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """The target if it is a path on this site, else None: no open redirects."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None  # some browsers read a backslash as a slash
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None  # a line break cannot go in a Location header: it would be a 500
    return target
