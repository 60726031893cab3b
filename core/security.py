"""Security headers and the session cookie's Secure flag."""

from functools import cache
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface

# No inline script or style anywhere: everything is served from this origin, but the map
# tiles, which come from the one tile server the MAP_TILE_URL setting names.
DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "form-action 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
]
CSP = "; ".join(DIRECTIVES)


def tile_origin(template: str | None) -> str:
    """The scheme, host and port of a tile URL template ("https://tile.example.org"), or ""."""
    if not template:
        return ""
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.hostname or "{" in parts.netloc:
        return ""  # a subdomain template ({s}.tile...) would need a wildcard: not allowed
    return f"{parts.scheme}://{parts.netloc}"


@cache
def csp(tiles: str) -> str:
    """The policy, with images allowed from the tile server's origin too."""
    if not tiles:
        return CSP
    return "; ".join(f"{d} {tiles}" if d.startswith("img-src") else d for d in DIRECTIVES)


# Camera (scanning enrolment codes) and location (a pastor's coarse position) on this site only.
PERMISSIONS = "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()"


def add_security_headers(response: Response) -> Response:
    """After every response, error pages included."""
    headers = response.headers
    tiles = tile_origin(current_app.config.get("MAP_TILE_URL"))
    headers.setdefault("Content-Security-Policy", csp(tiles))
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Permissions-Policy"] = PERMISSIONS
    headers["X-Frame-Options"] = "DENY"  # for browsers that predate frame-ancestors
    if request.is_secure:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint != "static":
        # Pages carry records about vulnerable people: never keep them in a cache.
        headers["Cache-Control"] = "no-store"
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)
