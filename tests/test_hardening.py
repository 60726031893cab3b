"""Findings of the security review, each kept fixed by a test."""

import logging
import multiprocessing

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from accounts import passwords, services
from accounts.models import ROLES, Scheme
from core.access import public
from extensions import db
from havens.models import VENUE_STATUSES


def test_a_failed_write_still_gets_the_lantern_error_page(app, client, auth, make_person, scheme):
    def clash():
        db.session.add(Scheme(name=scheme.name))  # the name is taken: IntegrityError
        db.session.flush()

    app.add_url_rule("/clash", "clash", public(clash))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    make_person("cora")
    auth.login("cora")
    response = client.get("/clash")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_nul_character_is_a_bad_request(client, auth, make_person, password, field):
    make_person("cora")
    data = {"csrf_token": auth.csrf(), "username": "cora", "password": password}
    data[field] += "\x00"
    assert client.post("/signin", data=data).status_code == 400


def test_a_file_where_text_belongs_is_a_bad_request(client, auth):
    import io

    data = {
        "csrf_token": auth.csrf(),
        "username": (io.BytesIO(b"x"), "x.txt"),
        "password": "x",
    }
    assert client.post("/signin", data=data, content_type="multipart/form-data").status_code == 400


def test_exception_logs_name_the_route_and_hide_values(app, client, caplog, scheme):
    def fail(token: str):
        db.session.add(Scheme(name=scheme.name))
        db.session.execute(sa.text("SELECT 1"))
        db.session.flush()

    app.add_url_rule("/fail/<token>", "fail", public(fail))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.ERROR):
        client.get("/fail/secret-token-123")
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "Exception on /fail/<token> [GET]" in text
    assert "secret-token-123" not in text
    assert "Testbridge" not in text  # the value that clashed stays out of the log


def test_username_and_email_share_one_rate_limit(client, auth, make_person):
    make_person("cora", email="cora@example.org")
    for n in range(5):
        name = "cora" if n % 2 else "CORA@example.org"
        auth.login(name, "wrong-password-x", environ_base={"REMOTE_ADDR": f"10.3.0.{n}"})
    blocked = auth.login(
        "cora@example.org", "wrong-password-x", environ_base={"REMOTE_ADDR": "10.3.1.1"}
    )
    assert blocked.status_code == 429


def test_json_cannot_sign_in(client, auth, make_person, password):
    make_person("cora")
    token = auth.csrf()
    response = client.post(
        "/signin", json={"username": "cora", "password": password}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200  # the form came back empty: no password was tried
    assert client.get("/").status_code == 302


def test_password_changes_are_rate_limited(client, auth, make_person):
    make_person("cora")
    auth.login("cora")
    token = auth.csrf()
    data = {
        "csrf_token": token,
        "current_password": "wrong-guess-x",
        "new_password": "a-new-lantern-x",
        "confirm": "a-new-lantern-x",
    }
    codes = [client.post("/account/password", data=data).status_code for _ in range(6)]
    assert codes == [400] * 5 + [429]


def test_an_account_waiting_for_its_password_is_checked_like_any_other(
    app, make_person, monkeypatch
):
    services.create_person(make_person("cora").scheme, "Pending", "pending", None)
    db.session.commit()
    hashed = []

    class CountingHasher:
        def verify(self, stored, _password):
            hashed.append(stored)
            return False

    monkeypatch.setattr(passwords, "hasher", CountingHasher())
    assert services.authenticate("pending", "anything-at-all") is None
    assert services.authenticate("nobody-here", "anything-at-all") is None
    assert len(hashed) == 2 and all(h.startswith("$argon2id$") for h in hashed)


def test_signing_out_ends_every_session_of_that_person(app, make_person, auth):
    make_person("cora")
    tablet, phone = app.test_client(), app.test_client()
    auth.login("cora", client=tablet)
    auth.login("cora", client=phone)
    auth.logout(client=tablet)
    assert phone.get("/").headers["Location"].startswith("/signin")


def read_secret(folder: str, queue) -> None:
    from flask import Flask

    from wsgi import instance_secret

    try:
        queue.put(instance_secret(Flask(__name__, instance_path=folder)))
    except Exception as error:  # noqa: BLE001  (reported to the test, which fails on it)
        queue.put(repr(error))


def test_server_processes_starting_together_share_one_secret(tmp_path):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=read_secret, args=(str(tmp_path), queue)) for _ in range(8)]
    for worker in workers:
        worker.start()
    keys = {queue.get(timeout=60) for _ in workers}
    for worker in workers:
        worker.join()
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_check_constraints_in_the_database_match_the_models(app):
    inspector = sa.inspect(db.engine)
    expected = {("user_role", "known_role"): ROLES, ("venue", "known_status"): VENUE_STATUSES}
    for (table, name), values in expected.items():
        checks = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table)}
        text = checks[f"ck_{table}_{name}"]
        assert sorted(values) == sorted(v for v in values if f"'{v}'" in text), table


def test_a_person_added_without_a_password_cannot_sign_in_until_the_link_is_used(app, make_person):
    from accounts.models import User

    person = services.create_person(make_person("cora").scheme, "Nia", "nia", None)
    db.session.commit()
    assert not db.session.scalar(select(User.password_hash).filter_by(id=person.id)).startswith(
        "$argon2"
    )
    assert services.authenticate("nia", "") is None
