"""Bad input on every form and every URL with user-controlled parts (issue 5, "Bad input").

Hypothesis sends random Unicode, huge texts, control characters, raw bytes, malformed ids and
slugs. The property everywhere: the visitor gets a page with a clear error, a 404 page or a
redirect, never a server error (Django's test client re-raises a view's exception, so a 500
fails the test with its traceback), and nothing half-written in the database.

pytest-django rolls the database back after each test, not after each example, so the
properties compare rows before and after each request. docs/security.md counts the cases.
"""

import uuid
from urllib.parse import quote, quote_from_bytes

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.core import mail
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from pytest_django.asserts import assertContains

from proposals.models import Proposal, ProposalEvent, User
from tests.factories import add_material, add_participation, make_proposal

Status = Proposal.Status

FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- What a hostile or clumsy visitor sends -------------------------------------------------

# Django's test client encodes text as UTF-8, which has no lone surrogates: those are left out,
# and raw_query/raw bytes below send what no UTF-8 encoder would.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
control_text = st.text(
    st.sampled_from("\x00\x01\x08\x0b\x0c\x1b\x7f\x85\r\n\t\u200b\u202e\u2028\ufeff\ufffe"),
    min_size=1,
    max_size=20,
)
huge_text = st.builds(
    lambda piece, times: piece * times,
    st.sampled_from(["x", "я", "a ", "\x00", "%", "😀", "\r\n"]),
    st.sampled_from([201, 301, 5_001, 100_000]),
)
tricky_text = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "../",
        "..%2F..",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        "None",
        "\u202egpj.exe",
        '=HYPERLINK("http://x")',
    ]
)
nasty_text = st.one_of(
    any_text,
    control_text,
    huge_text,
    tricky_text,
    st.tuples(any_text, control_text, any_text).map("".join),
)
MALFORMED_IDS = [
    "-1",
    "0",
    "1e9",
    "0x1",
    "1.0",
    " 1",
    "١",  # an Arabic-Indic digit one
    str(2**63),
    str(2**70),
    "",
    "../",
    "..%2F..",
    "%00",
    "1;",
    "NaN",
]
malformed_id = st.one_of(
    st.sampled_from(MALFORMED_IDS),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    nasty_text,
)
slug_like = st.from_regex(r"\A[-a-zA-Z0-9_]{1,80}\Z")
malformed_slug = st.one_of(slug_like, nasty_text)
raw_bytes = st.binary(max_size=300)


def in_path(value):
    """A value as one URL path segment: percent-encoded, slashes too."""
    return quote(value, safe="")


def is_pk(value, pk):
    """Whether the URL's int converter would read this value as this primary key."""
    return value.isascii() and value.isdigit() and int(value) == pk


def admin_reads_as(value, pks):
    """Whether the admin would read this value as one of these primary keys: it takes any
    int() does, spaces, underscores and other scripts' digits included."""
    try:
        return int(value) in pks
    except ValueError:
        return False


def raw_query(**parts):
    """A query string from raw bytes, which need not be UTF-8."""
    return "&".join(f"{name}={quote_from_bytes(value, safe='')}" for name, value in parts.items())


# --- What the visitor must see --------------------------------------------------------------


def assert_404_page(response):
    assertContains(response, "There is no page at this address", status_code=404)


def form_errors(form):
    return [str(message) for errors in form.errors.values() for message in errors]


def assert_refused_with_reason(response, form):
    """The form is shown again and the page says what is wrong, every error of it."""
    assert response.status_code == 200
    errors = form_errors(form)
    assert errors, "the form was refused without an error message"
    content = response.content.decode()
    for error in errors:
        assert escape(error) in content, f"the page does not show the error {error!r}"
    return errors


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def without_old_messages(client):
    """Drop messages an earlier example left unread in the cookie: each example reads its own."""
    client.cookies.pop("messages", None)
    return client


def has_nul(*values):
    return any("\x00" in value for value in values)


# --- Data the URLs point at -----------------------------------------------------------------


@pytest.fixture
def programme(session, other_session):
    """Two published sessions, a speaker and a material: every public URL has something real."""
    speaker = add_participation(session).person
    material = add_material(session, title="Concept")
    return {"session": session, "speaker": speaker, "material": material}


@pytest.fixture
def moderation(session, other_session, participant, another_participant, moderator):
    """Proposals in the moderator's session and one in another, under review."""
    return {
        "submitted": make_proposal(session, participant, status=Status.SUBMITTED, title="Mine"),
        "under_review": make_proposal(
            session, another_participant, status=Status.UNDER_REVIEW, by=moderator
        ),
        "elsewhere": make_proposal(
            other_session,
            participant,
            status=Status.UNDER_REVIEW,
            title="Spatial plan secret",
        ),
    }


def statuses():
    return dict(Proposal.objects.values_list("pk", "status"))


# --- Programme filters and speaker search ---------------------------------------------------


def _q_error(value):
    value = value.strip()
    if "\x00" in value:
        return "Null characters are not allowed."
    if len(value) > 200:
        return f"Ensure this value has at most 200 characters (it has {len(value)})."
    return None


@FAST
@given(q=nasty_text, day=st.one_of(nasty_text, st.just("2019-10-28")), fmt=nasty_text)
def test_programme_any_filter_shows_programme_and_explains_bad_values(
    client, programme, q, day, fmt
):
    response = client.get("/", {"q": q, "day": day, "format": fmt})

    assertContains(response, "XVIII All-Russia Forum of Strategic Planning Leaders")
    content = response.content.decode()
    assert ('id="id_q_error"' in content) == (_q_error(q) is not None)
    if _q_error(q):
        assert escape(_q_error(q)) in content
    assert ('id="id_day_error"' in content) == (day not in ("", "2019-10-28"))
    assert ('id="id_format_error"' in content) == (fmt not in ("", "round_table"))


@FAST
@given(q=nasty_text)
def test_speakers_any_search_shows_page_and_explains_bad_values(client, programme, q):
    response = client.get("/speakers/", {"q": q})

    assertContains(response, "Speakers")
    content = response.content.decode()
    assert ('id="id_q_error"' in content) == (_q_error(q) is not None)
    if _q_error(q):
        assert escape(_q_error(q)) in content


@FAST
@given(q=raw_bytes, day=raw_bytes, fmt=raw_bytes)
def test_search_pages_raw_bytes_show_the_page(client, programme, q, day, fmt):
    """Bytes that are not UTF-8 (a broken client or a hand-made URL) in every query string."""
    response = client.get("/?" + raw_query(q=q, day=day, format=fmt))
    assertContains(response, "XVIII All-Russia Forum of Strategic Planning Leaders")

    response = client.get("/speakers/?" + raw_query(q=q))
    assertContains(response, "Speakers")


# --- Slugs and ids in public URLs ----------------------------------------------------------


@FAST
@given(slug=malformed_slug, pk=malformed_id)
def test_public_urls_unknown_slug_or_id_show_404_page(client, programme, slug, pk):
    assume(slug not in {programme["session"].slug, programme["speaker"].slug, "session-2"})
    assume(slug.strip() and not slug.startswith("."))
    known = programme["session"].slug
    material = programme["material"]
    for url in (
        f"/sessions/{in_path(slug)}/",
        f"/sessions/{in_path(slug)}/recommendations/",
        f"/sessions/{in_path(slug)}/proposals/new/",
        f"/speakers/{in_path(slug)}/",
        f"/sessions/{in_path(slug)}/materials/{material.pk}/",
    ):
        assert_404_page(client.get(url))
    if not is_pk(pk, material.pk):
        assert_404_page(client.get(f"/sessions/{known}/materials/{in_path(pk)}/"))


@FAST
@given(path=raw_bytes)
def test_public_urls_raw_bytes_in_path_show_404_page(client, programme, path):
    assume(path.strip(b"/."))
    segment = quote_from_bytes(path, safe="")
    assume(segment not in {programme["session"].slug, programme["speaker"].slug})
    for url in (f"/sessions/{segment}/", f"/speakers/{segment}/", f"/proposals/{segment}/"):
        response = client.get(url)
        if response.status_code == 302:  # /proposals/<id>/ asks an anonymous visitor to log in
            assert response["Location"].startswith("/accounts/login/?next=")
        else:
            assert_404_page(response)


# --- Proposal URLs with ids ------------------------------------------------------------------


@FAST
@given(pk=malformed_id)
def test_proposal_urls_malformed_or_foreign_id_show_404_and_change_nothing(
    participant_client, participant, session, another_participant, pk
):
    make_proposal(session, participant, title="Own draft")
    foreign = make_proposal(session, another_participant, status=Status.SUBMITTED)
    # Examples share the test's database: earlier examples' drafts are the participant's too.
    own_pks = Proposal.objects.filter(author=participant).values_list("pk", flat=True)
    assume(not any(is_pk(pk, own_pk) for own_pk in own_pks))
    before, events = statuses(), ProposalEvent.objects.count()

    for candidate in (pk, str(foreign.pk)):
        for url in (f"/proposals/{in_path(candidate)}/", f"/proposals/{in_path(candidate)}/edit/"):
            assert_404_page(participant_client.get(url))
        for url in (
            f"/proposals/{in_path(candidate)}/edit/",
            f"/proposals/{in_path(candidate)}/submit/",
            f"/proposals/{in_path(candidate)}/withdraw/",
        ):
            assert_404_page(participant_client.post(url, {"title": "Taken over", "submit": "1"}))

    assert statuses() == before
    assert ProposalEvent.objects.count() == events
    assert not Proposal.objects.filter(title="Taken over").exists()


# --- The proposal form ----------------------------------------------------------------------

addressee = st.one_of(st.sampled_from(Proposal.Addressee.values), nasty_text)
token = st.one_of(st.uuids().map(str), nasty_text)
button = st.sampled_from([{"submit": "Submit"}, {"save_draft": "Save draft"}, {}])


def assert_create_outcome(response, before, events, data):
    """A new proposal stored exactly once, the same one found again, or a refusal with reasons."""
    if response.status_code == 302:
        new = Proposal.objects.exclude(pk__in=before).order_by("pk")
        if not new:  # the token of an earlier example: "already reached us", not stored twice
            existing = Proposal.objects.get(submission_token=uuid.UUID(data["submission_token"]))
            assert response["Location"] == existing.get_absolute_url()
            assert ProposalEvent.objects.count() == events
            return
        [proposal] = new
        assert proposal.title == data["title"].strip()
        if "submit" in data:
            assert proposal.status == Status.SUBMITTED
            assert response["Location"] == proposal.get_absolute_url()
            assert ProposalEvent.objects.count() == events + 1
        else:
            assert proposal.status == Status.DRAFT
            assert response["Location"] == reverse("proposals:edit", args=[proposal.pk])
            assert ProposalEvent.objects.count() == events
        return
    errors = assert_refused_with_reason(response, response.context["form"])
    assert set(Proposal.objects.values_list("pk", flat=True)) == before
    assert ProposalEvent.objects.count() == events
    if has_nul(data["title"], data["wording"], data["rationale"]):
        assert "Null characters are not allowed." in errors


@FAST
@given(
    title=nasty_text,
    wording=nasty_text,
    rationale=nasty_text,
    addressee=addressee,
    token=token,
    button=button,
)
# Was refused with an error on the hidden field, which the participant never sees.
@example(title="T", wording="W", rationale="R", addressee="municipal", token="\x00", button={})
def test_proposal_create_any_text_stores_once_or_explains(
    participant_client, session, title, wording, rationale, addressee, token, button
):
    before = set(Proposal.objects.values_list("pk", flat=True))
    events = ProposalEvent.objects.count()
    data = {
        "title": title,
        "wording": wording,
        "rationale": rationale,
        "addressee": addressee,
        "submission_token": token,
        **button,
    }

    response = participant_client.post(f"/sessions/{session.slug}/proposals/new/", data)

    assert_create_outcome(response, before, events, data)


@FAST
@given(title=raw_bytes, wording=raw_bytes, token=raw_bytes)
def test_proposal_create_raw_bytes_body_stores_once_or_explains(
    participant_client, session, title, wording, token
):
    before = set(Proposal.objects.values_list("pk", flat=True))
    events = ProposalEvent.objects.count()
    body = raw_query(title=title, wording=wording, rationale=b"Because", submission_token=token)

    response = participant_client.post(
        f"/sessions/{session.slug}/proposals/new/",
        body + "&addressee=municipal&save_draft=1",
        content_type="application/x-www-form-urlencoded",
    )

    # What the view read, after Django replaced the bytes that are not UTF-8.
    data = response.wsgi_request.POST.dict()
    assert_create_outcome(response, before, events, data)


@FAST
@given(
    title=nasty_text,
    wording=nasty_text,
    rationale=nasty_text,
    addressee=addressee,
    button=button,
)
def test_proposal_edit_any_text_saves_exactly_or_changes_nothing(
    participant_client, session, participant, title, wording, rationale, addressee, button
):
    proposal = make_proposal(session, participant, title="Before")
    fields = ("title", "wording", "rationale", "addressee", "status")
    stored = {name: getattr(proposal, name) for name in fields}
    data = {"title": title, "wording": wording, "rationale": rationale, "addressee": addressee}

    response = participant_client.post(f"/proposals/{proposal.pk}/edit/", {**data, **button})

    proposal.refresh_from_db()
    if response.status_code == 302:
        assert proposal.title == title.strip()
        assert proposal.wording == wording.strip()
        assert response["Location"] in (
            proposal.get_absolute_url(),
            reverse("proposals:edit", args=[proposal.pk]),
        )
    else:
        errors = assert_refused_with_reason(response, response.context["form"])
        assert {name: getattr(proposal, name) for name in fields} == stored
        if has_nul(title, wording, rationale):
            assert "Null characters are not allowed." in errors


# --- Accounts: sign-up, login, profile, password reset and change ---------------------------

email_like = st.one_of(
    nasty_text,
    st.emails().map(str),
    st.tuples(any_text, control_text).map(lambda parts: f"{parts[0]}@example.org{parts[1]}"),
)


@FAST
@given(
    email=email_like,
    password=nasty_text,
    surname=nasty_text,
    first_name=nasty_text,
    organisation=nasty_text,
    consent=st.booleans(),
)
def test_signup_any_input_explains_or_writes_at_most_one_account(
    client, participant, email, password, surname, first_name, organisation, consent
):
    """Holds for the direct and the e-mail-confirmed sign-up; their success paths are tested
    in tests/proposals/test_accounts.py."""
    users = User.objects.count()
    data = {
        "email": email,
        "password1": password,
        "password2": password,
        "surname": surname,
        "first_name": first_name,
        "organisation": organisation,
        "position": organisation,
        **({"consent": "on"} if consent else {}),
    }

    response = client.post("/accounts/signup/", data)

    if response.status_code == 302:
        assert User.objects.count() - users in (0, 1)
    else:
        assert_refused_with_reason(response, response.context["form"])
        assert User.objects.count() == users
    if has_nul(email, surname, first_name, organisation) or not consent:
        assert response.status_code == 200
    # Never a second account for the participant's address, in any case or spacing.
    assert User.objects.filter(email__iexact=participant.email).count() == 1


@FAST
@given(username=st.one_of(email_like, st.just("anna.petrova@example.org")), password=nasty_text)
def test_login_any_input_refuses_with_message(client, participant, username, password):
    participant.set_password("correct horse battery staple")
    participant.save()
    cache.clear()  # the failed-login counters: each example starts unthrottled

    response = client.post("/accounts/login/", {"username": username, "password": password})

    assert_refused_with_reason(response, response.context["form"])
    assert SESSION_KEY not in client.session


@FAST
@given(
    surname=nasty_text,
    first_name=nasty_text,
    patronymic=nasty_text,
    organisation=nasty_text,
    position=nasty_text,
)
def test_profile_any_text_saves_exactly_or_changes_nothing(
    participant_client, participant, surname, first_name, patronymic, organisation, position
):
    fields = ("surname", "first_name", "patronymic", "organisation", "position", "email")
    participant.refresh_from_db()
    stored = {name: getattr(participant, name) for name in fields}
    data = {
        "surname": surname,
        "first_name": first_name,
        "patronymic": patronymic,
        "organisation": organisation,
        "position": position,
        "email": "taken.over@example.org",  # not a field of the form: ignored
    }

    response = participant_client.post("/accounts/profile/", data)

    participant.refresh_from_db()
    if response.status_code == 302:
        assert response["Location"] == "/accounts/profile/"
        assert participant.surname == surname.strip()
        assert participant.position == position.strip()
        assert participant.email == "anna.petrova@example.org"
    else:
        errors = assert_refused_with_reason(response, response.context["form"])
        assert {name: getattr(participant, name) for name in fields} == stored
        if has_nul(surname, first_name, patronymic, organisation, position):
            assert "Null characters are not allowed." in errors


@FAST
@given(email=email_like)
def test_password_reset_any_input_mails_only_real_accounts(client, participant, email):
    mail.outbox.clear()

    response = client.post("/accounts/password_reset/", {"email": email})

    if response.status_code == 302:
        assert response["Location"] == "/accounts/password_reset/done/"
    else:
        assert_refused_with_reason(response, response.context["form"])
    assert all(message.to == [participant.email] for message in mail.outbox)


@FAST
@given(uidb64=malformed_slug, token=malformed_slug)
def test_emailed_links_any_uid_or_token_say_the_link_is_invalid(client, participant, uidb64, token):
    """The password reset link, and the sign-up confirmation link where it exists."""
    assume(uidb64.strip() and token.strip())
    response = client.get(f"/accounts/reset/{in_path(uidb64)}/{in_path(token)}/", follow=True)
    if response.status_code == 404:
        assert_404_page(response)
    else:
        assertContains(response, "This link has expired or has already been used.")

    try:
        confirm = reverse("signup_confirm", args=["x", "y"]).removesuffix("x/y/")
    except NoReverseMatch:
        return
    users = list(User.objects.values_list("pk", "is_active"))
    for method in (client.get, client.post):
        response = method(f"{confirm}{in_path(uidb64)}/{in_path(token)}/")
        if response.status_code == 404:
            assert_404_page(response)
        else:
            assertContains(response, "link")
    assert list(User.objects.values_list("pk", "is_active")) == users


KNOWN_PASSWORD = "correct horse battery staple"


@FAST
@given(
    old=st.one_of(st.just(KNOWN_PASSWORD), nasty_text),
    new1=nasty_text,
    new2=st.one_of(st.none(), nasty_text),
)
def test_password_change_any_input_changes_exactly_or_nothing(client, participant, old, new1, new2):
    participant.set_password(KNOWN_PASSWORD)
    participant.save()
    client.force_login(participant)
    data = {
        "old_password": old,
        "new_password1": new1,
        "new_password2": new1 if new2 is None else new2,
    }

    response = client.post("/accounts/password_change/", data)

    participant.refresh_from_db()
    if response.status_code == 302:
        assert response["Location"] == "/accounts/password_change/done/"
        assert participant.check_password(new1)
    else:
        assert_refused_with_reason(response, response.context["form"])
        assert participant.check_password(KNOWN_PASSWORD)


# --- The admin: changelist queries, bulk actions, object URLs, exports ----------------------

CHANGELIST = "/admin/proposals/proposal/"
changelist_param = st.sampled_from(
    [
        "o",
        "p",
        "e",
        "all",
        "status__exact",
        "addressee__exact",
        "session__id__exact",
        "submitted_at__year",
        "submitted_at__month",
        "submitted_at__day",
        "author__password__startswith",
        "_to_field",
    ]
)


@FAST
@given(
    q=nasty_text,
    params=st.dictionaries(changelist_param, st.one_of(malformed_id, nasty_text), max_size=3),
)
# Each of these was a server error before forum_portal/admin.py.
@example(q="x" * 100_000, params={})  # SQLite: "LIKE or GLOB pattern too complex"
@example(q="", params={"submitted_at__year": str(2**70)})  # OverflowError in datetime()
@example(q="", params={"addressee__exact": "a\x00"})  # PostgreSQL refuses NUL characters
def test_admin_changelist_any_query_shows_moderators_list(client, moderator, moderation, q, params):
    client.force_login(moderator)

    response = client.get(CHANGELIST, {"q": q, **params}, follow=True)

    if response.status_code == 400:  # a lookup the admin refuses outright (password, _to_field)
        assert set(params) & {"author__password__startswith", "_to_field"}
        return
    if "e" in params and response.context.get("title") == "Database error":
        # Django's answer to a bad filter on a URL already marked ?e=…: no list at all.
        assertContains(response, "Something’s wrong with your database installation.")
        return
    assertContains(response, "Select proposal to change")
    # Whatever the query, never another session's proposal.
    assert "Spatial plan secret" not in response.content.decode()
    if "\x00" in q and not response.redirect_chain:
        assert "Null characters are not allowed." in messages_of(response)
    elif len(q) > 200 and not response.redirect_chain:
        assert "Only the first 200 characters of the search were used." in messages_of(response)


@FAST
@given(q=raw_bytes)
def test_admin_changelist_raw_bytes_search_shows_list(client, moderator, moderation, q):
    client.force_login(moderator)

    response = client.get(CHANGELIST + "?" + raw_query(q=q), follow=True)

    assertContains(response, "Select proposal to change")
    assert "Spatial plan secret" not in response.content.decode()


ACTIONS = [
    "take_up_selected",
    "accept_selected",
    "reject_selected",
    "merge_selected",
    "export_csv",
    "export_docx",
    "delete_selected",
]
NOT_A_KEY = [value for value in MALFORMED_IDS if value not in ("-1", "0", " 1", "١", "1;")]


@FAST
@given(
    action=st.one_of(st.sampled_from(ACTIONS), nasty_text),
    bad=st.lists(st.one_of(st.sampled_from(NOT_A_KEY), nasty_text), min_size=1, max_size=3),
    with_real=st.booleans(),
    index=st.one_of(st.just("0"), malformed_id),
    post=st.sampled_from(["yes", "no", ""]),
    note=nasty_text,
)
@example(  # was a server error: "Field 'id' expected a number"
    action="accept_selected", bad=["1e9"], with_real=True, index="0", post="yes", note=""
)
def test_admin_action_malformed_selection_changes_nothing(
    client, moderator, moderation, action, bad, with_real, index, post, note
):
    without_old_messages(client).force_login(moderator)
    # At least one value that is no primary key at all (not a whole number in range).
    assume(any(not (v.strip().lstrip("-").isdigit() and abs(int(v)) < 2**63) for v in bad))
    selected = [*bad, *([str(moderation["submitted"].pk)] if with_real else [])]
    before, events = statuses(), ProposalEvent.objects.count()

    response = client.post(
        CHANGELIST,
        {
            "action": action,
            "_selected_action": selected,
            "index": index,
            "post": post,
            "note": note,
            "target": selected[0],
        },
    )

    assert statuses() == before
    assert ProposalEvent.objects.count() == events
    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    assert messages_of(response) in (
        ["The selection was not understood. No items have been changed."],
        ["No action selected."],
    )


@FAST
@given(
    action=st.sampled_from(ACTIONS),
    ids=st.lists(st.sampled_from(["-1", "0", " 1", "١", str(2**62)]), min_size=1, max_size=3),
    note=nasty_text,
)
def test_admin_action_other_sessions_ids_change_nothing(
    client, moderator, moderation, action, ids, note
):
    """Ids that parse but are not the moderator's: another session's proposal, none at all."""
    client.force_login(moderator)
    elsewhere = moderation["elsewhere"]
    selected = [*ids, str(elsewhere.pk)]
    before, history = statuses(), ProposalEvent.objects.filter(proposal=elsewhere).count()

    response = client.post(
        CHANGELIST,
        {
            "action": action,
            "_selected_action": selected,
            "index": "0",
            "post": "yes",
            "note": note,
            "target": str(elsewhere.pk),
        },
        follow=True,
    )

    elsewhere.refresh_from_db()
    assert elsewhere.status == Status.UNDER_REVIEW
    assert ProposalEvent.objects.filter(proposal=elsewhere).count() == history
    if action != "delete_selected":
        assert statuses() == before or " 1" in ids or "١" in ids
    assert Proposal.objects.filter(pk=elsewhere.pk).exists()
    # A CSV export or a page: never another session's proposal.
    assert b"Spatial plan secret" not in response.content


@FAST
@given(pk=malformed_id, suffix=st.sampled_from(["change/", "history/", "delete/", ""]))
def test_admin_object_urls_unknown_id_say_it_does_not_exist(
    client, moderator, superuser, moderation, pk, suffix
):
    known = {p.pk for p in Proposal.objects.all()} | set(User.objects.values_list("pk", flat=True))
    assume(not admin_reads_as(pk, known))
    assume(pk.strip("/. ") and not pk.startswith("."))
    for user, url in (
        (moderator, f"/admin/proposals/proposal/{in_path(pk)}/{suffix}"),
        (superuser, f"/admin/proposals/user/{in_path(pk)}/{suffix}"),
        (superuser, f"/admin/forum_sessions/session/{in_path(pk)}/{suffix}"),
    ):
        client.force_login(user)
        response = client.get(url, follow=True)
        if response.status_code == 404:
            assert_404_page(response)
        elif response.status_code == 400:  # Django refuses to redirect to a URL this long
            assert len(url) > 2048
            assertContains(response, "Bad Request", status_code=400)
        elif response.status_code == 403:  # moderators may not delete proposals at all
            assert (user, suffix) == (moderator, "delete/")
            assertContains(response, "403 Forbidden", status_code=403)
        else:
            assert response.redirect_chain[-1][0] == "/admin/"
            assertContains(response, "doesn’t exist. Perhaps it was deleted?")


@FAST
@given(pk=malformed_id, kind=st.one_of(st.sampled_from(["csv", "docx"]), nasty_text))
def test_admin_export_urls_unknown_session_or_kind_show_404(
    client, moderator, session, other_session, pk, kind
):
    assume(not (is_pk(pk, session.pk) and kind in ("csv", "docx")))
    assume("/" not in pk + kind and pk.strip(". ") and kind.strip())
    client.force_login(moderator)

    url = f"/admin/proposals/proposal/export/{in_path(pk)}.{in_path(kind)}"
    response = client.get(url, follow=True)

    if response.status_code == 400:  # Django refuses to redirect to a URL this long
        assert len(url) > 2048
        assertContains(response, "Bad Request", status_code=400)
    elif response.redirect_chain:  # no export URL matched: the admin's catch-all
        assertContains(response, "doesn’t exist. Perhaps it was deleted?")
    else:
        assert_404_page(response)
    # Another session's export, with a valid kind, is a 404 too.
    assert_404_page(client.get(f"/admin/proposals/proposal/export/{other_session.pk}.csv"))


@FAST
@given(
    edited=nasty_text,
    note=nasty_text,
    answer=nasty_text,
    transition_note=nasty_text,
    move=st.one_of(st.sampled_from(["", "delete", "__class__", "save", "merge_into"]), nasty_text),
)
def test_admin_proposal_change_any_text_saves_exactly_or_changes_nothing(
    client, moderator, moderation, edited, note, answer, transition_note, move
):
    assume(move not in ("take_up", "accept", "reject"))
    without_old_messages(client).force_login(moderator)
    proposal = moderation["under_review"]
    proposal.refresh_from_db()
    fields = ("edited_wording", "moderator_note", "public_answer", "status")
    stored = {name: getattr(proposal, name) for name in fields}
    events = ProposalEvent.objects.count()

    response = client.post(
        f"/admin/proposals/proposal/{proposal.pk}/change/",
        {
            "edited_wording": edited,
            "moderator_note": note,
            "public_answer": answer,
            "transition_note": transition_note,
            "loaded_updated_at": proposal.updated_at.isoformat(),
            "_move": move,
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )

    proposal.refresh_from_db()
    assert ProposalEvent.objects.count() == events
    assert proposal.status == Status.UNDER_REVIEW
    if response.status_code == 302:
        assert response["Location"] == f"/admin/proposals/proposal/{proposal.pk}/change/"
        assert proposal.edited_wording == edited.strip()
        assert proposal.public_answer == answer.strip()
        assert messages_of(response) == ["Unknown status change."]
    else:
        errors = assert_refused_with_reason(response, response.context["adminform"].form)
        assert {name: getattr(proposal, name) for name in fields} == stored
        if has_nul(edited, note, answer, transition_note):
            assert "Null characters are not allowed." in errors
