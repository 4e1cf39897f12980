"""A reader's path through the demo programme in a real Chromium."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.sessions.seed import SEED_REPORTERS

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"

SEED_TITLE = "International and Cross-Border Intermunicipal Cooperation"
SEED_SLUG = "international-and-cross-border-intermunicipal-cooperation"
# .site-header { background: var(--portal-accent) } with --portal-accent: #1d4f91.
PORTAL_ACCENT = "rgb(29, 79, 145)"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(live_server):
    call_command("load_demo", verbosity=0)
    return live_server


def test_programme_to_session_page_shows_what_a_reader_needs(demo, page, console_errors):
    page.goto(demo.url + "/")

    # Our stylesheet reached the browser (live_server serves static files) and applied.
    expect(page.locator(".site-header")).to_have_css("background-color", PORTAL_ACCENT)
    expect(page.locator(".programme-day > h2")).to_have_text(
        ["Monday, 28 October 2019", "Tuesday, 29 October 2019"]
    )
    monday = page.locator(".programme-day").filter(has_text="Monday, 28 October 2019")
    expect(monday.locator("h3")).to_have_text(
        [
            "Strategic Planning in Russia: Ten Years After the Law",
            "Spatial Development Strategy and Agglomerations",
            SEED_TITLE,
        ]
    )
    assert console_errors == [], "programme page"

    page.get_by_role("link", name=SEED_TITLE).click()

    expect(page).to_have_url(f"{demo.url}/sessions/{SEED_SLUG}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE)
    expect(page.locator(".meta-list li")).to_have_text(
        ["Date: 28.10.2019", "Time: 17:15–19:15", "Room 4.G9"]
    )
    expect(page.locator("section[aria-labelledby='moderators-heading']")).to_contain_text(
        "Moderator\nDidenko Aleksei"
    )
    expect(page.locator("section[aria-labelledby='reporters-heading'] .person-name")).to_have_text(
        SEED_REPORTERS
    )
    proposal = page.get_by_role("link", name="Proposal", exact=True)
    expect(proposal).to_be_visible()
    expect(proposal).to_have_attribute("href", f"/sessions/{SEED_SLUG}/proposals/new/")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "session-page.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Concept of the round table")).click()
    download = download_info.value
    assert download.suggested_filename == (
        "concept-of-the-round-table-international-and-cross-border-intermunicipal-cooperation.docx"
    )
    assert Path(download.path()).read_bytes()[:2] == b"PK"  # a .docx is a zip archive
    assert console_errors == [], "session page"


def test_session_page_on_a_phone_fits_the_screen(demo, page, console_errors):
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{demo.url}/sessions/{SEED_SLUG}/")

    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE)
    scroll_width, client_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= client_width, "the page scrolls sideways on a phone"
    # In reach without scrolling past the summary, and it never hides the footer.
    proposal = page.get_by_role("link", name="Proposal", exact=True)
    expect(proposal).to_be_in_viewport()
    footer_bottom, button_top = page.evaluate(
        """() => {
            window.scrollTo({top: document.documentElement.scrollHeight, behavior: "instant"});
            return [
                document.querySelector("footer").getBoundingClientRect().bottom,
                document.querySelector(".proposal-cta").getBoundingClientRect().top,
            ];
        }"""
    )
    assert footer_bottom <= button_top, "the Proposal button covers the footer"
    assert console_errors == []
