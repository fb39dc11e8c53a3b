"""The timeline as HTML, written in Python: a record page shows 50 entries, and the template
engine spent more time on them (an include, a URL and two dates each) than the database on the
whole page. Templates use `{% timeline_items timeline %}` (activities/templatetags/timeline.py).

Every value goes through `_html` (format_html without its lazy-string checks, which cost more
than the escaping), so user text (subjects, names, e-mails) is escaped; a
note's body is the safe subset of `rich_note`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from activities.models import Activity, ActivityType
from activities.selectors import TimelineEntry
from crm.templatetags.crm_format import rich_note
from deals.models import DealHistory, DealStatus, HistoryKind
from products.models import ItemChangeKind


def _html(template: str, *args) -> SafeString:
    """`template` with `args` escaped, as format_html writes it (a timeline calls it 1,000 times,
    and format_html checks each argument for lazy strings first)."""
    return SafeString(
        template.format(
            *(a.__html__() if hasattr(a, "__html__") else html.escape(str(a)) for a in args)
        )
    )


@dataclass(frozen=True)
class Page:
    """What entries need of the page that shows them."""

    deal_id: int | None  # entries on this deal do not link to it
    actions: bool  # "Mark done" on planned activities
    csrf_token: str
    next_url: str


def _url_around_id(name: str) -> tuple[str, str]:
    # One reverse() for all the entries: the URL around the record's id.
    prefix, _sep, suffix = reverse(name, args=[0]).rpartition("0")
    return prefix, suffix


class _Writer:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.deal_url = _url_around_id("deals:detail")
        self.done_url = _url_around_id("activities:done")
        # Each text translated once per timeline, not once per entry.
        self.text = {
            "someone": gettext("Someone"),
            "on deal": gettext("on deal"),
            "note": gettext("Note"),
            "done": gettext("Done"),
            "planned": gettext("Planned"),
            "due": gettext("Due"),
            "assigned to": gettext("assigned to"),
            "mark done": gettext("Mark done"),
            "email": gettext("Email"),
            "no subject": gettext("(no subject)"),
            "from": gettext("From"),
            "to": gettext("to"),
            "show message": gettext("Show message"),
            "reason": gettext("Reason:"),
            "mark subject done": gettext("Mark done: %(subject)s"),
        }
        self.formats = {
            "datetime": get_format("DATETIME_FORMAT"),
            "date": get_format("DATE_FORMAT"),
            "time": get_format("TIME_FORMAT"),
        }
        self.types = {value: str(label) for value, label in ActivityType.choices}

    def deal_link(self, deal_id: int, title: str) -> str:
        prefix, suffix = self.deal_url
        return _html('<a href="{}{}{}">{}</a>', prefix, deal_id, suffix, title)

    def meta(self, entry: TimelineEntry, deal_id: int | None) -> str:
        """Who and when, and the deal it was done on when that is not this page's deal."""
        at = timezone.localtime(entry.at) if timezone.is_aware(entry.at) else entry.at
        on_deal = ""
        if deal_id and deal_id != self.page.deal_id:
            on_deal = _html(
                " · {} {}", self.text["on deal"], self.deal_link(deal_id, entry.item.deal.title)
            )
        return _html(
            '<p class="timeline-meta"><span class="timeline-actor">{}</span> · '
            '<time datetime="{}">{}</time>{}</p>',
            str(entry.actor) if entry.actor else self.text["someone"],
            at.isoformat(),
            dateformat.format(at, self.formats["datetime"]),
            on_deal,
        )

    def entry(self, entry: TimelineEntry) -> str:
        return getattr(self, entry.kind)(entry)

    def note(self, entry: TimelineEntry) -> str:
        return _html(
            '<li class="timeline-entry timeline-kind-note"><div class="timeline-body">'
            '<p class="timeline-title">{}</p>{}<div class="note-body">{}</div></div></li>',
            self.text["note"],
            self.meta(entry, entry.item.deal_id),
            rich_note(entry.item.content),
        )

    def activity(self, entry: TimelineEntry) -> str:
        activity = entry.item
        due = dateformat.format(activity.due_date, self.formats["date"])
        if activity.due_time:
            due += " " + dateformat.time_format(activity.due_time, self.formats["time"])
        duration = ""
        if activity.duration_minutes:
            duration = " · " + ngettext(
                "%(minutes)s minute", "%(minutes)s minutes", activity.duration_minutes
            ) % {"minutes": activity.duration_minutes}
        return _html(
            '<li class="timeline-entry timeline-kind-activity{}"><div class="timeline-body">'
            '<p class="timeline-title">{}: {} <span class="badge{}">{}</span></p>{}'
            '<p class="timeline-detail">{} <time datetime="{}">{}</time> · {} {}{}</p>{}{}'
            "</div></li>",
            " is-done" if activity.done else "",
            self.types.get(activity.type, activity.type),
            activity.subject,
            " badge-done" if activity.done else "",
            self.text["done"] if activity.done else self.text["planned"],
            self.meta(entry, activity.deal_id),
            self.text["due"],
            activity.due_date.isoformat(),
            due,
            self.text["assigned to"],
            str(activity.assignee),
            duration,
            self.mark_done(activity) if self.page.actions and not activity.done else "",
            _html('<p class="timeline-text">{}</p>', linebreaksbr(activity.note))
            if activity.note
            else "",
        )

    def mark_done(self, activity: Activity) -> str:
        prefix, suffix = self.done_url
        return _html(
            '<form method="post" action="{}{}{}" class="timeline-action">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="next" value="{}#timeline">'
            '<button type="submit" class="btn btn-small" aria-label="{}">{}</button></form>',
            prefix,
            activity.pk,
            suffix,
            self.page.csrf_token,
            self.page.next_url,
            self.text["mark subject done"] % {"subject": activity.subject},
            self.text["mark done"],
        )

    def email(self, entry: TimelineEntry) -> str:
        email = entry.item
        return _html(
            '<li class="timeline-entry timeline-kind-email"><div class="timeline-body">'
            '<p class="timeline-title">{}: {}</p>{}<p class="timeline-detail">{} {} {} {}</p>{}'
            "</div></li>",
            self.text["email"],
            email.subject or self.text["no subject"],
            self.meta(entry, email.deal_id),
            self.text["from"],
            email.sender,
            self.text["to"],
            email.recipients,
            _html(
                '<details class="timeline-text"><summary>{}</summary>{}</details>',
                self.text["show message"],
                linebreaksbr(email.body),
            )
            if email.body
            else "",
        )

    def history(self, entry: TimelineEntry) -> str:
        row = entry.item
        reason = ""
        if row.kind == HistoryKind.STATUS and row.to_status == DealStatus.LOST:
            name = row.lost_reason.name if row.lost_reason else ""
            dash = " – " if row.lost_reason and row.detail else ""
            reason = _html(
                '<p class="timeline-detail">{} {}{}{}</p>',
                self.text["reason"],
                name,
                dash,
                row.detail,
            )
        return _html(
            '<li class="timeline-entry timeline-kind-history timeline-history-{}">'
            '<div class="timeline-body"><p class="timeline-title">{}</p>{}{}</div></li>',
            row.kind,
            _history_title(row),
            self.meta(entry, row.deal_id),
            reason,
        )

    def item_change(self, entry: TimelineEntry) -> str:
        change = entry.item
        title = {
            ItemChangeKind.ADDED: gettext("Product added: %(name)s"),
            ItemChangeKind.CHANGED: gettext("Product changed: %(name)s"),
            ItemChangeKind.REMOVED: gettext("Product removed: %(name)s"),
        }.get(change.kind)
        return _html(
            '<li class="timeline-entry timeline-kind-item timeline-item-{}">'
            '<div class="timeline-body"><p class="timeline-title">{}</p>{}{}</div></li>',
            change.kind,
            title % {"name": change.product_name} if title else change.detail,
            self.meta(entry, getattr(change, "deal_id", None)),
            _html('<p class="timeline-detail">{}</p>', change.detail) if title else "",
        )

    def conversion(self, entry: TimelineEntry) -> str:
        # No deal: the user may not see it, or it was deleted since.
        deal = _html(": {}", self.deal_link(entry.deal.pk, entry.deal.title)) if entry.deal else ""
        return _html(
            '<li class="timeline-entry timeline-kind-conversion"><div class="timeline-body">'
            '<p class="timeline-title">{}{}</p>{}</div></li>',
            gettext("Converted to a deal"),
            deal,
            self.meta(entry, None),
        )

    def merge(self, entry: TimelineEntry) -> str:
        return _html(
            '<li class="timeline-entry timeline-kind-merge"><div class="timeline-body">'
            '<p class="timeline-title">{}</p>{}</div></li>',
            gettext("Merged “%(name)s” into this record") % {"name": entry.item.merged_name},
            self.meta(entry, None),
        )


def _history_title(row: DealHistory) -> str:
    to_stage = row.to_stage.name if row.to_stage else ""
    if row.kind == HistoryKind.CREATED:
        return gettext("Deal created in %(stage)s") % {"stage": to_stage}
    if row.kind == HistoryKind.CONVERTED:
        return gettext("Converted from a lead into %(stage)s") % {"stage": to_stage}
    if row.kind == HistoryKind.STAGE:
        if row.detail == "pipeline":
            return gettext("Moved to another pipeline: %(stage)s") % {"stage": row.to_stage or ""}
        from_stage = row.from_stage.name if row.from_stage else ""
        return gettext("Stage: %(from)s → %(to)s") % {"from": from_stage, "to": to_stage}
    if row.to_status == DealStatus.WON:
        return gettext("Marked as won")
    if row.to_status == DealStatus.LOST:
        return gettext("Marked as lost")
    return gettext("Reopened")


def timeline_html(entries: list[TimelineEntry], page: Page) -> SafeString:
    """The `<li>` of each entry, in the active language; every value escaped."""
    if not entries:
        return mark_safe("")  # noqa: S308 - an empty string
    writer = _Writer(page)
    return mark_safe("".join(writer.entry(entry) for entry in entries))  # noqa: S308 - _html pieces, each escaped
