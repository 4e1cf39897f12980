"""Settings for Forum Portal, read from the environment.

The defaults make a fresh clone run (SQLite, DEBUG on, console e-mail). With DEBUG off the
portal refuses to start without a real SECRET_KEY and ALLOWED_HOSTS. Every variable is
listed in the README.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from forum_portal.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # django.contrib.admin, whose default site scopes "view on site" (forum_portal/admin.py).
    "forum_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    # Django's own sessions keep the label "sessions"; ours is "forum_sessions".
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "sessions.apps.SessionsConfig",
    "proposals.apps.ProposalsConfig",
    # Attempt counters (logins, sign-ups, password resets) shared by every worker.
    "forum_portal.ratelimit.apps.RateLimitConfig",
    # The queue behind django.tasks: e-mails leave after the response (manage.py db_worker).
    "django_tasks_db",
    # /sitemap.xml (sessions/structured_data.py): the app holds the sitemap's template.
    "django.contrib.sitemaps",
    # The read API (sessions/api/) and its OpenAPI document; the sidecar serves Swagger UI's
    # files as our own static files (no CDN).
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    # The headers every response carries, outermost: answers made further in (the HTTPS
    # redirect, a refused body, a database down, the page cache's fast path and its errors,
    # static files) carry them too.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "forum_portal.middleware.PermissionsPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything that reads the body or the database: oversized and undecodable bodies
    # refused; a database found not answering gives 503 at once (forum_portal/dbwatch.py).
    "forum_portal.middleware.RequestBodyMiddleware",
    "forum_portal.middleware.DatabaseWatchdogMiddleware",
    # Anonymous visitors' programme pages whole from the cache, before the rest of the stack
    # runs (sessions/page_cache/).
    "sessions.page_cache.fast_path.AnonymousPageCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "forum_portal.urls"
WSGI_APPLICATION = "forum_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "forum_portal.context_processors.current_forum",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 0 if DEBUG else 600),
        conn_health_checks=True,
    )
}
# A database that stops answering must not hold a worker's threads for ever
# (forum_portal/dbwatch.py has the whole protocol). Seconds:
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 5)  # to open a connection, login included
DB_STATEMENT_TIMEOUT = env_int("DB_STATEMENT_TIMEOUT", 15)  # one statement, ended by the server
DB_PROBE_TIMEOUT = env_int("DB_PROBE_TIMEOUT", 2)  # /healthz's and the watchdog's `SELECT 1`
DB_RETRY_SECONDS = env_int("DB_RETRY_SECONDS", 5)  # how often a database found down is tried
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, plus the watchdog's fail-fast check before each new connection.
    DATABASES["default"]["ENGINE"] = "forum_portal.postgresql"
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    if DB_STATEMENT_TIMEOUT:
        # Sent with every new connection; a long migration may need DB_STATEMENT_TIMEOUT=0.
        _options["options"] = " ".join(
            filter(None, [_options.get("options"), f"-c statement_timeout={DB_STATEMENT_TIMEOUT}s"])
        )
    _options.update(
        {
            # psycopg enforces it over the whole connection set-up, login included (0: none).
            "connect_timeout": DB_CONNECT_TIMEOUT,
            # A server or network that vanishes without a word (packets dropped): the kernel
            # gives up on an idle connection after ~25 s, and on data the server does not
            # acknowledge after 20 s. A server that is reached but silent (a proxy that
            # accepts and relays nothing) is the watchdog's: the kernel sees nothing wrong.
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
            "tcp_user_timeout": 20000,
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Several gunicorn workers write at once: readers do not wait for a writer (WAL),
            # a writer waits for another (busy_timeout) instead of failing with "database is
            # locked", and a transaction takes the write lock at its start (IMMEDIATE), as a
            # read lock upgraded later cannot wait and fails at once.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                f"PRAGMA busy_timeout={env_int('SQLITE_BUSY_TIMEOUT', 20) * 1000};"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "proposals.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "proposals:list"
LOGOUT_REDIRECT_URL = "sessions:programme"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded materials: the limit a moderator sees in the form's error message.
MATERIAL_MAX_UPLOAD_BYTES = env_int("MATERIAL_MAX_UPLOAD_MB", 20) * 1024 * 1024
# Request bodies: refused (413) by their declared size before anything reads them, except on
# the admin pages that upload materials, which may add one material's worth
# (forum_portal.middleware.RequestBodyMiddleware). Django's own limits then bound what it
# keeps in memory: form fields, and a file before it is spooled to disk.
REQUEST_MAX_BODY_BYTES = env_int("REQUEST_MAX_BODY_KB", 2560) * 1024  # Django's own 2.5 MB
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BODY_BYTES

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Django 6.1's MAILERS (the EMAIL_* settings are deprecated): console in development,
# SMTP from the environment in production.
MAILERS = {
    "default": {
        "BACKEND": env_str(
            "EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
    }
}
if MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER") or None,
        "password": env_str("EMAIL_HOST_PASSWORD") or None,
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": env_int("EMAIL_TIMEOUT", 10),
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Forum Portal <noreply@localhost>")

# E-mails leave after the response, from a queue in the database (django.tasks with
# django-tasks-db): a page answers as fast whether or not it sends one, and a mail server that
# is down delays a message instead of failing the page. `make run` and `make serve` start the
# worker (`manage.py db_worker`); TASKS_BACKEND=django.tasks.backends.immediate.ImmediateBackend
# sends inline instead (the tests do).
TASKS = {
    "default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")},
}


def cache_from_url(url):
    """A CACHES entry from a URL: redis://…, rediss://…, locmem://, or dummy:// (caching off)."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in {"redis", "rediss", "unix"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "locmem":
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "forum-portal",
            # Room for every session and speaker page of a large forum (the default is 300).
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        "CACHE_URL must start with redis://, rediss://, unix://, locmem:// or dummy://, "
        f"not {url!r}."
    )


# Local memory by default (one cache per worker process). Several workers or instances share
# one cache through CACHE_URL (or REDIS_URL); either way cached pages carry the programme's
# version from the database, so an organiser's change is seen at once on every instance.
CACHES = {"default": cache_from_url(env_str("CACHE_URL") or env_str("REDIS_URL") or "locmem://")}
# How long a rendered fragment is kept; keys carry the programme version, so this only frees memory.
PROGRAMME_CACHE_SECONDS = env_int("PROGRAMME_CACHE_SECONDS", 24 * 3600)

# The read API (sessions/api/): anonymous and read-only, JSON only (the browsable API's pages
# would need inline scripts), its OpenAPI document made by drf-spectacular.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # ?format= filters sessions by their format; it must not pick a renderer.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Forum Portal API",
    "DESCRIPTION": "The public programme of the forum: editions, published sessions with their "
    "confirmed people, organisers and materials, and the people of the programme. Read-only, "
    "anonymous; times in Moscow time (+03:00).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Security headers. The CSP allows only our own files: no inline scripts or styles.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features no page of the portal uses, switched off (forum_portal.middleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# HTTPS-only behaviour is switched on by a flag: behind TLS in production, off in tests,
# where an SSL redirect would turn every request into a 301.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
# The portal's public address, for links that leave it (feeds, sitemap, Open Graph, JSON-LD):
# one value for every visitor, so a cached page never carries the Host one request sent.
SITE_URL = env_str(
    "SITE_URL",
    f"{'https' if HTTPS else 'http'}://{ALLOWED_HOSTS[0].lstrip('.')}"
    if ALLOWED_HOSTS and not DEBUG
    else "http://localhost:8000",
).rstrip("/")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind a load balancer, trust its X-Forwarded-Proto and the address it appends last to
# X-Forwarded-For (forum_portal.ratelimit.client_ip); never without one, as clients forge them.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz answers load balancers over plain HTTP too.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Failed logins, sign-ups and password resets (proposals/throttle.py), counted in the database
# for a window that starts with the first attempt, so every worker and instance shares them.
LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS = env_int("LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS", 5)
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 50)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 100)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_MINUTES", 15) * 60
SIGNUPS_PER_EMAIL = env_int("SIGNUPS_PER_EMAIL", 3)
SIGNUPS_PER_ADDRESS = env_int("SIGNUPS_PER_ADDRESS", 30)
PASSWORD_RESETS_PER_EMAIL = env_int("PASSWORD_RESETS_PER_EMAIL", 3)
PASSWORD_RESETS_PER_ADDRESS = env_int("PASSWORD_RESETS_PER_ADDRESS", 30)
ACCOUNT_EMAIL_WINDOW_SECONDS = env_int("ACCOUNT_EMAIL_WINDOW_MINUTES", 60) * 60
# (Per client address: 30 an hour leaves room for a registration desk behind one NAT.)
# Proposals one participant may send to one session within the window (proposals.forms).
PROPOSAL_RATE_LIMIT = env_int("PROPOSAL_RATE_LIMIT", 5)
PROPOSAL_RATE_WINDOW = timedelta(minutes=env_int("PROPOSAL_RATE_WINDOW_MINUTES", 60))
# Drafts one participant may keep in sessions still taking proposals (proposals/submission.py).
PROPOSAL_DRAFT_LIMIT = env_int("PROPOSAL_DRAFT_LIMIT", 20)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
