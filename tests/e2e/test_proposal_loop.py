"""The whole proposal loop in a real Chromium: a participant proposes, a moderator accepts."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from sessions.models import Person
from tests.factories import make_moderator

SEED_TITLE = "International and Cross-Border Intermunicipal Cooperation"
SEED_SLUG = "international-and-cross-border-intermunicipal-cooperation"
PARTICIPANT_PASSWORD = "Pskov-border-2019"
MODERATOR_PASSWORD = "Moderator-of-the-round-table-7"
TITLE = "Joint border tourism routes"
WORDING = "Approve a joint programme of cross-border tourist routes for border municipalities."
ANSWER = "Accepted: it goes into the round table's draft recommendations."

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(live_server):
    call_command("load_demo", verbosity=0)
    return live_server


@pytest.fixture
def moderator(demo):
    """Didenko Aleksei, who moderates the seed round table, with a staff account."""
    return make_moderator(
        Person.objects.get(surname="Didenko", first_name="Aleksei"),
        email="didenko@example.org",
        password=MODERATOR_PASSWORD,
    )


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def confirmation_link(mail):
    return next(word for word in mail.body.split() if "/accounts/confirm/" in word)


def test_proposal_from_sign_up_to_the_draft_recommendations(
    demo, moderator, page, browser, console_errors, mailoutbox
):
    # Form fields are found by id: their labels end in crispy's "*" for required fields.
    # A visitor on the seed round table presses "Proposal", and is sent to log in or sign up.
    page.goto(f"{demo.url}/sessions/{SEED_SLUG}/")
    page.get_by_role("link", name="Proposal", exact=True).click()
    expect(page).to_have_url(
        f"{demo.url}/accounts/login/?next=/sessions/{SEED_SLUG}/proposals/new/"
    )
    page.get_by_role("link", name="Register as a participant").click()

    page.locator("#id_email").fill("Anna.Petrova@example.org")
    page.locator("#id_surname").fill("Petrova")
    page.locator("#id_first_name").fill("Anna")
    page.locator("#id_organisation").fill("Pskov City Administration")
    page.locator("#id_position").fill("Head of the international relations office")
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Register").click()

    # The account waits for its owner to open the link mailed to them (the live server runs in
    # this process, so its mail lands in Django's test outbox).
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    [mail] = mailoutbox
    assert mail.to == ["anna.petrova@example.org"]
    page.goto(confirmation_link(mail))
    expect(page.locator(".reading p").first).to_have_text(
        "You are confirming the account of Petrova Anna with the e-mail address "
        "anna.petrova@example.org. Choose your password to finish; you can correct your name "
        "and organisation in your profile afterwards."
    )
    # The password is chosen here, by whoever reads the mailbox (never at sign-up).
    page.locator("#id_new_password1").fill(PARTICIPANT_PASSWORD)
    page.locator("#id_new_password2").fill(PARTICIPANT_PASSWORD)
    page.get_by_role("button", name="Confirm and log in").click()

    # Back at the form, for the round table they came from.
    expect(page).to_have_url(f"{demo.url}/sessions/{SEED_SLUG}/proposals/new/")
    expect(page.locator(".session-of-proposal")).to_have_text(f"Session: {SEED_TITLE}")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_wording").fill(WORDING)
    page.locator("#id_rationale").fill("Tourists cross the border, routes stop at it.")
    page.locator("#id_addressee").select_option(label="Regional authorities")
    page.get_by_role("button", name="Submit", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".alert-success")).to_have_text(
        "Your proposal has been sent to the moderators. You can follow it here."
    )
    expect(page.locator(".proposal-status")).to_have_text("Submitted")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My proposals").click()
    expect(page.locator(".proposal-table tbody tr")).to_have_count(1)
    row = page.locator(".proposal-table tbody tr")
    expect(row.locator("td")).to_have_text(
        [TITLE, SEED_TITLE, "Submitted", row.locator("time").inner_text(), "—"]
    )
    assert console_errors == [], "participant's pages"
    log_out(page)

    # The moderator, in a browser of their own, takes it up in the admin and accepts it.
    moderator_context = browser.new_context()
    admin = moderator_context.new_page()
    admin_errors = []
    admin.on(
        "console",
        lambda message: (
            admin_errors.append(message.text)
            if message.type == "error" and "favicon" not in message.location.get("url", "")
            else None
        ),
    )
    admin.goto(f"{demo.url}/admin/")
    admin.get_by_label("E-mail address").fill("didenko@example.org")
    admin.get_by_label("Password").fill(MODERATOR_PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_role("link", name="Proposals", exact=True).click()

    admin.locator("#searchbar").fill("border tourism")
    admin.locator("#searchbar").press("Enter")
    rows = admin.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(TITLE)
    rows.first.locator("input.action-select").check()
    admin.locator("select[name=action]").select_option("take_up_selected")
    admin.get_by_role("button", name="Run").click()

    expect(admin.locator(".move-changes li")).to_have_text(
        [f"“{TITLE}” (Petrova Anna, {SEED_TITLE}): Submitted → Under review"]
    )
    admin.get_by_role("button", name="Yes, I’m sure").click()
    expect(admin.locator(".messagelist")).to_contain_text("1 proposal is now under review.")

    admin.get_by_role("link", name=TITLE).click()
    admin.get_by_label("Public answer").fill(ANSWER)
    admin.get_by_role("button", name="Accept", exact=True).click()
    expect(admin.locator(".messagelist")).to_contain_text(f"Saved; “{TITLE}” is now accepted.")
    assert admin_errors == [], "admin pages"
    moderator_context.close()

    # The participant logs in again and finds the answer.
    page.get_by_role("link", name="Log in").click()
    page.locator("#id_username").fill("anna.petrova@example.org")
    page.locator("#id_password").fill(PARTICIPANT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{demo.url}/proposals/")
    expect(row.locator(".proposal-status")).to_have_text("Accepted")
    # Bootstrap's badge text is white: a status without its own colours is invisible.
    text_colour, background = row.locator(".proposal-status").evaluate(
        "badge => [getComputedStyle(badge).color, getComputedStyle(badge).backgroundColor]"
    )
    assert background != "rgba(0, 0, 0, 0)" and text_colour != background
    expect(row.locator(".public-answer")).to_have_text(ANSWER)
    row.get_by_role("link", name=TITLE).click()
    expect(page.locator("section.public-answer")).to_contain_text(ANSWER)
    expect(page.locator(".proposal-history li")).to_have_count(3)

    # And the round table's draft recommendations show it, under its addressee.
    page.get_by_role("link", name=SEED_TITLE).first.click()
    page.get_by_role("link", name="Draft recommendations of this session").click()
    expect(page.get_by_role("heading", level=2)).to_have_text(["Regional authorities"])
    expect(page.locator(".recommendation-wording")).to_have_text([WORDING])
    expect(page.locator(".recommendation-author")).to_have_text(
        ["Proposed by Petrova Anna, Pskov City Administration"]
    )
    assert console_errors == [], "participant's pages after the answer"
