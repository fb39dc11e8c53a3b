"""`{% timeline_items timeline %}`: a timeline's entries as HTML (see activities/timeline_html.py).

Reads from the page's context the deal it shows (`deal`, whose own entries need no link to it),
whether planned activities get a "Mark done" button (`timeline_actions`) and the CSRF token.
"""

from django import template
from django.utils.safestring import SafeString

from activities.selectors import TimelineEntry
from activities.timeline_html import Page, timeline_html

register = template.Library()


@register.simple_tag(takes_context=True)
def timeline_items(context: template.Context, entries: list[TimelineEntry]) -> SafeString:
    request = context.get("request")
    deal = context.get("deal")
    page = Page(
        deal_id=getattr(deal, "pk", None),
        actions=bool(context.get("timeline_actions")),
        csrf_token=str(context.get("csrf_token") or ""),
        next_url=request.get_full_path() if request is not None else "",
    )
    return timeline_html(entries, page)
