"""The admin of participants and proposals: the moderators' workspace.

- moderation.py: ProposalAdmin (only the proposals of the sessions a user moderates) and the
  read-only history;
- actions.py: bulk status moves and merges behind a confirmation page, and the exports;
- forms.py: the change page's form (refuses a save over a newer version) and the confirmations';
- users.py: participants' accounts, for superusers.
"""

from .moderation import ProposalAdmin, ProposalEventInline
from .users import UserAdmin

__all__ = ["ProposalAdmin", "ProposalEventInline", "UserAdmin"]
