import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from proposals.models import Proposal, User
from sessions.models import Participation

from .factories import (
    add_material,
    add_participation,
    confirmation_link,
    make_forum,
    make_moderator,
    make_person,
    make_proposal,
    make_session,
    make_user,
    signup_data,
)

# What the portal hashes passwords with, read before the suite swaps in the fast hasher below.
PRODUCTION_PASSWORD_HASHERS = django_settings.PASSWORD_HASHERS


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher():
    """MD5 for the whole suite: the production hasher costs a noticeable part of a second per
    password, and almost no test is about hashing; those that are take `production_password_hasher`.
    """
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, a test database in a file, as `make run` and `make serve` use it.

    Django's default in-memory test database shares one cache between connections, where a
    second writer fails at once with "database table is locked" instead of waiting its turn
    (busy_timeout and WAL apply to files only): tests with parallel requests would show a
    database the portal never runs on.
    """
    database = django_settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture
def production_password_hasher(settings):
    """The hasher the portal really uses, for a test about hashing itself."""
    settings.PASSWORD_HASHERS = PRODUCTION_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _plain_static_storage(settings, tmp_path):
    """Tests render templates without running collectstatic, and write media to a temp dir."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database is rolled back, the cache is not."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings):
    """Queued tasks (the e-mails) run at once, so a test sees their mail in the outbox."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def signup_link(client, mailoutbox):
    """A fresh sign-up's confirmation link (Irina Volkova's, see factories.signup_data)."""
    client.post(reverse("signup"), signup_data())
    return confirmation_link(mailoutbox[-1])


@pytest.fixture
def forum(db):
    return make_forum()


@pytest.fixture
def session(forum):
    """A published round table with a confirmed moderator."""
    session = make_session(forum, title="International and Cross-Border Cooperation")
    add_participation(
        session,
        make_person("Didenko", "Aleksei"),
        role=Participation.Role.MODERATOR,
    )
    return session


@pytest.fixture
def other_session(forum):
    """Another published session, with its own moderator."""
    session = make_session(forum, title="Spatial Development")
    add_participation(
        session, make_person("Kuznetsov", "Dmitry"), role=Participation.Role.MODERATOR
    )
    return session


def _moderator_of(session):
    return session.participations.get(role=Participation.Role.MODERATOR).person


@pytest.fixture
def participant(db):
    return make_user(
        "anna.petrova@example.org",
        surname="Petrova",
        first_name="Anna",
        organisation="Pskov City Administration",
        position="Head of the international relations office",
    )


@pytest.fixture
def another_participant(db):
    return make_user(
        "oleg.smirnov@example.org",
        surname="Smirnov",
        first_name="Oleg",
        organisation="Kaliningrad Regional Duma",
    )


@pytest.fixture
def moderator(session):
    """The staff account of the person who moderates `session` ("Didenko Aleksei")."""
    return make_moderator(_moderator_of(session), email="didenko@example.org")


@pytest.fixture
def other_moderator(other_session):
    """The moderator of `other_session`: a moderator, but not of `session`."""
    return make_moderator(_moderator_of(other_session), email="kuznetsov@example.org")


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(
        "root@example.org", None, surname="Admin", first_name="Site"
    )


# A logged-in browser per persona (the anonymous visitor is pytest-django's `client`). Each is a
# Client of its own, so a test can hold several and `client` stays anonymous beside them.


def _logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def participant_client(participant):
    return _logged_in(participant)


@pytest.fixture
def another_participant_client(another_participant):
    return _logged_in(another_participant)


@pytest.fixture
def moderator_client(moderator):
    """Logged in as the moderator of `session`."""
    return _logged_in(moderator)


@pytest.fixture
def other_moderator_client(other_moderator):
    """Logged in as the moderator of `other_session`: a moderator, but not of `session`."""
    return _logged_in(other_moderator)


@pytest.fixture
def superuser_client(superuser):
    return _logged_in(superuser)


@pytest.fixture
def world(session, other_session, participant, another_participant, moderator):
    """The participant's proposals in `session`, an accepted one, and one in `other_session`."""
    return {
        "session": session,
        "speaker": add_participation(session).person,
        "material": add_material(session, title="Concept", url="https://example.org/c.pdf"),
        "draft": make_proposal(
            session, participant, title="Unsent draft", wording="A draft nobody may see."
        ),
        "submitted": make_proposal(
            session,
            participant,
            status=Proposal.Status.SUBMITTED,
            title="Twin towns programme",
            wording="Fund twin towns programmes.",
        ),
        "accepted": make_proposal(
            session,
            another_participant,
            status=Proposal.Status.ACCEPTED,
            by=moderator,
            title="Border fund",
            wording="Create a cross-border development fund.",
        ),
        "elsewhere": make_proposal(
            other_session,
            participant,
            status=Proposal.Status.UNDER_REVIEW,
            title="Spatial plan secret",
        ),
    }
