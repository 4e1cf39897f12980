"""Real-browser tests: Debian's Chromium, driven by Playwright, against the live server."""

import os

# pytest-playwright leaves an asyncio event loop marked as running in the main thread. From then
# on Django refuses every ORM call as "async unsafe" (SynchronousOnlyOperation), even creating the
# test database. These tests are synchronous and single-threaded, so the check protects nothing
# here. It must be set before Django touches the database, hence at import time.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from pathlib import Path

import pytest

E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """`playwright install` cannot download browsers here: use the Chromium Debian installed."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Mark every test in this folder `e2e`, so `-m "not e2e"` skips the browser."""
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


def _is_missing_favicon(message):
    # Chromium asks for /favicon.ico on its own, whatever the page links to; the portal has
    # none yet, so the 404 says nothing about our pages. Only that one URL is let through.
    return message.location.get("url", "").endswith("/favicon.ico")


@pytest.fixture
def console_errors(page):
    """Console errors and uncaught exceptions of the page; CSP violations show up here too."""
    errors = []

    def on_console(message):
        if message.type == "error" and not _is_missing_favicon(message):
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors
