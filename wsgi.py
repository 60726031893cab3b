"""The application factory: `flask --app wsgi ...` and `gunicorn 'wsgi:create_app()'` call it."""

import os
import secrets
import warnings
from pathlib import Path

from flask import Flask, Response, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import get_locale
from sqlalchemy.exc import DBAPIError
from werkzeug.middleware.proxy_fix import ProxyFix

import accounts.blueprint
import alerts.blueprint
import core.blueprint
import core.errors
import core.logs
import core.static
import havens.blueprint
import lists.blueprint
import patrols.blueprint
import places.blueprint
import reports.blueprint
import schemes.blueprint
import sync.blueprint
from accounts.models import ROLES
from accounts.sessions import load_session_user, sign_in_first, unauthorized
from core import widgets
from core.access import check_declared, enforce
from core.database import configure_engine
from core.forms import chip_options
from core.geo import map_settings, shown_distance
from core.i18n import (
    LANGUAGES,
    install_template_gettext,
    select_locale,
    share_wtforms_messages,
    text_direction,
)
from core.qr import qr_svg
from core.security import SessionInterface, add_security_headers
from extensions import babel, csrf, db, limiter, login, migrate
from havens.models import VENUE_STATUSES

HERE = Path(__file__).parent

# Every package that brings routes or commands, lowest layer first (tests/test_layers.py).
PACKAGES = [
    core.blueprint,
    accounts.blueprint,
    lists.blueprint,
    havens.blueprint,
    patrols.blueprint,
    places.blueprint,
    alerts.blueprint,
    sync.blueprint,
    reports.blueprint,
    schemes.blueprint,
]

# Every setting, its default, and (in docs/settings.md) what it does. Each can be set in
# instance/config.py as NAME = value, or in the environment as LANTERN_NAME.
DEFAULTS = {
    "SECRET_KEY": None,  # generated into instance/secret_key on first run
    "DATABASE_URL": None,  # default: SQLite file instance/lantern.db
    "IDLE_TIMEOUT_MINUTES": 15,
    "SESSION_MAX_HOURS": 12,
    "RESET_LINK_HOURS": 24,
    "SIGNIN_RATE_LIMIT": "5 per minute",  # failed sign-ins per account
    # Failed sign-ins per address: a venue's staff share one connection, so it is higher.
    "SIGNIN_ADDRESS_RATE_LIMIT": "30 per minute",
    "RATELIMIT_STORAGE_URI": "memory://",  # one process only: gunicorn.conf.py checks
    "RATELIMIT_KEY_PREFIX": "",  # tells apart deployments sharing one Redis
    "PROXY_FIX": 0,
    "SESSION_COOKIE_SECURE": False,
    "SQLITE_BUSY_TIMEOUT_MS": 5000,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "LOG_LEVEL": "INFO",
    "TRAINING_VALID_MONTHS": 12,
    "LAPSE_WARNING_DAYS": 30,
    "REGISTRATION_RATE_LIMIT": "5 per hour",
    "PUBLIC_URL": None,  # e.g. https://lantern.example.org: printed in stickers' QR codes
    "STICKER_FONT_DIR": "/usr/share/fonts/truetype/dejavu",  # Debian's fonts-dejavu-core
    "SYNC_MAX_RECORDS": 500,
    "SYNC_MAX_BYTES": 512 * 1024,
    "SYNC_TIMEOUT_SECONDS": 20,
    "AUTHOR_TOKEN_DAYS": 30,
    "ENROLMENT_CODE_HOURS": 24,
    "PIN_MAX_FAILURES": 5,
    "PIN_RATE_LIMIT": "10 per minute",
    "RELEASE": "",  # part of the service worker's version: a deploy sets it
    "NOTE_RETENTION_MONTHS": 12,  # notes of older records are blanked by `retention`
    "RECORD_RETENTION_MONTHS": 36,  # older records are folded into monthly counts
    "SMALL_COUNT_MAX": 5,  # partners see counts from 1 to this as "1-5"
    "PUSH_CONTACT": "mailto:coordinator@lantern.invalid",  # VAPID `sub`: push services' contact
    "PUSH_TIMEOUT_SECONDS": 5,  # a push service slower than this is retried later
    "PUSH_MAX_ATTEMPTS": 5,  # tries of one push before it is given up
    "PUSH_BACKGROUND": True,  # send a request's pushes in a thread after answering
    # The only push services the server POSTs to (scheme://host[:port]; "*." any subdomain):
    # Chrome, Firefox, Safari and Edge. Checked on subscribing and again before each push.
    "PUSH_SERVICES": [
        "https://fcm.googleapis.com",
        "https://updates.push.services.mozilla.com",
        "https://*.push.apple.com",
        "https://*.notify.windows.com",
    ],
    "PUSH_SUBSCRIPTIONS_PER_PERSON": 10,  # a person's oldest is replaced beyond this
    "PUSH_SUBSCRIBE_RATE_LIMIT": "20 per hour",  # subscribing, per person
    "VAPID_KEY_FILE": None,  # default: instance/vapid_private.pem, made on first use
    "HELP_REQUEST_MINUTES": 10,  # a call for help nobody accepts by then: phone instead
    "OUTBOX_REMINDER_HOURS": 24,  # a device whose outbox waits longer is reminded
    # The maps' tiles: the one host the Content-Security-Policy lets images come from.
    # Empty: no tiles, the points and patrol areas on a plain background.
    "MAP_TILE_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "MAP_TILE_ATTRIBUTION": (
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    ),
    "MAP_CENTRE": [51.1324, 0.2637],  # Royal Tunbridge Wells; used until venues have pins
    "UNSAFE_PLACE_RATE_LIMIT": "10 per hour",  # public reports of unsafe places, per address
}

# Secrets that appear in tutorials and examples; a server using one is not safe.
WEAK_SECRETS = {"dev", "secret", "changeme", "change-me", "secret-key", "your-secret-key"}


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, with a body nested past the parser's depth read as unreadable (a
    ValueError, which request.get_json answers 400) rather than a server error."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error


class Lantern(Flask):
    """Flask, logging failures by route pattern (a path can hold a reset token), reading
    JSON with JSONProvider, and sending static files whole (core.static)."""

    json_provider_class = JSONProvider

    def log_exception(self, exc_info) -> None:
        rule = request.url_rule.rule if request.url_rule else "-"
        self.logger.error("Exception on %s [%s]", rule, request.method, exc_info=redacted(exc_info))

    def send_static_file(self, filename: str) -> Response:
        """A static file read whole, not streamed: it is compressed in one piece, and the
        file is closed with the response (a compressed stream would leave it open)."""
        return core.static.whole(super().send_static_file(filename))


def redacted(exc_info):
    """A database error's traceback without its message, which can quote what was typed
    (PostgreSQL: 'Key (name)=(Jane Doe) already exists')."""
    kind, error, trace = exc_info
    if not isinstance(error, DBAPIError):
        return exc_info
    orig = error.orig
    # PostgreSQL's SQLSTATE, or SQLite's error name (SQLITE_BUSY, SQLITE_CONSTRAINT_UNIQUE).
    code = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
    code = code or type(orig).__name__
    summary = RuntimeError(f"{kind.__name__} ({code}); details withheld from the log")
    return RuntimeError, summary.with_traceback(trace), trace


def create_app(test_config: dict | None = None) -> Flask:
    """Build a configured Lantern app."""
    app = Lantern(__name__, instance_relative_config=True)
    load_config(app, test_config)
    check_secret(app)
    set_up_database(app)
    set_up_web(app)
    register_packages(app)
    check_declared(app)
    return app


def load_config(app: Flask, test_config: dict | None) -> None:
    """Defaults, then instance/config.py, then LANTERN_* variables, then a test's mapping."""
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("LANTERN")
    app.config.from_mapping(test_config or {})
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or instance_secret(app)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=app.config["DATABASE_URL"]
        or f"sqlite:///{os.path.join(app.instance_path, 'lantern.db')}",
        SESSION_COOKIE_HTTPONLY=True,  # scripts never need the session cookie
        SESSION_COOKIE_SAMESITE="Lax",  # other sites cannot post with it
        REMEMBER_COOKIE_DURATION=0,  # no "remember me" on shared tablets
        # A fixed window lets twice the limit through across a minute's edge; this does not.
        RATELIMIT_STRATEGY="moving-window",
        # Redis down: each process counts in memory until it is back, and sign-in works.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        # The token lives as long as the session, which ends after idle time or a shift.
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE="en_GB",
        BABEL_DEFAULT_TIMEZONE="Europe/London",
        BABEL_TRANSLATION_DIRECTORIES=str(HERE / "translations"),
    )


def instance_secret(app: Flask) -> str:
    """Read the secret key from instance/secret_key, making a strong one on first run."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        # Written whole under another name, then linked into place: several server
        # processes starting at once all end up reading the one key that won.
        draft = path.with_name(f"secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def check_secret(app: Flask) -> None:
    """Refuse to serve real people with a missing, short or well-known secret key."""
    key = app.config.get("SECRET_KEY") or ""
    if len(key) >= 32 and key.lower() not in WEAK_SECRETS:
        return
    if app.debug or app.testing:
        warnings.warn("SECRET_KEY is weak: fine for a test, never for a server.", stacklevel=2)
        return
    raise RuntimeError("SECRET_KEY is missing, shorter than 32 characters or a known example.")


def set_up_database(app: Flask) -> None:
    """Bind SQLAlchemy and Flask-Migrate; make SQLite safe for concurrent writers."""
    # Errors must not carry the values people typed (names, emails) into the logs.
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"hide_parameters": True})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        busy_seconds = app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000
        options.setdefault("connect_args", {"timeout": busy_seconds})
    db.init_app(app)
    migrate.init_app(app, db, directory=str(HERE / "migrations"))
    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def set_up_web(app: Flask) -> None:
    """Extensions, security, language and logging for every request."""
    if app.config["PROXY_FIX"]:
        hops = int(app.config["PROXY_FIX"])
        # Only the client's address and the scheme; the host comes from the proxy's Host.
        # Replacing wsgi_app is how Flask's docs add middleware; the checker sees a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.session_interface = SessionInterface()
    # Before CSRF: a device whose session ended is told "sign in" (401), which it can act
    # on, rather than "bad token" (400), which it cannot. Roles are checked after CSRF.
    app.before_request(sign_in_first)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app.jinja_env)
    widgets.install()
    app.before_request(share_wtforms_messages)
    login.init_app(app)
    login.user_loader(load_session_user)
    login.unauthorized_handler(unauthorized)
    app.before_request(enforce)
    app.after_request(add_security_headers)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        get_locale=get_locale,
        text_direction=text_direction,
        languages=LANGUAGES,
        map_settings=map_settings,
        chip_options=chip_options,
    )
    app.jinja_env.filters.update(
        qr_svg=qr_svg,
        role_name=lambda role: ROLES.get(role, role),
        venue_status=lambda status: VENUE_STATUSES.get(status, status),
        label=lambda code, labels: labels.get(code, code),
        distance=shown_distance,
    )
    core.errors.register(app)
    core.logs.register(app)
    core.static.register(app)


def register_packages(app: Flask) -> None:
    """Each package wires its own routes, commands and listeners, in the layers' order."""
    for package in PACKAGES:
        package.init_app(app)
