"""Hardened by default: the deploy check, the headers of every kind of response, HTTPS.

The HTTPS behaviour (HSTS, SSL redirect, secure cookies) is read from the environment when
the settings load, and tests run with it off; the last tests therefore start a fresh Python
process with production settings and look at what that process answers.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

BASE_DIR = Path(settings.BASE_DIR)
NONCE = r"[A-Za-z0-9+/=_-]{16,}"
CSP_PATTERN = (
    "default-src 'self'; "
    # The nonce appears when the page uses it: the admin's templates do, ours do not.
    f"script-src 'self'(?: 'nonce-({NONCE})')?; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "frame-ancestors 'none'; "
    "form-action 'self'; "
    "base-uri 'self'; "
    "object-src 'none'"
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)


def production_env(tmp_path, **extra):
    """The environment of a production process: DEBUG off, a real key, HTTPS on."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "HTTPS",
            "SECURE_SSL_REDIRECT",
            # Set by tests/e2e/conftest.py for Playwright; never in production.
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="forum.example.org",
        HTTPS="1",
        DJANGO_SETTINGS_MODULE="forum_portal.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
    )
    env.update(extra)
    return env


def assert_hardened(response):
    """The headers every answer of the portal carries, whatever its kind."""
    csp = response.headers.get("Content-Security-Policy", "")
    assert re.fullmatch(CSP_PATTERN, csp), csp
    assert "unsafe" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["Permissions-Policy"] == PERMISSIONS_POLICY
    return csp


@pytest.mark.django_db
@pytest.mark.parametrize("visit", ["first", "from the cache"])
def test_headers_programme_page_loads_scripts_only_from_our_origin(client, session, visit):
    """Our pages need no nonce: their one script is a static file from 'self'. So the page is
    the same bytes for every anonymous visitor, and can be served whole from the cache."""
    if visit == "from the cache":
        client.get("/")
    response = client.get("/")

    csp = assert_hardened(response)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert re.search(r"(?:^|; )script-src 'self'(?:;|$)", csp), csp
    assert "nonce" not in csp
    # JSON-LD (sessions/structured_data.py) is data, never run: it is no script to allow.
    html = re.sub(
        r'<script type="application/ld\+json">.*?</script>', "", response.content.decode()
    )
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S)
    tags = re.findall(r"<script\b[^>]*>", html)
    assert len(tags) == len(scripts) == 1, "the page loads Bootstrap's script, nothing inline"
    assert re.fullmatch(r'<script src="/static/vendor/bootstrap/[^"]+\.js" defer>', tags[0])
    assert scripts == [""]


@pytest.mark.django_db
def test_headers_admin_pages_still_get_a_fresh_nonce(superuser_client):
    """The admin's own templates use nonces; the policy keeps the nonce source for them."""
    first = re.fullmatch(
        CSP_PATTERN, superuser_client.get("/admin/").headers["Content-Security-Policy"]
    )
    second = re.fullmatch(
        CSP_PATTERN, superuser_client.get("/admin/").headers["Content-Security-Policy"]
    )

    assert first.group(1) and second.group(1)
    assert first.group(1) != second.group(1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/accounts/login/", 200),
        ("post", "/accounts/login/", 200),
        ("get", "/accounts/profile/", 302),
        ("get", "/sessions/no-such-session/", 404),
        ("get", "/admin/login/", 200),
        ("get", "/admin/", 302),
        ("get", "/healthz", 200),
    ],
)
def test_headers_every_kind_of_response(client, session, method, path, status):
    data = {"username": "x@example.org", "password": "x"} if method == "post" else {}
    response = getattr(client, method)(path, data)

    assert response.status_code == status
    assert_hardened(response)
    assert response.headers["X-Frame-Options"] == "DENY"


def test_headers_static_file_served_by_whitenoise(settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True

    response = Client().get("/static/css/portal.css")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/css")
    assert_hardened(response)


def test_templates_have_no_inline_scripts_or_styles():
    """The CSP forbids them: a page that used one would break in the browser, not in a test."""
    offences = []
    for template in sorted((BASE_DIR / "templates").rglob("*.html")):
        text = template.read_text()
        for pattern in (r"\sstyle\s*=", r"<style\b", r"\son[a-z]+\s*=", r"javascript:"):
            if re.search(pattern, text, re.IGNORECASE):
                offences.append(f"{template.relative_to(BASE_DIR)}: {pattern}")
        # Scripts are our static files, from 'self': no inline code, and no nonce, which
        # would make every page's bytes differ (sessions/page_cache/ serves them whole). The one
        # exception is JSON-LD, data that browsers never run, written exactly this way.
        for tag in re.findall(r"<script\b[^>]*>", text, re.IGNORECASE):
            if tag == '<script type="application/ld+json">':
                continue
            if not re.search(r"\ssrc=\"\{% static '[^']+\.js' %\}\"", tag) or "nonce" in tag:
                offences.append(f"{template.relative_to(BASE_DIR)}: {tag}")
        # ...and its content is our escaping filter's output (sessions/templatetags/), nothing else.
        for body in re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S):
            if not re.fullmatch(r"\{\{ [\w.]+\|\w+_json_ld(:\w+)? \}\}", body):
                offences.append(f"{template.relative_to(BASE_DIR)}: JSON-LD {body}")

    assert offences == []


def test_deploy_check_production_settings_have_no_warnings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_deploy_check_debug_on_is_reported(tmp_path):
    """The check above can fail: with DEBUG on, the same command complains."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(tmp_path, DEBUG="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert "security.W018" in result.stderr + result.stdout


# Run in a production process: migrate a scratch SQLite database, make one participant,
# and report what a browser would see over HTTP and over HTTPS.
PRODUCTION_PROBE = """
import json, django
django.setup()
from django.core.management import call_command
from django.test import Client, override_settings
from proposals.models import User

call_command("migrate", verbosity=0)
User.objects.create_user("reader@example.org", "a long pass phrase 42", surname="R", first_name="R")
client = Client(HTTP_HOST="forum.example.org")
report = {}

plain = client.get("/")
report["http"] = [plain.status_code, plain.headers.get("Location")]
health = client.get("/healthz")
report["healthz_http"] = [health.status_code, health.content.decode()]

# The manifest storage needs collectstatic; the pages' static links are not the point here.
with override_settings(
    STORAGES={"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
):
    page = client.get("/accounts/login/", secure=True)
    login = client.post(
        "/accounts/login/",
        {"username": "reader@example.org", "password": "a long pass phrase 42"},
        secure=True,
    )
report["https"] = [page.status_code, page.headers.get("Strict-Transport-Security")]
report["login"] = [login.status_code, login.headers.get("Location")]
report["cookies"] = {
    name: {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
           "samesite": morsel["samesite"]}
    for response in (page, login)
    for name, morsel in response.cookies.items()
}
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("production")
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=BASE_DIR,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_https_plain_http_is_redirected(production):
    assert production["http"] == [301, "https://forum.example.org/"]


def test_https_healthz_answers_plain_http(production):
    assert production["healthz_http"] == [200, "ok"]


def test_https_hsts_for_a_year_with_subdomains_and_preload(production):
    assert production["https"] == [200, "max-age=31536000; includeSubDomains; preload"]


def test_https_cookies_are_secure(production):
    assert production["login"] == [302, "/proposals/"]
    assert production["cookies"] == {
        "csrftoken": {"secure": True, "httponly": False, "samesite": "Lax"},
        "sessionid": {"secure": True, "httponly": True, "samesite": "Lax"},
        # The owner's browser, for the login throttle (proposals/throttle.py).
        "login_device": {"secure": True, "httponly": True, "samesite": "Lax"},
    }


def test_https_off_in_tests_cookies_not_secure(client, db):
    """The contrast: without HTTPS=1 (development, tests) cookies must work over plain HTTP."""
    user = get_user_model().objects.create_user(
        "reader@example.org", "a long pass phrase 42", surname="R", first_name="R"
    )
    response = client.post(
        "/accounts/login/", {"username": user.email, "password": "a long pass phrase 42"}
    )

    assert response.headers["Location"] == "/proposals/"
    assert not response.cookies["sessionid"]["secure"]
    assert "Strict-Transport-Security" not in response.headers
