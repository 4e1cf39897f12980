import pytest
from django.core import mail
from django.db import transaction

from proposals.models import Proposal
from tests.factories import make_proposal

Status = Proposal.Status


class RolledBack(Exception):
    pass


def _html_part(message):
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


def test_accept_emails_the_author_with_the_public_answer(
    session, participant, moderator, django_capture_on_commit_callbacks
):
    proposal = make_proposal(
        session,
        participant,
        status=Status.UNDER_REVIEW,
        by=moderator,
        title="Twin towns programme",
        public_answer="Included in section 2 of the recommendations.",
    )

    with django_capture_on_commit_callbacks(execute=True):
        proposal.accept(by=moderator)

    [message] = mail.outbox
    assert message.to == ["anna.petrova@example.org"]
    assert message.subject == "Your proposal “Twin towns programme” has been accepted"
    assert "Dear Petrova Anna," in message.body
    assert "Included in section 2 of the recommendations." in message.body
    assert f"to the session “{session.title}” has been accepted" in message.body


def test_reject_emails_the_author_with_the_public_answer(
    session, participant, moderator, django_capture_on_commit_callbacks
):
    proposal = make_proposal(
        session, participant, status=Status.UNDER_REVIEW, by=moderator, title="A new ministry"
    )
    proposal.public_answer = "Outside the scope of this round table."
    proposal.save(update_fields=["public_answer"])

    with django_capture_on_commit_callbacks(execute=True):
        proposal.reject(by=moderator)

    [message] = mail.outbox
    assert message.subject == "Your proposal “A new ministry” has been declined"
    assert "has not been included in the draft recommendations" in message.body
    assert "Outside the scope of this round table." in message.body


def test_merge_emails_the_author_with_the_target_title(
    session, participant, another_participant, moderator, django_capture_on_commit_callbacks
):
    target = make_proposal(
        session, another_participant, status=Status.UNDER_REVIEW, by=moderator, title="Target"
    )
    proposal = make_proposal(
        session,
        participant,
        status=Status.UNDER_REVIEW,
        by=moderator,
        title="Duplicate",
        public_answer="Same point as a proposal already under review.",
    )

    with django_capture_on_commit_callbacks(execute=True):
        proposal.merge_into(target, by=moderator)

    [message] = mail.outbox
    assert message.to == ["anna.petrova@example.org"]
    assert message.subject == "Your proposal “Duplicate” has been merged with another one"
    assert "has been merged with the proposal “Target”" in message.body
    assert "Same point as a proposal already under review." in message.body


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED])
def test_submit_and_take_up_send_no_email(
    session, participant, moderator, django_capture_on_commit_callbacks, status
):
    proposal = make_proposal(session, participant, status=status)

    with django_capture_on_commit_callbacks(execute=True):
        if status == Status.DRAFT:
            proposal.submit(by=participant)
        else:
            proposal.take_up(by=moderator)

    proposal.refresh_from_db()
    assert proposal.status in (Status.SUBMITTED, Status.UNDER_REVIEW)
    assert mail.outbox == []


def test_rolled_back_accept_sends_nothing(
    session, participant, moderator, django_capture_on_commit_callbacks
):
    proposal = make_proposal(session, participant, status=Status.UNDER_REVIEW, by=moderator)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RolledBack), transaction.atomic():
            proposal.accept(by=moderator)
            raise RolledBack

    proposal.refresh_from_db()
    assert proposal.status == Status.UNDER_REVIEW
    assert callbacks == []
    assert mail.outbox == []


def test_html_in_the_title_stays_text_in_both_parts(
    session, participant, moderator, django_capture_on_commit_callbacks
):
    title = '<script>alert("x")</script> & <b>bold</b>'
    proposal = make_proposal(
        session,
        participant,
        status=Status.UNDER_REVIEW,
        by=moderator,
        title=title,
        public_answer="<img src=x onerror=alert(1)>",
    )

    with django_capture_on_commit_callbacks(execute=True):
        proposal.accept(by=moderator)

    [message] = mail.outbox
    # Plain text shows exactly what the author typed: nothing in it is markup.
    assert title in message.subject
    assert f"“{title}”" in message.body
    assert "<img src=x onerror=alert(1)>" in message.body
    html = _html_part(message)
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_decision_without_notify_sends_nothing(
    session, participant, moderator, django_capture_on_commit_callbacks
):
    proposal = make_proposal(session, participant, status=Status.UNDER_REVIEW, by=moderator)

    with django_capture_on_commit_callbacks(execute=True):
        proposal.accept(by=moderator, notify=False)

    proposal.refresh_from_db()
    assert proposal.status == Status.ACCEPTED
    assert mail.outbox == []
