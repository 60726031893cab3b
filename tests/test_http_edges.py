"""Edges of HTTP the security review found: a `next=` holding a line break, the Allow
header of a 405, and which check answers an API call first."""

import pytest

from core.urls import safe_next
from tests.conftest import PASSWORD, csrf_token


@pytest.mark.parametrize(
    "target",
    ["/people\r\nSet-Cookie: x=1", "/people\nX: y", "/people\r", "/\x0bpeople", "/people\x7f"],
)
def test_a_control_character_in_next_is_not_a_place_to_go(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("breaker", ["\r\n", "\n", "\r"])
def test_a_line_break_in_next_signs_in_and_goes_home(client, make_person, breaker):
    make_person("cora")
    data = {"csrf_token": csrf_token(client), "username": "cora", "password": PASSWORD}
    query = {"next": f"/people{breaker}Set-Cookie: stolen=1"}
    response = client.post("/signin", data=data, query_string=query)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "stolen" not in response.headers.get("Set-Cookie", "")


def test_an_ordinary_next_still_leads_there(client, make_person):
    make_person("cora")
    data = {"csrf_token": csrf_token(client), "username": "cora", "password": PASSWORD}
    response = client.post("/signin", data=data, query_string={"next": "/people?page=2"})
    assert response.headers["Location"] == "/people?page=2"
