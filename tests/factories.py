"""Small builders for test data: every test states the few fields it cares about."""

import itertools
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.test import override_settings

from proposals.models import Proposal, User
from proposals.permissions import moderators_group
from sessions.models import Forum, Material, Organisation, Participation, Person, Session

MOSCOW = ZoneInfo("Europe/Moscow")
_counter = itertools.count(1)


def at(day, hour, minute=0):
    """A moment in Moscow in October 2019, the month of the forum `make_forum` builds."""
    return datetime(2019, 10, day, hour, minute, tzinfo=MOSCOW)


def make_forum(**fields):
    fields.setdefault("name", "XVIII All-Russia Forum of Strategic Planning Leaders")
    fields.setdefault("edition", 18)
    fields.setdefault("starts_on", date(2019, 10, 28))
    fields.setdefault("ends_on", date(2019, 10, 29))
    fields.setdefault("city", "Saint Petersburg")
    return Forum.objects.create(**fields)


def make_session(forum=None, *, starts_at=None, duration=timedelta(hours=2), **fields):
    n = next(_counter)
    forum = forum or Forum.objects.latest_edition() or make_forum()
    starts_at = starts_at or datetime(2019, 10, 28, 10, 0, tzinfo=MOSCOW)
    fields.setdefault("title", f"Session {n}")
    fields.setdefault("slug", f"session-{n}")
    fields.setdefault("room", "4.G9")
    fields.setdefault("summary", "First paragraph.\nSecond paragraph.")
    fields.setdefault("is_published", True)
    return Session.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + duration, **fields
    )


def make_person(surname=None, first_name="Ivan", **fields):
    n = next(_counter)
    surname = surname or f"Surname{n}"
    fields.setdefault("slug", f"{surname.lower()}-{first_name.lower()}-{n}")
    return Person.objects.create(surname=surname, first_name=first_name, **fields)


def make_organisation(name=None):
    return Organisation.objects.create(name=name or f"Organisation {next(_counter)}")


def add_participation(session, person=None, *, role=Participation.Role.SPEAKER, **fields):
    fields.setdefault("is_confirmed", True)
    return Participation.objects.create(
        session=session, person=person or make_person(), role=role, **fields
    )


def add_material(session, **fields):
    fields.setdefault("title", f"Material {next(_counter)}")
    if not fields.get("file"):
        fields.setdefault("url", "https://example.org/material.pdf")
    return Material.objects.create(session=session, **fields)


def make_user(email=None, *, password=None, **fields):
    """A participant's account; without a password it is unusable (tests use force_login)."""
    n = next(_counter)
    fields.setdefault("surname", f"Surname{n}")
    fields.setdefault("first_name", "Anna")
    return User.objects.create_user(email or f"user{n}@example.org", password, **fields)


def make_moderator(person, **fields):
    """A staff account in the "Moderators" group, linked to the person who moderates sessions."""
    fields.setdefault("surname", person.surname)
    fields.setdefault("first_name", person.first_name)
    user = make_user(person=person, is_staff=True, **fields)
    user.groups.add(moderators_group())
    return user


def make_proposal(session, author, *, status="draft", by=None, merged_into=None, **fields):
    """A proposal brought to `status` through the model's own moves (each one recorded).

    `by` is the moderator who takes it up and decides; the author submits and withdraws.
    """
    n = next(_counter)
    fields.setdefault("title", f"Proposal {n}")
    fields.setdefault("wording", f"Wording of proposal {n}.")
    fields.setdefault("rationale", f"Rationale of proposal {n}.")
    fields.setdefault("addressee", Proposal.Addressee.MUNICIPAL)
    proposal = Proposal.objects.create(session=session, author=author, **fields)
    if status == Proposal.Status.DRAFT:
        return proposal
    # Test data may hold more sent proposals than the rate limit lets one participant send.
    with override_settings(PROPOSAL_RATE_LIMIT=10**9):
        proposal.submit(by=author)
    if status == Proposal.Status.SUBMITTED:
        return proposal
    if status == Proposal.Status.WITHDRAWN:
        proposal.withdraw(by=author)
        return proposal
    proposal.take_up(by=by)
    if status == Proposal.Status.ACCEPTED:
        proposal.accept(by=by)
    elif status == Proposal.Status.REJECTED:
        proposal.reject(by=by)
    elif status == Proposal.Status.MERGED:
        proposal.merge_into(merged_into, by=by)
    elif status != Proposal.Status.UNDER_REVIEW:
        raise ValueError(f"make_proposal cannot reach {status!r}")
    return proposal


# --- Accounts ---------------------------------------------------------------------------------

ACCOUNT_PASSWORD = "a-long-passphrase-1"


def signup_data(**fields):
    """The sign-up form as Irina Volkova fills it in (no password: chosen behind the link)."""
    data = {
        "email": "Irina.Volkova@Example.org",
        "surname": "Volkova",
        "first_name": "Irina",
        "patronymic": "",
        "organisation": "Vyborg District Administration",
        "position": "Deputy head",
        "consent": "on",
    }
    data.update(fields)
    return data


def confirmation_link(mail):
    """The path of the confirmation link in a sign-up e-mail."""
    return next(word for word in mail.body.split() if "/accounts/confirm/" in word).removeprefix(
        "http://testserver"
    )


def confirm_signup(client, link, password=ACCOUNT_PASSWORD, **fields):
    """Open the confirmation link and choose the password, as the mailbox's owner does."""
    return client.post(link, {"new_password1": password, "new_password2": password, **fields})


def reset_link(mail):
    """The path of the link in a password-reset e-mail."""
    return next(word for word in mail.body.split() if "/accounts/reset/" in word).removeprefix(
        "http://testserver"
    )


def proposal_data(**fields):
    """What the proposal form posts: a complete proposal with a fresh submission token."""
    data = {
        "title": "Cross-border cooperation agreements",
        "wording": "Simplify the approval of municipal cross-border agreements.",
        "rationale": "Approval now takes up to a year.",
        "addressee": Proposal.Addressee.GOVERNMENT,
        "submission_token": str(uuid.uuid4()),
    }
    data.update(fields)
    return data
