"""E-mails to participants about their proposals, through Django's mail API."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import Proposal

logger = logging.getLogger(__name__)


def send_decision_email(proposal_pk):
    """Tell the author that their proposal was accepted, rejected or merged, with the public answer.

    Called by Proposal moves through transaction.on_commit, so it reads what was committed.
    """
    proposal = (
        Proposal.objects.select_related("author", "session", "merged_into")
        .filter(pk=proposal_pk, status__in=Proposal.DECISIONS)
        .first()
    )
    if proposal is None or not proposal.author.email:
        return 0
    context = {"proposal": proposal, "author": proposal.author, "session": proposal.session}
    # A header must stay on one line, whatever the title holds.
    subject = " ".join(render_to_string("proposals/emails/decision_subject.txt", context).split())
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
