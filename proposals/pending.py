"""Text posted to a proposal form by a visitor who is not logged in, kept until they log in.

A participant whose login expired while writing presses "Save" or "Submit": the view sends
them to log in, and the text waits in their session, to be put back in the form when they
return (`login()` keeps a session's data when it cycles the key, and so does the sign-up
confirmation, which logs in). Anyone can post to the form without logging in, so what is kept
is bounded:

- one text per visitor (per session): keeping a text replaces the one kept before;
- each field cut at twice its limit on the form, so that a text a little too long stays
  whole for its author to shorten; the hidden fields at a few dozen characters: under 19,000
  characters in all;
- only for a form the visitor can open once logged in: the new-proposal form of a published
  session, or the edit form of a proposal that exists (the views decide). Whose proposal it
  is cannot be known before the login; after it, the text comes back only on the author's own
  edit page, since anyone else's is a 404 before the text is read.

A visitor without a session cookie (the expired login arrives that way) costs one new session
row, so one client address has at most KEPT_PER_ADDRESS texts kept an hour (counted in the
database, shared by every worker: forum_portal.ratelimit); beyond that the visitor gets the
same answer and nothing is kept. `clearsessions` deletes expired session rows.
"""

from forum_portal import ratelimit

from .models import Proposal

SESSION_KEY = "pending_proposal"
# What is kept of each posted field, in characters; other fields are not kept.
LIMITS = {
    "title": 2 * Proposal.TITLE_MAX_LENGTH,
    "wording": 2 * Proposal.WORDING_MAX_LENGTH,
    "rationale": 2 * Proposal.RATIONALE_MAX_LENGTH,
    "addressee": 50,
    "submission_token": 50,
    "updated_at": 50,
}
# Texts kept an hour for one client address: far more than the logins that expire in one
# hour behind a forum's shared Wi-Fi, far fewer than a script would store.
KEPT_PER_ADDRESS = 60
KEPT_WINDOW_SECONDS = 3600


def keep(request, form_key):
    """Keep the text posted to the form `form_key`, instead of any text kept before.

    Nothing is kept once the client's address has had its KEPT_PER_ADDRESS texts this hour.
    """
    counter = ratelimit.key("pending-text", ratelimit.client_ip(request))
    if ratelimit.hit(counter, KEPT_WINDOW_SECONDS) > KEPT_PER_ADDRESS:
        return
    request.session[SESSION_KEY] = {
        "form": form_key,
        "fields": {
            name: request.POST[name][:limit]
            for name, limit in LIMITS.items()
            if name in request.POST
        },
    }


def take(request, form_key):
    """The fields kept for the form `form_key`, forgotten once taken; None when there are none."""
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("form") != form_key:
        return None
    del request.session[SESSION_KEY]
    return dict(kept.get("fields") or {})
