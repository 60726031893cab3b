"""Sign-in limits count failed tries only: per account (LANTERN_SIGNIN_RATE_LIMIT) and per
address (LANTERN_SIGNIN_ADDRESS_RATE_LIMIT), so a shift signing in on a venue's one
connection is never locked out by its own successful sign-ins."""

import pytest

PUB = "10.20.0.1"  # a venue's Wi-Fi: everyone there shares this address


WRONG = "wrong-password-x"


@pytest.fixture
def attempt(app, auth):
    """One sign-in from a browser of its own at this address (a wrong password unless
    one is given)."""

    def sign_in(username: str, password: str = WRONG, address: str = PUB):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        return auth.login(username, password, client=client)

    return sign_in


def test_the_default_limits(app):
    assert app.config["SIGNIN_RATE_LIMIT"] == "5 per minute"
    assert app.config["SIGNIN_ADDRESS_RATE_LIMIT"] == "30 per minute"


def test_a_whole_shift_signs_in_from_one_address(app, make_person, attempt, password):
    names = [f"staff{n}" for n in range(12)]
    for name in names:
        make_person(name, roles=["venue_staff"])
    assert [attempt(name, password).status_code for name in names] == [302] * 12


def test_six_people_one_after_another_with_a_typo_or_two(app, make_person, attempt, password):
    for n in range(6):
        make_person(f"staff{n}", roles=["venue_staff"])
    assert attempt("staff0").status_code == 200  # a typo
    assert attempt("staff3").status_code == 200
    codes = [attempt(f"staff{n}", password).status_code for n in range(6)]
    assert codes == [302] * 6


def test_the_sixth_wrong_password_for_one_account_is_refused(app, make_person, attempt, password):
    make_person("cora")
    assert [attempt("cora").status_code for _ in range(5)] == [200] * 5
    assert attempt("cora").status_code == 429
    # From anywhere, and even with the right password, until the minute has passed.
    assert attempt("cora", password, address="10.99.0.1").status_code == 429
    # Someone else at the same address is not held up by it.
    make_person("sam", roles=["venue_staff"])
    assert attempt("sam", password).status_code == 302


def test_right_passwords_do_not_use_up_an_accounts_tries(app, make_person, attempt, password):
    make_person("cora")
    for _ in range(8):
        assert attempt("cora", password).status_code == 302
    assert [attempt("cora").status_code for _ in range(5)] == [200] * 5
    assert attempt("cora").status_code == 429


def test_many_wrong_names_from_one_address_reach_its_ceiling(app, make_person, attempt, password):
    make_person("cora")
    codes = [attempt(f"guess{n}").status_code for n in range(30)]
    assert codes == [200] * 30
    assert attempt("guess-more").status_code == 429
    assert attempt("cora", password).status_code == 429  # the address waits
    assert attempt("cora", password, address="10.20.0.2").status_code == 302


def test_the_limits_are_settings(app, make_person, attempt):
    app.config.update(SIGNIN_RATE_LIMIT="2 per minute", SIGNIN_ADDRESS_RATE_LIMIT="3 per minute")
    make_person("cora")
    assert [attempt("cora").status_code for _ in range(3)] == [200, 200, 429]
    assert [attempt(f"guess{n}").status_code for n in range(2)] == [200, 429]
