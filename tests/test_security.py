"""Security headers, cookies, CSRF and error pages."""

import re

import pytest

from core.access import public


def assert_security_headers(response):
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "camera=(self)" in headers["Permissions-Policy"]
    assert "geolocation=(self)" in headers["Permissions-Policy"]


@pytest.mark.parametrize("path", ["/signin", "/healthz", "/no-such-page", "/static/css/app.css"])
def test_headers_on_every_response(client, path):
    response = client.get(path)
    response.close()
    assert_security_headers(response)


def test_headers_on_a_500_page_without_a_stack_trace(app, client):
    def broken():
        raise RuntimeError("secret internals")

    app.add_url_rule("/broken", "broken", public(broken))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/broken")
    assert response.status_code == 500
    assert_security_headers(response)
    page = response.get_data(as_text=True)
    assert "Something went wrong on our side" in page
    assert "secret internals" not in page and "Traceback" not in page


@pytest.mark.parametrize("code", [400, 403, 404, 405, 413, 429, 500])
def test_error_pages_are_translated(app, client, code):
    from werkzeug.exceptions import abort

    app.add_url_rule(f"/fail{code}", f"fail{code}", public(lambda: abort(code)))
    english = client.get(f"/fail{code}")
    polish = client.get(f"/fail{code}", headers={"Accept-Language": "pl"})
    assert english.status_code == polish.status_code == code
    assert '<html lang="en-GB"' in english.get_data(as_text=True)
    assert '<html lang="pl"' in polish.get_data(as_text=True)
    title = english.get_data(as_text=True).split("<h1>")[1].split("</h1>")[0]
    assert title not in polish.get_data(as_text=True)
    assert_security_headers(polish)


def test_large_request_is_refused_with_413(client):
    response = client.post("/signin", data={"username": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_pages_with_records_are_not_cached_but_static_files_may_be(client, auth, make_person):
    make_person("cora")
    auth.login("cora")
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/people").headers["Cache-Control"] == "no-store"
    static = client.get("/static/css/app.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_session_cookie_flags_over_http(client, auth, make_person):
    make_person("cora")
    cookie = auth.login("cora").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # a plain-HTTP development server could not send it back


def test_session_cookie_secure_and_hsts_over_https(client, auth, make_person, password):
    make_person("cora")
    token = auth.csrf("/signin", base_url="https://lantern.test")
    response = client.post(
        "/signin",
        data={"csrf_token": token, "username": "cora", "password": password},
        base_url="https://lantern.test",
        headers={"Referer": "https://lantern.test/signin"},
    )
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_behind_a_proxy_the_forwarded_scheme_counts(db_url, app_config):
    from wsgi import create_app

    app = create_app(app_config(db_url, PROXY_FIX=1))
    response = app.test_client().get("/signin", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers
    assert "Secure" in response.headers["Set-Cookie"]


def test_without_proxy_fix_a_forged_header_is_ignored(client):
    response = client.get("/signin", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_every_post_route_refuses_a_missing_csrf_token(app, client, auth, make_person, sample_url):
    make_person("cora")
    auth.login("cora")
    # A device's outbox report is exempt on purpose: it is sent signed out too, and knowing
    # the push endpoint is its proof (tests/alerts/test_push_subscriptions.py).
    exempt = {"alerts.outbox_report"}
    posts = [
        r for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint not in exempt
    ]
    assert len(posts) >= 5
    for rule in posts:
        url = sample_url(app, rule)
        response = client.post(url, data={})
        assert response.status_code == 400, url
        assert "Reload it and try again" in response.get_data(as_text=True)


def test_json_post_needs_the_csrf_header(client, auth, make_person):
    make_person("cora")
    auth.login("cora")
    headers = {"Accept": "application/json"}
    refused = client.post("/language", json={"language": "pl"}, headers=headers)
    assert refused.status_code == 400 and refused.json["status"] == 400
    token = auth.csrf()
    accepted = client.post("/language", json={}, headers=headers | {"X-CSRFToken": token})
    assert accepted.status_code == 302


def test_sign_in_page_loads_nothing_from_elsewhere(client):
    page = client.get("/signin").get_data(as_text=True)
    assert "http://" not in page and "https://" not in page
    # Signing in needs no JavaScript (tests/browser/test_browser.py signs in without it); the page
    # loads only the app's own module, which clears the last person's offline pages.
    scripts = re.findall(r"<script[^>]*>", page)
    allowed = re.compile(
        r'<script type="application/json" id="lantern-text">'
        r'|<script type="module" src="/static/js/app\.js\?v=[0-9a-f]{12}">'
    )
    assert all(allowed.fullmatch(script) for script in scripts), scripts
    assert 'style="' not in page  # the CSP allows no inline styles


def test_next_must_be_local(client, auth, make_person, password):
    make_person("cora")
    token = auth.csrf()
    data = {"csrf_token": token, "username": "cora", "password": password}
    response = client.post("/signin?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/people", "/people"),
        ("//evil.example", None),
        ("https://evil.example/x", None),
        ("/\\evil.example", None),
        ("people", None),
        (None, None),
    ],
)
def test_safe_next(target, expected):
    from core.urls import safe_next

    assert safe_next(target) == expected
