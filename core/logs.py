"""One log line per request, with no personal data."""

import logging
import time

from flask import Flask, Response, g, request

log = logging.getLogger("lantern.request")


def start_timer() -> None:
    g.request_started = time.perf_counter()


def log_request(response: Response) -> Response:
    """Log the route pattern, never the path: paths can hold reset tokens and codes."""
    started = g.get("request_started")
    elapsed_ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    rule = request.url_rule.rule if request.url_rule else "-"
    log.info("%s %s %s %.1fms", request.method, rule, response.status_code, elapsed_ms)
    return response


def register(app: Flask) -> None:
    """Log every request through our logger instead of Werkzeug's, which logs full URLs."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.propagate = False
    log.setLevel(app.config["LOG_LEVEL"])
    # First of all: a check before it that answers early (a redirect to sign in) would
    # otherwise leave the request untimed.
    app.before_request_funcs.setdefault(None, []).insert(0, start_timer)
    app.after_request(log_request)
