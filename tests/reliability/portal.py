"""The portal as `make serve` runs it, on a fresh PostgreSQL database, and visitors over loopback.

Used by the opt-in `fault` tests: nothing here talks to anything but 127.0.0.1.
"""

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
# Subprocesses get a clean environment: nothing of the test process's leaks into the server.
BASE_ENV = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
# What a request may fail with while a worker dies or the database drops the connection.
TRANSIENT = (OSError, http.client.HTTPException)


def postgres_url():
    """DATABASE_URL when it is PostgreSQL; these tests need one (they skip otherwise)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://…")
    return url


def admin_connection(url):
    return psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True)


@contextmanager
def fresh_database(suffix):
    """A new, migrated database `<DATABASE_URL's name>_<suffix>`, dropped afterwards."""
    url = postgres_url()
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'forum_portal'}_{suffix}"
    with admin_connection(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        database_url = urlunsplit(parts._replace(path=f"/{name}"))
        run_python(["manage.py", "migrate", "--noinput", "--verbosity", "0"], database_url)
        yield database_url
    finally:
        with admin_connection(url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_python(args, database_url):
    environ = {
        **BASE_ENV,
        "DJANGO_SETTINGS_MODULE": "forum_portal.settings",
        "DATABASE_URL": database_url,
    }
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def seed(database_url, users, password):
    """Participants, an organiser (superuser) and one round table: see seed.py."""
    output = run_python(["-m", "tests.reliability.seed", str(users), password], database_url)
    return json.loads(output)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`make serve` in its own process group on a free loopback port; stopped on exit."""

    def __init__(self, database_url, log_path, *, secret_key, workers=3, **env):
        self.port = free_port()
        self.log_path = log_path
        self.env = {
            **BASE_ENV,
            "DEBUG": "0",
            "HTTPS": "0",
            "SECRET_KEY": secret_key,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(workers),
            "LOG_LEVEL": "WARNING",
            **env,
        }
        self.process = None

    def __enter__(self):
        self.log = open(self.log_path, "w")  # closed in __exit__
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self.wait_until_healthy(timeout=60)
        except BaseException:
            self.__exit__()
            raise
        return self

    def wait_until_healthy(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                if Visitor(self.port, timeout=2).get("/healthz").status == 200:
                    return
            except TRANSIENT:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"make serve did not become healthy:\n{self.log_tail()}")
            time.sleep(0.2)

    def master(self):
        """gunicorn's master: make's child (the recipe's shell `exec`s gunicorn)."""
        children = children_of(self.process.pid)
        assert len(children) == 1, f"make has children {children}"
        return children[0]

    def workers(self):
        return children_of(self.master())

    def wait_for_workers(self, count, timeout=20):
        deadline = time.monotonic() + timeout
        while len(workers := self.workers()) != count and time.monotonic() < deadline:
            time.sleep(0.1)
        return workers

    def log_tail(self, lines=40):
        try:
            return "\n".join(Path(self.log_path).read_text().splitlines()[-lines:])
        except OSError:
            return ""

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
            except ProcessLookupError:
                pass
        self.log.close()


def children_of(pid):
    result = subprocess.run(
        ["ps", "--ppid", str(pid), "-o", "pid="], capture_output=True, text=True, check=False
    )
    return sorted(int(line) for line in result.stdout.split())


def new_secret_key():
    return secrets.token_urlsafe(50)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def location(self):
        return self.headers.get("Location", "")

    def __repr__(self):
        return f"<Response {self.status} {self.location or self.body[:200]!r}>"


class Visitor:
    """A browser, roughly: one keep-alive connection to 127.0.0.1 and a cookie jar."""

    def __init__(self, port, *, timeout=10, cookies=None):
        self.port = port
        self.timeout = timeout
        self.cookies = dict(cookies or {})
        self.connection = None

    def request(self, method, path, fields=None, headers=None):
        headers = dict(headers or {})
        body = None
        if fields is not None:
            body = urlencode(fields, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=self.timeout
            )
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read().decode("utf-8", "replace")
        except TRANSIENT:
            self.close()
            raise
        if response.will_close:
            self.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(response.status, response.headers, content)

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path, fields):
        """A form POST (a dict or (name, value) pairs), with the CSRF token from the cookie as
        the page's form would send it."""
        pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
        return self.request("POST", path, [("csrfmiddlewaretoken", self.csrf_token()), *pairs])

    def csrf_token(self):
        return self.cookies.get("csrftoken", "")

    def login(self, email, password, *, path="/accounts/login/", attempts=8):
        """Log in through the form; a failure of the server (not of the password) is retried."""
        for attempt in range(attempts):
            try:
                self.get(path)
                response = self.post(path, {"username": email, "password": password})
            except TRANSIENT:
                time.sleep(0.2 * (attempt + 1))
                continue
            if response.status == 302:
                return response
            if response.status < 500:
                raise AssertionError(f"login of {email} refused: {response}")
            time.sleep(0.2 * (attempt + 1))
        raise AssertionError(f"login of {email} failed {attempts} times")

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def submission_token(page):
    match = re.search(r'<input[^>]*name="submission_token"[^>]*>', page)
    assert match, "no submission_token in the proposal form"
    value = re.search(r'value="([^"]*)"', match.group(0))
    assert value, "the submission_token field has no value"
    return value.group(1)


def form_errors(response):
    """The error messages a form page shows, or the response itself when it is no form page."""
    found = re.findall(
        r'<(div|span|p|strong)[^>]*class="[^"]*(?:invalid-feedback|alert)[^"]*"[^>]*>(.*?)</\1>',
        response.body,
        re.S,
    )
    return [page_text(text) for _tag, text in found] or repr(response)


def page_text(html):
    """The visible text of a page, white space collapsed."""
    parser = _TextParser()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in {"script", "style"} and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def form_fields(html, form_id):
    """What a browser would post from the form `form_id` unchanged: [(name, value), …]."""
    parser = _FormParser(form_id)
    parser.feed(html)
    assert parser.found, f"no form #{form_id} on the page"
    return parser.fields


class _FormParser(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.found = False
        self.inside = False
        self.fields = []
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.found = self.inside = True
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # A browser drops the one newline right after <textarea>.
            name, value = self.textarea
            self.fields.append((name, value.removeprefix("\n")))
            self.textarea = None
