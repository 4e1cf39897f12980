import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import CommandError, call_command

from proposals.models import Proposal, User

SEED_SLUG = "international-and-cross-border-intermunicipal-cooperation"
LINE = re.compile(r"^(superuser|moderator|participant)  (\S+@\S+)  (\S+)$")


def run():
    out = StringIO()
    call_command("create_demo_accounts", stdout=out)
    return [LINE.match(line).groups() for line in out.getvalue().splitlines()]


@pytest.fixture
def seed(db):
    call_command("load_demo", verbosity=0)


def test_demo_accounts_print_one_working_login_per_role(seed):
    lines = run()

    assert [role for role, _login, _password in lines] == ["superuser", "moderator", "participant"]
    for _role, login, password in lines:
        assert authenticate(email=login, password=password) is not None, login
    admin, moderator, participant = (User.objects.get(email=login) for _r, login, _p in lines)
    assert (admin.is_superuser, admin.is_staff) == (True, True)
    assert (moderator.is_superuser, moderator.is_staff) == (False, True)
    assert [g.name for g in moderator.groups.all()] == ["Moderators"]
    assert moderator.person.full_name == "Didenko Aleksei"
    assert (participant.is_superuser, participant.is_staff) == (False, False)


def test_demo_moderator_sees_the_participants_proposals_in_the_admin(seed, client):
    [_admin, (_role, login, password), _participant] = run()
    assert client.login(email=login, password=password)

    response = client.get("/admin/proposals/proposal/")

    assert sorted(p.status for p in response.context["cl"].result_list) == [
        "accepted",
        "rejected",
        "submitted",
        "under_review",
    ]


def test_demo_participant_has_a_proposal_in_each_status(seed):
    run()

    proposals = Proposal.objects.filter(author__email="participant@demo.example.org")
    assert sorted(p.status for p in proposals) == [
        "accepted",
        "draft",
        "rejected",
        "submitted",
        "under_review",
    ]
    accepted = proposals.get(status="accepted")
    assert accepted.session.slug == SEED_SLUG
    assert accepted.public_answer.startswith("Included in the draft recommendations")
    assert [e.to_status for e in accepted.events.all()] == ["submitted", "under_review", "accepted"]


def test_demo_accounts_rerun_resets_passwords_and_adds_nothing(
    seed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = run()
    second = run()

    assert [login for _r, login, _p in first] == [login for _r, login, _p in second]
    for (_role, login, old), (_role2, _login, new) in zip(first, second, strict=True):
        assert old != new
        assert authenticate(email=login, password=old) is None
        assert authenticate(email=login, password=new) is not None
    assert User.objects.count() == 3
    assert Proposal.objects.count() == 5
    # The demo addresses are not real: nothing is sent to them.
    assert mail.outbox == []


def test_demo_accounts_without_the_seed_programme_explain_what_to_run(db):
    with pytest.raises(CommandError, match="run `manage.py load_demo` first"):
        call_command("create_demo_accounts", stdout=StringIO())
