"""gunicorn.conf.py as gunicorn reads it, and two gunicorn instances started with it (issue 9):
forwarded headers trusted only behind a proxy (item 19), no control socket shared between
instances (item 23), expired sessions cleared when gunicorn starts (item 6)."""

import http.client
import os
import runpy
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from gunicorn.config import Config

from tests.reliability.portal import Visitor, free_port, run_python

ROOT = Path(__file__).resolve().parent.parent.parent
CONFIG_ENV = ("BEHIND_PROXY", "FORWARDED_ALLOW_IPS", "GUNICORN_CONTROL_SOCKET")


def gunicorn_reads(monkeypatch, **env):
    """The settings gunicorn takes from gunicorn.conf.py with this environment."""
    for name in CONFIG_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = Config()
    # As gunicorn's Application.load_config_from_file: every name that is a setting.
    for name, value in runpy.run_path(str(ROOT / "gunicorn.conf.py")).items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_gunicorn_trusts_forwarded_headers_from_nobody_without_a_proxy(monkeypatch):
    for env in ({}, {"BEHIND_PROXY": "0"}, {"FORWARDED_ALLOW_IPS": "127.0.0.1"}):
        config = gunicorn_reads(monkeypatch, **env)

        assert (config.forwarded_allow_ips, config.secure_scheme_headers) == ([], {}), env
        assert config.forwarder_headers == [], env


def test_gunicorn_trusts_forwarded_headers_from_the_proxy_behind_one(monkeypatch):
    local = gunicorn_reads(monkeypatch, BEHIND_PROXY="1")
    balancer = gunicorn_reads(monkeypatch, BEHIND_PROXY="1", FORWARDED_ALLOW_IPS="10.0.0.5")

    assert local.forwarded_allow_ips == ["127.0.0.1", "::1"]
    assert balancer.forwarded_allow_ips == ["10.0.0.5"]
    assert balancer.secure_scheme_headers["X-FORWARDED-PROTO"] == "https"


def test_gunicorn_opens_a_control_socket_only_where_asked(monkeypatch, tmp_path):
    default = gunicorn_reads(monkeypatch)
    asked = gunicorn_reads(monkeypatch, GUNICORN_CONTROL_SOCKET=str(tmp_path / "a.ctl"))

    assert default.control_socket_disable is True
    assert (asked.control_socket_disable, asked.control_socket) == (False, str(tmp_path / "a.ctl"))


# -- Two instances, started as `make serve` starts gunicorn ------------------------------------


class Gunicorn:
    def __init__(self, tmp_path, name, database_url, **env):
        self.port = free_port()
        self.log_path = tmp_path / f"{name}.log"
        self.env = {
            "PATH": os.environ["PATH"],
            # Where gunicorn's default control socket would go: the test's own home.
            "HOME": str(tmp_path / "home"),
            "DEBUG": "0",
            "HTTPS": "1",
            "SECRET_KEY": "k" * 60,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "PORT": str(self.port),
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "2",
            **env,
        }

    def __enter__(self):
        self.log = open(self.log_path, "w")  # closed in __exit__
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "forum_portal.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                Visitor(self.port, timeout=2).get("/healthz")
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise AssertionError(self.log_path.read_text()) from None
                time.sleep(0.2)

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def raw_post(port, path, headers, body=b""):
    """A POST as a script sends it: its headers as given, the body perhaps shorter than said."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("POST", path)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def add_session(database, key, expires):
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (?, ?, ?)",
            [key, "e30:1", expires.strftime("%Y-%m-%d %H:%M:%S")],
        )


def session_keys(database):
    with sqlite3.connect(database) as connection:
        return sorted(
            key for (key,) in connection.execute("SELECT session_key FROM django_session")
        )


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    path = tmp_path_factory.mktemp("gunicorn") / "portal.sqlite3"
    run_python(["manage.py", "migrate", "--noinput", "--verbosity", "0"], f"sqlite:///{path}")
    # As `make serve` does first: with DEBUG off, pages name the hashed static files of the
    # manifest, which a fresh clone does not have yet.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "0", "SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "127.0.0.1"},
        check=True,
        timeout=300,
    )
    return path


def test_two_instances_each_keep_to_themselves_and_clear_expired_sessions(tmp_path, database):
    now = datetime.now(UTC)
    add_session(database, "expired" + "x" * 25, now - timedelta(days=1))
    add_session(database, "current" + "x" * 25, now + timedelta(days=1))
    url = f"sqlite:///{database}"
    asked_for = tmp_path / "b.ctl"

    with (
        Gunicorn(tmp_path, "a", url) as a,
        Gunicorn(tmp_path, "b", url, BEHIND_PROXY="1", GUNICORN_CONTROL_SOCKET=str(asked_for)) as b,
    ):
        # A client on the same machine claims https: without BEHIND_PROXY it is not believed;
        # behind a proxy (B) the proxy's word is taken.
        claimed = Visitor(a.port).get("/", headers={"X-Forwarded-Proto": "https"})
        proxied = Visitor(b.port).get("/", headers={"X-Forwarded-Proto": "https"})
        # Through gunicorn too: a form in another charset is refused (400, not 500), and a body
        # declared too large is refused before it is sent.
        form = {"Cookie": "csrftoken=" + "a" * 32, "X-Forwarded-Proto": "https"}
        charsets = [
            raw_post(
                port,
                path,
                {**form, "Content-Type": f"application/x-www-form-urlencoded; charset={charset}"},
                b"a=b",
            )
            for port, path in ((a.port, "/healthz"), (b.port, "/accounts/login/"))
            for charset in ("cp1251", "latin-1", "ascii", "koi8-r", "utf-16")
        ]
        too_large = raw_post(
            b.port,
            "/accounts/login/",
            {
                **form,
                "Content-Type": "multipart/form-data; boundary=x",
                "Content-Length": "31457280",
            },
        )
        # Each instance answers on its own; no control socket in the user's home.
        both = [Visitor(port).get("/healthz").body for port in (a.port, b.port)]
        sockets_in_home = sorted(p.name for p in (tmp_path / "home").rglob("*") if p.is_socket())
        b_socket = asked_for.is_socket()
        deadline = time.monotonic() + 30
        while len(session_keys(database)) > 1 and time.monotonic() < deadline:
            time.sleep(0.2)

    assert (claimed.status, claimed.location) == (301, f"https://127.0.0.1:{a.port}/")
    assert (proxied.status, proxied.headers["Strict-Transport-Security"]) == (
        200,
        "max-age=31536000; includeSubDomains; preload",
    )
    assert both == ["ok", "ok"]
    assert charsets == [(400, b"Forms must be sent in UTF-8.")] * 10
    assert too_large == (413, b"The request is too large.")
    assert (sockets_in_home, b_socket) == ([], True)
    assert session_keys(database) == ["current" + "x" * 25]
