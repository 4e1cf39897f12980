import pytest
from django.core.management import call_command

from sessions.models import Session

SEED_SLUG = "international-and-cross-border-intermunicipal-cooperation"


@pytest.fixture
def demo(db):
    """The demo programme as `make run` loads it; returns the seed round table."""
    call_command("load_demo", verbosity=0)
    return Session.objects.get(slug=SEED_SLUG)
