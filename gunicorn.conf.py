"""How production serves Lantern. Gunicorn, started from this folder, reads this file by
default: `gunicorn 'wsgi:create_app()'` (see the README). Command-line options win.

The file reads Lantern's own settings as create_app does, without importing the app:
the master process stays free of application code, so a reload (HUP) loads new code.
"""

import json
import os
import runpy
from pathlib import Path

INSTANCE_CONFIG = Path(__file__).resolve().parent / "instance" / "config.py"
# wsgi.DEFAULTS["RATELIMIT_STORAGE_URI"]; tests/test_gunicorn.py keeps the two equal.
DEFAULT_STORAGE = "memory://"


def lantern_setting(name: str, default: object) -> object:
    """A Lantern setting as create_app reads it: LANTERN_NAME from the environment (JSON
    where it parses), else NAME in instance/config.py, else the default."""
    if f"LANTERN_{name}" in os.environ:
        raw = os.environ[f"LANTERN_{name}"]
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    if INSTANCE_CONFIG.exists():
        return runpy.run_path(str(INSTANCE_CONFIG)).get(name, default)
    return default


# Only the reverse proxy on this machine talks to Lantern (README, "Serving in production").
bind = ["127.0.0.1:8000"]
# WEB_CONCURRENCY is gunicorn's own variable for this; setting workers here would hide it.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))

# Gunicorn's default believes X-Forwarded-Proto (and X-Forwarded-Ssl) from 127.0.0.1
# whatever LANTERN_PROXY_FIX says: with it 0, anyone on this machine could switch on HSTS
# and the Secure cookie. Gunicorn believes no forwarded header; the app's ProxyFix, set by
# LANTERN_PROXY_FIX, alone decides which to believe (X-Forwarded-For and -Proto).
forwarded_allow_ips = ""


def on_starting(server) -> None:
    """Refuse to start when every worker would keep rate-limit counts of its own, which
    lets each limit through once per worker (3 workers: 15 sign-in tries instead of 5)."""
    storage = str(lantern_setting("RATELIMIT_STORAGE_URI", DEFAULT_STORAGE) or DEFAULT_STORAGE)
    if server.cfg.workers > 1 and storage.startswith("memory:"):
        raise RuntimeError(
            f"Lantern's rate limits are kept in memory ({storage}), so each of the "
            f"{server.cfg.workers} workers would count on its own and allow every limit "
            f"{server.cfg.workers} times over. Set LANTERN_RATELIMIT_STORAGE_URI to a store "
            "every worker shares, e.g. LANTERN_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379, "
            "or run one worker (--workers 1)."
        )
