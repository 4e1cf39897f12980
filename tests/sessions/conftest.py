import pytest
from django.core.management import call_command

from sessions.models import Material, Session
from tests.factories import add_material, add_participation, make_organisation, make_person

SEED_SLUG = "international-and-cross-border-intermunicipal-cooperation"


@pytest.fixture
def demo(db):
    """The demo programme as `make run` loads it; returns the seed round table."""
    call_command("load_demo", verbosity=0)
    return Session.objects.get(slug=SEED_SLUG)


@pytest.fixture
def round_table(session):
    """The round table with a reporter, an organiser and a material: every part of its page."""
    organisation = make_organisation("Union of Russian Cities")
    add_participation(
        session,
        make_person("Petrova", "Anna"),
        organisation=organisation,
        position="Expert",
        report_title="Twinned cities",
    )
    session.organisers.create(organisation=make_organisation("Pskov Region"))
    add_material(session, title="Concept", kind=Material.Kind.CONCEPT)
    return session
