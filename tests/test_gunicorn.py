"""The shipped gunicorn.conf.py, under real gunicorn: limits that hold across workers,
a refusal to start when they would not, and forwarded headers only the app decides on."""

import http.cookiejar
import re
import runpy
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.concurrency import all_at_once
from wsgi import DEFAULTS

ROOT = Path(__file__).parent.parent
REDIS = "redis://127.0.0.1:6379"
APP = "wsgi:create_app()"
# Each request's worker, for the test to see that the tries were spread across them.
ACCESS_LOG = ["--access-logfile", "-", "--access-logformat", "worker=%(p)s %(m)s %(U)s %(s)s"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_running(unavailable) -> None:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2):
            return
    except OSError:
        unavailable("Redis is not reachable at 127.0.0.1:6379")


@pytest.fixture
def environment(db_url, app_config):
    """Factory: the environment gunicorn runs with, holding only what the test sets: no
    LANTERN_* of the machine leaks in."""
    secret = app_config(db_url)["SECRET_KEY"]

    def env(**settings: str) -> dict[str, str]:
        base = {"PATH": "", "LANTERN_DATABASE_URL": db_url, "LANTERN_SECRET_KEY": secret}
        return base | {f"LANTERN_{name}": value for name, value in settings.items()}

    return env


@contextmanager
def gunicorn(env: dict[str, str], *options: str):
    """Gunicorn as the README runs it, from the project folder (so with gunicorn.conf.py),
    on a free port; yields its address and its output lines, which grow as it runs."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *options, APP]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    output = {"stdout": [], "stderr": []}
    readers = [
        threading.Thread(target=lambda s=stream, name=name: output[name].extend(s), daemon=True)
        for name, stream in (("stdout", server.stdout), ("stderr", server.stderr))
    ]
    for reader in readers:
        reader.start()
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                get(base, "/healthz")
                break
            except OSError:
                assert server.poll() is None, "".join(output["stderr"])
                time.sleep(0.1)
        else:
            raise AssertionError("gunicorn did not answer within 20 seconds")
        yield base, output
    finally:
        server.terminate()
        server.wait(timeout=30)
        for reader in readers:
            reader.join(timeout=10)
        server.stdout.close()
        server.stderr.close()


def get(base: str, path: str, **headers: str):
    """GET a path of the local server; the answer's headers."""
    request = urllib.request.Request(base + path, headers=headers)  # noqa: S310  (http, ours)
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return answer.headers


def workers_answering(output: dict, what: str = "GET /healthz") -> set[str]:
    """The workers the access log shows answering this."""
    return set(re.findall(rf"worker=<?(\d+)>? {what}", "".join(output["stdout"])))


def wait_for_workers(base: str, output: dict, count: int) -> None:
    """Until every worker has loaded the app and answered: a few requests at once go to
    whichever are free."""
    for _ in range(100):
        if len(workers_answering(output)) >= count:
            return
        calls = [threading.Thread(target=get, args=(base, "/healthz")) for _ in range(count * 2)]
        for call in calls:
            call.start()
        for call in calls:
            call.join()
        time.sleep(0.1)
    raise AssertionError(f"only these workers answered: {workers_answering(output)}")


def browser() -> urllib.request.OpenerDirector:
    """A client with its own cookies that reports redirects instead of following them."""

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), Stay)


def signin_form(base: str, username: str, password: str):
    """A fresh browser on the sign-in page: a callable that sends the form, giving the
    answer's status."""
    opener = browser()
    with opener.open(f"{base}/signin", timeout=10) as page:
        html = page.read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]
    form = {"csrf_token": token, "username": username, "password": password}

    def send() -> int:
        try:
            with opener.open(f"{base}/signin", urllib.parse.urlencode(form).encode()) as answer:
                return answer.status
        except urllib.error.HTTPError as answer:
            return answer.code

    return send


def test_the_config_reads_lantern_settings_as_the_app_does(monkeypatch):
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["DEFAULT_STORAGE"] == DEFAULTS["RATELIMIT_STORAGE_URI"]
    assert config["forwarded_allow_ips"] == ""
    setting = config["lantern_setting"]
    monkeypatch.setenv("LANTERN_RATELIMIT_STORAGE_URI", REDIS)
    monkeypatch.setenv("LANTERN_PROXY_FIX", "1")
    assert setting("RATELIMIT_STORAGE_URI", "memory://") == REDIS
    assert setting("PROXY_FIX", 0) == 1  # JSON where it parses, as Flask reads it


def test_three_workers_share_one_count_of_failed_sign_ins(
    redis_running, environment, make_person, password
):
    for n in range(3):
        make_person(f"cora{n}")
    prefix = f"lantern-test-{uuid.uuid4().hex}"  # counts no other run can see or leave
    env = environment(RATELIMIT_STORAGE_URI=REDIS, RATELIMIT_KEY_PREFIX=prefix)
    with gunicorn(env, *ACCESS_LOG) as (base, output):
        wait_for_workers(base, output, 3)
        # Five wrong passwords at once, so that they reach different workers (the kernel
        # chooses; on the rare run where one worker took them all, the next person tries).
        for n in range(3):
            before = len(output["stdout"])
            tries = [signin_form(base, f"cora{n}", "wrong-password-x") for _ in range(5)]
            # A sync worker busy with one request cannot take another: they spread out.
            assert all_at_once(tries, timeout=60) == [200] * 5
            assert signin_form(base, f"cora{n}", "wrong-password-x")() == 429
            assert signin_form(base, f"cora{n}", password)() == 429  # it waits out the minute
            time.sleep(0.2)  # the access log line follows the answer
            if len(workers_answering({"stdout": output["stdout"][before:]}, "POST")) >= 2:
                break
        else:
            raise AssertionError("every try reached the same worker, three times over")


@pytest.mark.parametrize("workers", [[], ["--workers", "3"]])
def test_three_workers_counting_in_memory_refuse_to_start(environment, workers):
    env = environment()  # RATELIMIT_STORAGE_URI left at memory://
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *workers, APP]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "LANTERN_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379" in done.stderr
    assert "Booting worker" not in done.stderr


def test_one_worker_may_count_in_memory(environment):
    with gunicorn(environment(), "--workers", "1") as (base, _output):
        assert get(base, "/healthz")["Content-Type"] == "application/json"


def test_without_proxy_fix_gunicorn_does_not_believe_a_forwarded_scheme(environment):
    env = environment(PROXY_FIX="0")
    with gunicorn(env, "--workers", "1") as (base, _output):
        headers = get(base, "/signin", **{"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in headers
    assert "Secure" not in headers["Set-Cookie"]


def test_with_proxy_fix_the_app_believes_its_proxy(environment):
    env = environment(PROXY_FIX="1")
    with gunicorn(env, "--workers", "1") as (base, _output):
        headers = get(base, "/signin", **{"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in headers
    assert "Secure" in headers["Set-Cookie"]
