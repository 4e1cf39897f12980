"""E-mails (accounts and decisions) go through the queue (django.tasks with django-tasks-db):
while the worker is down they wait in the database; a send the mail server refuses is tried
again later."""

import socket

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django.asserts import assertRedirects

from proposals.models import Proposal, User
from tests.factories import confirmation_link, make_proposal, signup_data

# Transactional: the worker, run in the test's process, closes stale connections as it wakes.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_queue(settings):
    """The queue as `make run` and `make serve` have it: tasks wait for `manage.py db_worker`."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker():
    """What the worker does with the tasks due now; then it stops."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_signup_with_the_worker_down_answers_at_once_and_the_mail_waits(
    client, database_queue, mailoutbox
):
    response = client.post(reverse("signup"), signup_data())

    assertRedirects(response, reverse("signup_done"))
    assert mailoutbox == []
    assert list(DBTaskResult.objects.values_list("task_path", "status")) == [
        ("proposals.emails.deliver_email", "READY")
    ]

    run_worker()

    assert [mail.to for mail in mailoutbox] == [["irina.volkova@example.org"]]
    assert confirmation_link(mailoutbox[0]).startswith("/accounts/confirm/")


def test_send_refused_by_the_mail_server_is_tried_again_later(
    client, database_queue, settings, mailoutbox
):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    client.post(reverse("signup"), signup_data())

    run_worker()

    first, again = DBTaskResult.objects.order_by("enqueued_at")
    assert (first.status, again.status) == ("FAILED", "READY")
    assert again.args_kwargs["kwargs"]["attempt"] == 2
    assert again.args_kwargs["kwargs"]["to"] == ["irina.volkova@example.org"]
    assert 50 <= (again.run_after - timezone.now()).total_seconds() <= 60
    assert User.objects.get().is_active is False


def test_decision_with_the_worker_down_is_saved_at_once_and_the_mail_waits(
    session, participant, moderator, database_queue, mailoutbox
):
    proposal = make_proposal(
        session,
        participant,
        status=Proposal.Status.UNDER_REVIEW,
        by=moderator,
        title="<b>Twins</b>",
    )

    proposal.accept(by=moderator)

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED
    assert mailoutbox == []
    assert list(DBTaskResult.objects.values_list("task_path", "status")) == [
        ("proposals.emails.deliver_email", "READY")
    ]

    run_worker()

    [message] = mailoutbox
    assert message.to == ["anna.petrova@example.org"]
    assert message.subject == "Your proposal “<b>Twins</b>” has been accepted"
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "&lt;b&gt;Twins&lt;/b&gt;" in html
