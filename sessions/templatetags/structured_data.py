"""JSON-LD for templates: `{{ session|event_json_ld }}`, `{{ sessions|programme_json_ld:forum }}`,
and `{% site_url %}` for Open Graph addresses. See sessions/structured_data.py."""

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

from .. import structured_data

register = template.Library()

# mark_safe: json_ld() escapes every "<", ">" and "&", so the text cannot leave the element.


@register.filter
def event_json_ld(session):
    return mark_safe(structured_data.json_ld(structured_data.event(session)))


@register.filter
def programme_json_ld(sessions, forum):
    return mark_safe(structured_data.json_ld(structured_data.item_list(sessions, forum)))


@register.simple_tag
def site_url():
    return settings.SITE_URL
