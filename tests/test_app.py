"""The factory, its settings, the command line and the health check."""

import logging

import pytest
from sqlalchemy import select

from accounts.models import User
from extensions import db
from wsgi import create_app


def test_a_secret_key_is_generated_into_the_instance_folder(tmp_path):
    from flask import Flask

    from wsgi import instance_secret

    fake = Flask(__name__, instance_path=str(tmp_path))
    first = instance_secret(fake)
    assert len(first) == 64 and instance_secret(fake) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("secret", ["dev", "changeme", "short-secret", "x" * 31])
def test_refuses_a_weak_secret_outside_debug(db_url, app_config, secret):
    config = app_config(db_url, TESTING=False, SECRET_KEY=secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_environment_overrides_defaults(monkeypatch, db_url, app_config):
    monkeypatch.setenv("LANTERN_IDLE_TIMEOUT_MINUTES", "7")
    monkeypatch.setenv("LANTERN_SIGNIN_RATE_LIMIT", "3 per minute")
    secret = app_config(db_url)["SECRET_KEY"]
    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": secret})
    assert app.config["IDLE_TIMEOUT_MINUTES"] == 7
    assert app.config["SIGNIN_RATE_LIMIT"] == "3 per minute"


def test_nothing_creates_an_app_at_import():
    import wsgi

    assert not [name for name, value in vars(wsgi).items() if type(value).__name__ == "Flask"]


def test_healthz_reports_app_and_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_says_when_the_database_is_down(tmp_path, app_config):
    app = create_app(app_config(f"sqlite:///{tmp_path}/missing/dir/x.db"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"


def test_demo_loads_once_and_prints_sign_ins(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0
    for username in ("coordinator", "staff", "pastor", "partner"):
        assert username in result.output
    assert "night-light-demo" in result.output
    again = runner.invoke(args=["demo"])
    assert "already loaded" in again.output
    from accounts.models import Scheme

    assert len(db.session.scalars(select(Scheme)).all()) == 1
    usernames = set(db.session.scalars(select(User.username)))
    assert {"coordinator", "staff", "pastor", "partner"} <= usernames


def test_cli_creates_schemes_and_people(runner):
    assert runner.invoke(args=["schemes", "create", "Testbridge"]).exit_code == 0
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--scheme",
            "Testbridge",
            "--name",
            "Cora",
            "--username",
            "cora",
            "--role",
            "coordinator",
            "--password",
            "lantern night shift",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "cora" in runner.invoke(args=["users", "list"]).output


def test_cli_refuses_a_weak_password_and_unknown_scheme(runner):
    runner.invoke(args=["schemes", "create", "Testbridge"])
    base = ["users", "create", "--name", "Cora", "--username", "cora", "--role", "coordinator"]
    weak = runner.invoke(args=[*base, "--scheme", "Testbridge", "--password", "password"])
    assert weak.exit_code != 0 and "too common" in weak.output
    unknown = runner.invoke(
        args=[*base, "--scheme", "Nowhere", "--password", "lantern night shift"]
    )
    assert unknown.exit_code != 0 and "No scheme" in unknown.output


def test_cli_disable_and_reset_link(runner, make_person):
    make_person("sam", roles=["venue_staff"])
    disabled = runner.invoke(args=["users", "disable", "sam"])
    assert disabled.exit_code == 0
    link = runner.invoke(args=["users", "reset-link", "sam"])
    assert link.exit_code == 0 and "/reset/" in link.output
    user = db.session.scalar(select(User).filter_by(username="sam"))
    db.session.refresh(user)
    assert not user.active


def test_request_log_has_the_route_not_the_path(client, caplog, make_person):
    from accounts.services import issue_reset

    sam = make_person("sam", roles=["venue_staff"])
    token = issue_reset(sam, None)
    db.session.commit()
    logger = logging.getLogger("lantern.request")
    logger.addHandler(caplog.handler)  # it does not propagate to the root logger
    logger.setLevel("INFO")
    try:
        client.get(f"/reset/{token}")
    finally:
        logger.removeHandler(caplog.handler)
    lines = [r.getMessage() for r in caplog.records if r.name == "lantern.request"]
    assert any("GET /reset/<token> 200" in line for line in lines)
    assert not any(token in line for line in lines)
    assert not any("sam" in line.lower() for line in lines)
