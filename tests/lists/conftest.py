"""Fixtures of the list tests: reading a form's chips, and changing a list as the
coordinator's page does."""

import re

import pytest

CHIP = re.compile(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"[^>]*>\s*<span>([^<]*)</span>')


@pytest.fixture
def chips():
    """Factory: {field: [(code, label), ...]} of the chips on a page, in their order."""

    def read(html: str) -> dict[str, list[tuple[str, str]]]:
        found: dict[str, list[tuple[str, str]]] = {}
        for name, code, label in CHIP.findall(html):
            found.setdefault(name, []).append((code, label))
        return found

    return read


@pytest.fixture
def arrange(client, auth):
    """Factory: post a list's order numbers ({code: number}; an item left out keeps its
    place), hidden items and the commonest-first choice through the coordinator's page,
    signed in already."""

    def post(name: str, places: dict | None = None, hidden=(), by_use: bool = False):
        data = {"csrf_token": auth.csrf(f"/lists/{name}")}
        data |= {f"order-{code}": str(n) for code, n in (places or {}).items()}
        data |= {f"hide-{code}": "1" for code in hidden}
        if by_use:
            data["by_use"] = "y"
        return client.post(f"/lists/{name}", data=data)

    return post
