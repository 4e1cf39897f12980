"""How `make serve` runs the portal: gunicorn's settings, production settings, the cache."""

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from forum_portal.settings import cache_from_url

ROOT = Path(__file__).resolve().parent.parent
# Subprocesses get a clean environment: nothing another test left in os.environ leaks in.
BASE_ENV = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "-serving-test-key-that-is-long-enough-0123456789",
    "ALLOWED_HOSTS": "forum.example.org",
    "HTTPS": "0",
}


def gunicorn_config(monkeypatch, **env):
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_workers_default_to_twice_the_cores_plus_one(monkeypatch):
    config = gunicorn_config(monkeypatch)

    assert config["workers"] == 2 * os.cpu_count() + 1
    assert config["bind"] == "127.0.0.1:8000"
    assert config["worker_class"] == "gthread"


def test_gunicorn_takes_workers_and_address_from_the_environment(monkeypatch):
    config = gunicorn_config(monkeypatch, WEB_CONCURRENCY="7", HOST="0.0.0.0", PORT="9001")

    assert (config["workers"], config["bind"]) == (7, "0.0.0.0:9001")


def production_settings(**env):
    """Settings as `make serve` loads them, read in a fresh interpreter."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); print(json.dumps({"
        "'debug': settings.DEBUG,"
        "'conn_max_age': settings.DATABASES['default']['CONN_MAX_AGE'],"
        "'health_checks': settings.DATABASES['default']['CONN_HEALTH_CHECKS'],"
        "'static': settings.STORAGES['staticfiles']['BACKEND'],"
        "'whitenoise': 'whitenoise.middleware.WhiteNoiseMiddleware' in settings.MIDDLEWARE,"
        "'gzip': 'django.middleware.gzip.GZipMiddleware' in settings.MIDDLEWARE,"
        "'cache': settings.CACHES['default']}))"
    )
    environ = {**BASE_ENV, "DJANGO_SETTINGS_MODULE": "forum_portal.settings", **PRODUCTION, **env}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_settings_keep_connections_and_serve_static_files():
    settings = production_settings()

    assert settings == {
        "debug": False,
        "conn_max_age": 600,
        "health_checks": True,
        "static": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "whitenoise": True,
        "gzip": True,
        "cache": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "forum-portal",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
    }


def test_redis_url_chooses_the_shared_cache():
    settings = production_settings(REDIS_URL="redis://127.0.0.1:6379/3")

    assert settings["cache"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/3",
    }


def test_cache_url_wins_over_redis_url():
    settings = production_settings(CACHE_URL="dummy://", REDIS_URL="redis://127.0.0.1:6379/3")

    assert settings["cache"] == {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}


def test_cache_url_with_an_unknown_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL must start with"):
        cache_from_url("memcached://127.0.0.1:11211")


def test_make_serve_runs_gunicorn_with_debug_off_after_collectstatic():
    result = subprocess.run(
        ["make", "--dry-run", "--no-print-directory", "serve", "PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )

    lines = [
        line for line in result.stdout.splitlines() if "manage.py" in line or "gunicorn" in line
    ]
    assert lines == [
        ".venv/bin/python manage.py collectstatic --noinput --verbosity 0",
        ".venv/bin/python manage.py migrate --noinput",
        # The e-mail queue's worker beside the server (Makefile START_WORKER).
        "{ .venv/bin/python manage.py db_worker --no-reload & w=$!; m=$PPID; while kill -0 $m "
        "2>/dev/null && kill -0 $w 2>/dev/null; do sleep 2; done; kill $w 2>/dev/null; } &",
        "PORT=8123 exec .venv/bin/gunicorn --config gunicorn.conf.py forum_portal.wsgi",
    ]
    assert "serve: export DEBUG = 0" in (ROOT / "Makefile").read_text()


def test_deploy_check_passes_for_make_serve_behind_tls():
    """`make serve` in production: TLS in front (HTTPS=1), the cache shared through Redis."""
    environ = {
        **BASE_ENV,
        **PRODUCTION,
        "HTTPS": "1",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
    )

    assert (result.returncode, result.stderr) == (0, ""), result.stderr


FAST_PATH = "sessions.page_cache.fast_path.AnonymousPageCacheMiddleware"
# The middlewares that add the headers every response must carry.
HEADER_MIDDLEWARE = [
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "forum_portal.middleware.PermissionsPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
]


def test_security_headers_are_added_outside_everything_that_answers(settings):
    """Outermost, so that every answer gets them: the HTTPS redirect, a refused body, the page
    cache's fast path and its errors, static files, the views."""
    middleware = settings.MIDDLEWARE

    assert middleware[: len(HEADER_MIDDLEWARE)] == HEADER_MIDDLEWARE


def test_anonymous_page_cache_runs_before_sessions_auth_csrf_and_gzip(settings):
    """Before sessions, auth and CSRF (which it skips for anonymous visitors) and gzip (it keeps
    the compressed bytes), inside the middlewares that add the security headers."""
    middleware = settings.MIDDLEWARE

    assert max(middleware.index(name) for name in HEADER_MIDDLEWARE) < middleware.index(FAST_PATH)
    assert middleware.index(FAST_PATH) < min(
        middleware.index(name)
        for name in (
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.middleware.gzip.GZipMiddleware",
        )
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("application/x-www-form-urlencoded", "a=" + "b" * 2048, 413),
        ("application/x-www-form-urlencoded; charset=cp1251", "a=b", 400),
    ],
)
def test_bodies_refused_before_the_page_cache_carry_every_security_header(
    settings, content_type, body, status
):
    """Refused by RequestBodyMiddleware, inside the header middlewares (issue 9, item 18)."""
    settings.REQUEST_MAX_BODY_BYTES = 1024

    response = Client().post("/accounts/login/", body, content_type=content_type)

    assert response.status_code == status
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'; ")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Permissions-Policy"].startswith("accelerometer=()")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
