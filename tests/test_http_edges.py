"""Edges of HTTP the security review found: a `next=` holding a line break, the Allow
header of a 405, and which check answers an API call first."""

import pytest

from core.urls import safe_next


@pytest.mark.parametrize(
    "target",
    ["/people\r\nSet-Cookie: x=1", "/people\nX: y", "/people\r", "/\x0bpeople", "/people\x7f"],
)
def test_a_control_character_in_next_is_not_a_place_to_go(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("breaker", ["\r\n", "\n", "\r"])
def test_a_line_break_in_next_signs_in_and_goes_home(client, auth, password, make_person, breaker):
    make_person("cora")
    data = {"csrf_token": auth.csrf(), "username": "cora", "password": password}
    query = {"next": f"/people{breaker}Set-Cookie: stolen=1"}
    response = client.post("/signin", data=data, query_string=query)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "stolen" not in response.headers.get("Set-Cookie", "")


def test_an_ordinary_next_still_leads_there(client, auth, password, make_person):
    make_person("cora")
    data = {"csrf_token": auth.csrf(), "username": "cora", "password": password}
    response = client.post("/signin", data=data, query_string={"next": "/people?page=2"})
    assert response.headers["Location"] == "/people?page=2"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/signin", {"GET", "POST"}),
        ("GET", "/signout", {"POST"}),
        ("PUT", "/api/sync", {"POST"}),
        ("GET", "/api/sync", {"POST"}),
    ],
)
def test_a_405_says_which_methods_are_allowed(client, method, path, allowed):
    response = client.open(path, method=method)
    assert response.status_code == 405
    named = {m.strip() for m in response.headers["Allow"].split(",")}
    assert allowed <= named and method not in named


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/sync"),
        ("POST", "/api/push/subscriptions"),
        ("DELETE", "/api/push/subscriptions"),
        ("GET", "/api/session"),
        ("GET", "/api/handovers"),
        ("GET", "/api/alerts"),
    ],
)
def test_an_api_call_without_signing_in_is_answered_401_before_csrf(client, method, path):
    # No session, so no CSRF token either: "sign in" is the answer a device can act on.
    response = client.open(path, method=method, json={"entries": []})
    assert response.status_code == 401
    assert response.get_json()["signed_in"] is False


DEEP = "[" * 100_000 + "]" * 100_000  # deeper than Python's JSON parser can follow


@pytest.mark.parametrize(
    "method, path", [("POST", "/api/push/subscriptions"), ("DELETE", "/api/push/subscriptions")]
)
def test_json_nested_past_the_parsers_depth_is_a_clear_400(client, auth, make_person, method, path):
    make_person("sam", roles=["venue_staff"])
    auth.login("sam")
    token = auth.csrf("/account")
    answer = client.open(
        path,
        method=method,
        data=DEEP,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "The server could not read what was sent."


def test_the_public_outbox_report_reads_deep_json_as_unreadable(client):
    answer = client.post("/api/push/outbox", data=DEEP, content_type="application/json")
    assert answer.status_code == 400
