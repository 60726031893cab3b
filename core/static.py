"""Static files: compressed on the way out, and addressed by their content so a returning
device downloads nothing that has not changed.

Every url_for("static", ...) gets ?v=<a hash of the file's bytes>. A request carrying the
file's current hash is cached for a year as immutable; any other (a script module's own
relative import, an old page) is revalidated with its ETag, so an unchanged file costs a
304 and no body.
"""

import hashlib
from functools import lru_cache
from pathlib import Path
from stat import S_ISREG

from flask import Flask, Response, current_app, request

from extensions import compress

# Compressed when the browser takes it: brotli first, gzip otherwise, never zstd or deflate.
ALGORITHMS = ["br", "gzip"]
TEXT = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
]
YEAR = 365 * 24 * 3600


@lru_cache(maxsize=512)
def content_hash(path: Path, mtime_ns: int) -> str:
    """The first 12 hex digits of the file's SHA-256 (mtime only keys the cache)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=512)
def inside(folder: str, filename: str) -> Path | None:
    """The file's real path when it lies inside the folder, else None. Resolving a path
    asks the disk about each of its folders: done once, not on every url_for."""
    root = Path(folder).resolve()
    path = (root / filename).resolve()
    return path if root in path.parents else None


def version_of(filename: str) -> str | None:
    """The current content hash of a static file, or None when there is no such file."""
    path = inside(current_app.static_folder or "", filename)
    if path is None:
        return None
    try:
        found = path.stat()
    except OSError:  # no such file
        return None
    if not S_ISREG(found.st_mode):
        return None
    return content_hash(path, found.st_mtime_ns)


def add_version(endpoint: str, values: dict) -> None:
    """url_defaults: static URLs carry their file's content hash."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = version_of(values["filename"])
        if version:
            values["v"] = version


def cache_static(response: Response) -> Response:
    """A static file asked for at its current hash never changes at that address."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    if request.args.get("v") and request.args.get("v") == version_of(filename):
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"  # revalidate: a 304 when unchanged
    return response


def whole(response: Response) -> Response:
    """The response's body read into memory (static files are small) and its file closed
    at once: then it is compressed in one piece, and nothing is left open."""
    if not response.direct_passthrough:
        return response
    response.direct_passthrough = False
    source = response.response
    try:
        body = b"".join(response.iter_encoded())
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()
    response.set_data(body)
    return response


def register(app: Flask) -> None:
    app.config.setdefault("COMPRESS_ALGORITHM", ALGORITHMS)
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ALGORITHMS)
    app.config.setdefault("COMPRESS_MIMETYPES", TEXT)
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.url_defaults(add_version)
    app.after_request(cache_static)
    compress.init_app(app)  # registered last, so it runs first on the way out
