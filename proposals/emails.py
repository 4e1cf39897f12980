"""E-mails to participants about their accounts and proposals, through Django's mail API."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string

# No import from .models: models.py imports this module (one way, no cycle).

logger = logging.getLogger(__name__)


def render_subject(template_name, context):
    """A subject line from a template: one line, whatever the template or its values hold."""
    return " ".join(render_to_string(template_name, context).split())


def send_decision_email(proposal):
    """Tell the author that their proposal was accepted, rejected or merged, with the public answer.

    Sent by Proposal.email_decision once a decision commits, with what was committed.
    """
    context = {"proposal": proposal, "author": proposal.author, "session": proposal.session}
    subject = render_subject("proposals/emails/decision_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("proposals/emails/decision_body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[proposal.author.email],
    )
    # The HTML part is autoescaped: a title like "<script>" arrives as text, never as markup.
    message.attach_alternative(
        render_to_string("proposals/emails/decision_body.html", context), "text/html"
    )
    sent = message.send()
    logger.info("Decision e-mail for proposal %s sent to its author.", proposal.pk)
    return sent


def _send_account_email(name, user, context):
    context = {"user": user, **context}
    return EmailMessage(
        subject=render_subject(f"registration/{name}_subject.txt", context),
        body=render_to_string(f"registration/{name}_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    ).send()


def send_signup_confirmation(*, user, site_name, confirm_url, days):
    """The link that activates a new account, valid for `days` days."""
    return _send_account_email(
        "signup_confirm", user, {"site_name": site_name, "confirm_url": confirm_url, "days": days}
    )


def send_existing_account_notice(*, user, site_name, login_url, reset_url):
    """Tell the owner of a known address that someone tried to register with it."""
    return _send_account_email(
        "signup_existing",
        user,
        {"site_name": site_name, "login_url": login_url, "reset_url": reset_url},
    )
