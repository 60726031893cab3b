"""Security headers and the session cookie's Secure flag."""

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface

# No inline script or style anywhere: everything is served from this origin.
CSP = "; ".join(
    [
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
)

# Camera (scanning enrolment codes) and location (a pastor's coarse position) on this site only.
PERMISSIONS = "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()"


def add_security_headers(response: Response) -> Response:
    """After every response, error pages included."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
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
