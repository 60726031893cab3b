"""How pages and files travel: compressed (brotli, else gzip), static files addressed by
their content and cached for a year at that address, and public pages that load only
what they use."""

import re

import pytest

from core.static import version_of

BROTLI = {"Accept-Encoding": "gzip, deflate, br, zstd"}
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def public_code(venue, staff, train) -> str:
    train(staff)
    return venue.public_code


def static_url(app, filename: str) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for("static", filename=filename)


@pytest.mark.parametrize(
    ("path", "mimetype"),
    [
        ("/signin", "text/html"),
        ("/manifest.webmanifest", "application/manifest+json"),
        ("/sw.js", "text/javascript"),
        ("/api/openapi.json", "application/json"),
    ],
)
def test_text_answers_are_compressed_brotli_first_then_gzip(
    client, auth, coordinator, path, mimetype
):
    auth.login("cora")
    answer = client.get(path, headers=BROTLI)
    assert answer.mimetype == mimetype
    assert answer.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in answer.headers["Vary"]
    assert client.get(path, headers=GZIP).headers["Content-Encoding"] == "gzip"
    assert (
        "Content-Encoding" not in client.get(path, headers={"Accept-Encoding": "identity"}).headers
    )


@pytest.mark.parametrize("filename", ["css/app.css", "js/outbox.js", "icons/lantern.svg"])
def test_static_files_are_compressed_and_addressed_by_their_content(app, client, filename):
    url = static_url(app, filename)
    assert re.fullmatch(rf"/static/{re.escape(filename)}\?v=[0-9a-f]{{12}}", url)
    answer = client.get(url, headers=BROTLI)
    assert answer.status_code == 200 and answer.headers["Content-Encoding"] == "br"
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # The same file asked for again, with its ETag: nothing more to download.
    again = client.get(url, headers=BROTLI | {"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_a_static_file_without_its_current_hash_is_revalidated(app, client):
    url = static_url(app, "js/outbox.js")
    for stale in ("/static/js/outbox.js", "/static/js/outbox.js?v=000000000000"):
        answer = client.get(stale, headers=BROTLI)
        assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-cache"
    assert url.endswith(version_of("js/outbox.js"))


def test_a_changed_file_gets_a_new_address(app, tmp_path):
    app.static_folder = str(tmp_path)
    (tmp_path / "x.css").write_text("a { color: red }")
    with app.test_request_context():
        first = version_of("x.css")
        (tmp_path / "x.css").write_text("a { color: blue }")
        assert version_of("x.css") not in (None, first)
        assert version_of("../secret_key") is None and version_of("missing.css") is None


@pytest.mark.parametrize("path", ["/v/{code}", "/v/no-such-sign", "/join/{scheme}"])
def test_public_pages_load_no_script_worker_or_manifest(client, public_code, scheme, path):
    page = client.get(path.format(code=public_code, scheme=scheme.id)).get_data(as_text=True)
    assert "<script" not in page
    assert 'rel="manifest"' not in page and "sw.js" not in page
    loads = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert loads and all(re.search(r"\.(css|svg)\?v=", url) for url in loads), loads


def test_signed_in_pages_still_load_the_app(client, auth, staff):
    auth.login("sam")
    page = client.get("/visits/new").get_data(as_text=True)
    assert re.search(r'<script type="module" src="/static/js/app\.js\?v=[0-9a-f]{12}">', page)
    assert 'rel="manifest"' in page


def test_the_worker_keeps_the_app_shell_and_not_the_install_icons(client):
    config = re.search(r"^const CONFIG = (.*);$", client.get("/sw.js").get_data(as_text=True), re.M)
    kept = config.group(1)
    assert "/static/css/app.css?v=" in kept and "/static/js/outbox.js?v=" in kept
    assert "icon-512" not in kept and "maskable" not in kept and "reports.css" not in kept


@pytest.mark.parametrize(
    ("path", "own"),
    [("/safe-havens", "js/finder.js"), ("/unsafe-places/report", "js/report-form.js")],
)
def test_the_finder_and_the_report_load_their_own_script_and_not_the_app(
    client, public_code, path, own
):
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    sources = re.findall(r'<script[^>]+src="([^"]+)"', page)
    assert any(own in src for src in sources), sources
    assert not any("js/app.js" in src or "sw.js" in src for src in sources), sources
    assert 'rel="manifest"' not in page and 'id="lantern-text"' not in page
