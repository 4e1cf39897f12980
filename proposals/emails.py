"""E-mails to participants about their accounts and proposals, through Django's mail API."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone

# No import from .models: models.py imports this module (one way, no cycle).

logger = logging.getLogger(__name__)


def render_subject(template_name, context):
    """A subject line from a template: one line, whatever the template or its values hold."""
    return " ".join(render_to_string(template_name, context).split())


def send_decision_email(proposal):
    """Tell the author that their proposal was accepted, rejected or merged, with the public answer.

    Queued by Proposal.email_decision once a decision commits, with what was committed: the
    moderator's page answers at once, and a mail server that is down delays the e-mail only.
    """
    context = {"proposal": proposal, "author": proposal.author, "session": proposal.session}
    queued = deliver_email.enqueue(
        subject=render_subject("proposals/emails/decision_subject.txt", context),
        body=render_to_string("proposals/emails/decision_body.txt", context),
        # Autoescaped: a title like "<script>" arrives as text, never as markup.
        html=render_to_string("proposals/emails/decision_body.html", context),
        to=[proposal.author.email],
    )
    logger.info("Decision e-mail for proposal %s queued for its author.", proposal.pk)
    return queued


# A send that fails (the mail server down or refusing) is tried again after these delays by
# the queue's worker, then given up with an error in the log; the task's failure is also
# recorded by the queue (django_tasks_db's results, in the admin).
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1))


@task
def deliver_email(*, subject, body, to, html=None, attempt=1):
    """Send one rendered e-mail, with an HTML part when given (run by the queue's worker,
    after the response)."""
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    try:
        return message.send()
    except (OSError, smtplib.SMTPException):
        again = deliver_email.get_backend().supports_defer and attempt <= len(RETRY_DELAYS)
        if again:
            deliver_email.using(run_after=timezone.now() + RETRY_DELAYS[attempt - 1]).enqueue(
                subject=subject, body=body, to=to, html=html, attempt=attempt + 1
            )
        logger.error(
            "E-mail %r to %s not sent (attempt %d); %s.",
            subject,
            ", ".join(to),
            attempt,
            "will try again" if again else "giving up",
        )
        raise


def queue_email(template_prefix, to, context):
    """Render registration/<prefix>_subject.txt and _email.txt now; the queue sends them."""
    return deliver_email.enqueue(
        subject=render_subject(f"{template_prefix}_subject.txt", context),
        body=render_to_string(f"{template_prefix}_email.txt", context),
        to=[to],
    )


def send_signup_confirmation(*, to, site_name, confirm_url, days):
    """The link that activates a new account. No name in it: the mailbox is not confirmed yet,
    and whatever a visitor typed as a name must not reach someone else's mailbox."""
    context = {"site_name": site_name, "confirm_url": confirm_url, "days": days}
    return queue_email("registration/signup_confirm", to, context)


def send_existing_account_notice(*, to, site_name, login_url, reset_url):
    """Tell the owner of a known address that someone tried to register with it."""
    context = {"site_name": site_name, "login_url": login_url, "reset_url": reset_url}
    return queue_email("registration/signup_existing", to, context)
