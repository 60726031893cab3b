"""Fixtures every test stands on: a migrated database per run and a fresh one per test,
the app, its clients and its command runner.

Signing in and making records are fixtures too, in tests/fixtures/ (listed in
`pytest_plugins` below, as Indico keeps its own in indico/testing/fixtures/). A group of
tests that shares more keeps it in its folder's conftest.py: tests/alerts/,
tests/browser/, tests/patrols/, tests/sync/. Tests take fixtures: they import nothing
from a conftest.py, nor from another test module.

LANTERN_TEST_DB=postgres runs the same tests on PostgreSQL (LANTERN_TEST_POSTGRES_URL,
default postgresql+psycopg://postgres@127.0.0.1:5432/test); a test for one database only
is marked `@pytest.mark.backend("sqlite", reason=...)`. Under CI=true a database or
browser that cannot be reached fails the run instead of skipping.
"""

import contextvars
import os
import secrets
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.frontend import CommandLineInterface
from flask import has_app_context, url_for
from flask.testing import FlaskClient
from flask_migrate import upgrade

from extensions import db
from wsgi import create_app

pytest_plugins = ["tests.fixtures.auth", "tests.fixtures.records"]

BACKEND = os.environ.get("LANTERN_TEST_DB", "sqlite")
POSTGRES_URL = os.environ.get(
    "LANTERN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SECRET = secrets.token_hex(32)


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "backend(name, reason): run only on this database, sqlite or postgres"
    )


def pytest_collection_modifyitems(items) -> None:
    """Skip the tests marked for the other database."""
    for item in items:
        for mark in item.iter_markers("backend"):
            if mark.args[0] != BACKEND:
                reason = mark.kwargs.get("reason", f"{mark.args[0]} only")
                item.add_marker(pytest.mark.skip(reason=reason))


def unavailable(reason: str):
    """Fail under CI, skip elsewhere: CI must never pass by skipping."""
    if IN_CI:
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(name="unavailable", scope="session")
def unavailable_fixture():
    """Call with the reason when a tool or service a test needs is missing: under CI the
    test fails, elsewhere it is skipped."""
    return unavailable


@pytest.fixture(scope="session")
def backend() -> str:
    """The database the tests run on: "sqlite" or "postgres"."""
    return BACKEND


@pytest.fixture(scope="session")
def in_ci() -> bool:
    return IN_CI


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Compile the catalogues first, so that a plain `pytest` on a fresh clone serves them."""
    translations = Path(__file__).resolve().parent.parent / "translations"
    status = CommandLineInterface().run(["pybabel", "-q", "compile", "-d", str(translations)])
    assert not status, "pybabel compile failed"


def base_config(url: str, tmp_path) -> dict:
    config = {"TESTING": True, "SECRET_KEY": SECRET, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    # A request's pushes go inline as it ends (deterministic), and the VAPID key is the test's.
    config["PUSH_BACKGROUND"] = False
    # No push service at all: a test's fake one adds its own origin (tests/alerts/push_service.py).
    config["PUSH_SERVICES"] = []
    # No tile server: maps draw on a plain background. A test that wants tiles serves its
    # own (tests/browser/test_browser_places.py); no test ever reaches the internet's.
    config["MAP_TILE_URL"] = ""
    if tmp_path is not None:
        config["VAPID_KEY_FILE"] = str(tmp_path / "vapid_private.pem")
    return config


@pytest.fixture
def app_config(tmp_path):
    """Factory: the settings a test's app starts from, for a database URL; keywords
    override them."""

    def config(url: str, **overrides) -> dict:
        return base_config(url, tmp_path) | overrides

    return config


def migrate_to(url: str, tmp_path) -> None:
    """Make the schema the only way it is ever made: by running the migrations."""
    app = create_app(base_config(url, tmp_path))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A migrated database for the whole run: a template file, or a PostgreSQL database."""
    tmp = tmp_path_factory.mktemp("db")
    if BACKEND == "sqlite":
        template = tmp / "template.db"
        migrate_to(f"sqlite:///{template}", tmp)
        yield f"sqlite:///{template}"
        return
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"lantern_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_URL}: {error}")
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    migrate_to(url, tmp)
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def db_url(database_url, tmp_path):
    """A fresh, migrated database for one test."""
    if BACKEND == "sqlite":
        copy = tmp_path / "lantern.db"
        shutil.copy(database_url.removeprefix("sqlite:///"), copy)
        yield f"sqlite:///{copy}"
        return
    yield database_url
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        tables = [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"]
        quoted = ", ".join(f'"{table}"' for table in tables)
        conn.exec_driver_sql(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    engine.dispose()


class RequestClient(FlaskClient):
    """A test client whose every request gets its own app context, as on a real server.

    Flask reuses an app context that is already pushed, so without this the test's
    `g`, Flask-Login's cached user and the database session would leak between requests.
    """

    def open(self, *args, **kwargs):
        # End the test's own transaction first: on SQLite it would hold the write lock.
        # (A redirect being followed comes back here inside the empty context: no session.)
        if has_app_context():
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def make_app(app_config):
    """Factory: an app on a database URL with the test settings (keywords override them),
    whose test clients give each request its own app context."""

    def make(url: str, **overrides):
        app = create_app(app_config(url, **overrides))
        app.test_client_class = RequestClient
        return app

    return make


@pytest.fixture
def app(make_app, db_url):
    app = make_app(db_url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


SAMPLES = {
    "person_id": 1,
    "name": "given",
    "venue_id": 1,
    "scheme_id": 1,
    "token": "not-a-token",
    "filename": "css/app.css",
    "visit_id": "no-such-visit",
    "registration_id": 999,
    "service_id": 999,
    "patrol_id": "no-such-patrol",
    "contact_id": "no-such-contact",
    "area_id": 999,
    "conflict_id": 999,
    "device_id": 999,
    "code": "no-such-sign",
    "subscription_id": 999,
    "help_id": "no-such-request",
    "notice_id": 999,
    "team_id": 999,
    "report_id": "no-such-report",
    "eva_id": 999,
    "action_id": 999,
}


@pytest.fixture(scope="session")
def sample_url():
    """Factory: a concrete URL of an app's URL rule, its arguments filled with harmless
    sample values unless given."""

    def url(app, rule, **values) -> str:
        samples = SAMPLES | values
        with app.test_request_context():
            return url_for(rule.endpoint, **{name: samples[name] for name in rule.arguments})

    return url
