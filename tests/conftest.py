import pytest

from sessions.models import Participation

from .factories import add_participant, make_forum, make_person, make_session


@pytest.fixture(autouse=True)
def _plain_static_storage(settings, tmp_path):
    """Tests render templates without running collectstatic, and write media to a temp dir."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def forum(db):
    return make_forum()


@pytest.fixture
def session(forum):
    """A published round table with a confirmed moderator."""
    session = make_session(forum, title="International and Cross-Border Cooperation")
    add_participant(
        session,
        make_person("Didenko", "Aleksei"),
        role=Participation.Role.MODERATOR,
    )
    return session


@pytest.fixture
def other_session(forum):
    """Another published session, with its own moderator."""
    session = make_session(forum, title="Spatial Development")
    add_participant(session, make_person("Kuznetsov", "Dmitry"), role=Participation.Role.MODERATOR)
    return session
