from django.utils.functional import SimpleLazyObject

from sessions.models import Forum


def current_forum(request):
    """The forum whose name the header shows: one query, and only when a template uses it."""
    return {"current_forum": SimpleLazyObject(Forum.objects.latest_edition)}
