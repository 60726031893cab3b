"""When the shared store of rate-limit counts (Redis) is down, people still sign in:
each server process counts in its own memory until the store is back."""

import pytest

from extensions import db

DOWN = "redis://127.0.0.1:1"  # nothing listens there


@pytest.fixture
def app(make_app, db_url):
    app = make_app(db_url, RATELIMIT_STORAGE_URI=DOWN)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_sign_in_works_while_the_store_is_down(app, make_person, auth, password):
    make_person("sam", roles=["venue_staff"])
    answer = auth.login("sam", password)
    assert answer.status_code == 302


def test_the_limits_still_hold_while_the_store_is_down(app, make_person, auth):
    app.config["SIGNIN_RATE_LIMIT"] = "2 per minute"
    make_person("sam", roles=["venue_staff"])
    codes = [
        auth.login("sam", "wrong-password-x", client=app.test_client()).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
