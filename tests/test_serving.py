"""The app as production serves it: gunicorn calling the factory."""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_serves_the_factory(db_url, app_config):
    port = free_port()
    secret = app_config(db_url)["SECRET_KEY"]
    env = {"LANTERN_DATABASE_URL": db_url, "LANTERN_SECRET_KEY": secret, "PATH": ""}
    # One worker: counting rate limits in memory is then safe (tests/test_gunicorn.py).
    bind = ["--bind", f"127.0.0.1:{port}", "--workers", "1"]
    command = [sys.executable, "-m", "gunicorn", *bind, "wsgi:create_app()"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("gunicorn did not answer within 10 seconds")
        assert '"database":"ok"' in body.replace(" ", "")
    finally:
        server.terminate()
        server.communicate(timeout=10)
