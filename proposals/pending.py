"""Text posted to a proposal form by a visitor who is not logged in, kept until they log in.

A participant whose login expired while writing presses "Save" or "Submit": the view sends
them to log in, and the text waits in their session, {"<form key>": {field: text}}, to be put
back in the form when they return (`login()` keeps a session's data when it cycles the key).
"""

from .models import Proposal

SESSION_KEY = "pending_proposal"
FIELDS = ("title", "wording", "rationale", "addressee", "submission_token")
# Generous, so that a text over the form's limit is kept whole for the participant to shorten,
# yet bounded: anyone can post to the form without logging in.
MAX_CHARS = 4 * Proposal.RATIONALE_MAX_LENGTH


def keep(request, form_key):
    """Keep the text posted to the form `form_key`."""
    pending = request.session.get(SESSION_KEY, {})
    pending[form_key] = {name: request.POST.get(name, "")[:MAX_CHARS] for name in FIELDS}
    request.session[SESSION_KEY] = pending


def take(request, form_key):
    """The fields kept for the form `form_key`, forgotten once taken; None when there are none."""
    pending = request.session.get(SESSION_KEY, {})
    kept = pending.pop(form_key, None)
    if kept is not None:
        request.session[SESSION_KEY] = pending
    return kept
