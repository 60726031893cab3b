"""A map tile server for the browser tests: every tile the same small PNG, a light ground
with a faint grid, served from 127.0.0.1, so that no test ever reaches a real tile server.

    with tile_server() as tiles:
        live_app.config["MAP_TILE_URL"] = tiles.template
        ...
        assert tiles.requests  # the map asked for tiles

A server that is down (`tile_server(down=True)`) answers nothing, as a tile server that
has gone away.
"""

import io
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image, ImageDraw


def tile_png() -> bytes:
    """A 256 px tile: a pale ground and a grid, like a street map with nothing on it."""
    image = Image.new("RGB", (256, 256), (242, 239, 233))
    draw = ImageDraw.Draw(image)
    for at in range(0, 256, 64):
        draw.line([(at, 0), (at, 255)], fill=(226, 222, 214), width=2)
        draw.line([(0, at), (255, at)], fill=(226, 222, 214), width=2)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class QuietServer(ThreadingHTTPServer):
    """A browser drops tile requests it no longer needs (a map moved, a page closed)."""

    def handle_error(self, request, client_address) -> None:
        pass


class TileServer:
    def __init__(self, server: ThreadingHTTPServer):
        self.server = server
        self.requests: list[str] = []

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    @property
    def template(self) -> str:
        return f"{self.origin}/{{z}}/{{x}}/{{y}}.png"


@contextmanager
def tile_server(down: bool = False):
    """A tile server on a free port; with `down`, one whose every request is refused."""
    body = tile_png()
    heard: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802  (http.server's name)
            heard.append(self.path)
            if down:
                self.send_error(503)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet
            pass

    server = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    tiles = TileServer(server)
    tiles.requests = heard
    try:
        yield tiles
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
