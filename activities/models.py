"""Notes, activities and logged emails: what happens on deals, persons and organizations.

Why this app sits between deals and leads: a note points at the deal, person and organization
it belongs to with real foreign keys (all in apps below). Leads sit above: a lead links to its
notes, activities and emails through link tables of its own (`Lead.notes`, ...), so the
conversion in `leads/conversion.py` can move them to the deal without any app depending upward.
Whatever is attached to a deal also carries the deal's person and organization, so their pages
find it by an index (to those who may see the deal: see activities.selectors).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from contacts.models import Organization, Person
from crm.models import Trashable
from deals.models import Deal


class Attached(Trashable):
    deal = models.ForeignKey(
        Deal,
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta(Trashable.Meta):
        abstract = True


class Note(Attached):
    content = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.content[:60]


class ActivityType(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    TASK = "task", _("Task")
    DEADLINE = "deadline", _("Deadline")
    EMAIL = "email", _("Email")
    LUNCH = "lunch", _("Lunch")


class Activity(Attached):
    type = models.CharField(
        _("type"), max_length=20, choices=ActivityType.choices, default=ActivityType.CALL
    )
    subject = models.CharField(_("subject"), max_length=255)
    due_date = models.DateField(_("due date"))
    due_time = models.TimeField(_("due time"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # Who marked it done: often not its assignee (a teammate closing a call they made).
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["done", "due_date", "due_time", "id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["assignee", "done", "due_date"]),
            models.Index(fields=["deal", "done", "due_date"]),
        ]

    def __str__(self) -> str:
        return self.subject


class Email(Attached):
    """A logged e-mail (the CRM records it; it does not send it)."""

    sender = models.CharField(_("from"), max_length=254)
    recipients = models.TextField(_("to"))
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"), blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return self.subject or self.sender
