"""The proposals admin as a browser uses it: URLs, what a page lists, what a form posts."""

from django.contrib.messages import get_messages
from django.urls import reverse

CHANGELIST = "/admin/proposals/proposal/"


def change_url(proposal):
    return reverse("admin:proposals_proposal_change", args=[proposal.pk])


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def listed(response):
    """The titles the changelist shows, in order."""
    return [proposal.title for proposal in response.context["cl"].result_list]


def run_action(client, action, proposals, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [p.pk for p in proposals], **extra},
    )


def form_data(page):
    """What a browser sends from a change page: its fields as shown, hidden ones included."""
    form = page.context["adminform"].form
    sent = {field.html_name: field.value() or "" for field in form}
    for inline in page.context["inline_admin_formsets"]:
        for inline_form in (inline.formset.management_form, *inline.formset.forms):
            for field in inline_form.hidden_fields():
                sent[field.html_name] = field.value()
    return sent


def edit(client, proposal, **data):
    """Open the change page and post it as a browser does, with our edits."""
    page = client.get(change_url(proposal))
    return client.post(change_url(proposal), {**form_data(page), **data})
