"""The composer of a record page: add a note, schedule an activity, log an e-mail.

The same three forms on a deal, a person and an organization (a lead has its own, since its
items go through the lead's services). The record pages render it with `{% composer record %}`
(activities/templatetags/composer.py), so that no app below this one imports its forms; the
views that take the forms in are this app's (`activities/views.py`).
"""

from __future__ import annotations

from django.db.models import Model
from django.urls import reverse

from activities.forms import ActivityForm, EmailLogForm, NoteForm
from crm.models import User

# The three forms share field names (subject): prefixes keep their ids apart.
PREFIXES = {"note_form": "note", "activity_form": "activity", "email_form": "email"}
FORM_CLASSES = {"note_form": NoteForm, "activity_form": ActivityForm, "email_form": EmailLogForm}
KINDS = ("deal", "person", "organization")


def record_kind(record: Model) -> str:
    return record._meta.model_name


def _person_of(record: Model):
    kind = record_kind(record)
    if kind == "person":
        return record
    return getattr(record, "person", None) if kind == "deal" else None


def composer_form(name: str, *, user: User, record: Model, data=None):
    """One of the composer's forms, bound to `data` or filled in for `record`."""
    kwargs: dict = {"prefix": PREFIXES[name]}
    if name == "activity_form":
        kwargs["user"] = user
    if name == "email_form" and data is None:
        # Logging an e-mail to the person of the page: "To" is their address.
        person = _person_of(record)
        kwargs["initial"] = {
            "sender": user.email,
            "recipients": (person.primary_email or "") if person is not None else "",
        }
    return FORM_CLASSES[name](data, **kwargs)


def composer_urls(record: Model) -> dict[str, str]:
    args = [record_kind(record), record.pk]
    return {
        "note_form": reverse("activities:note_add", args=args),
        "activity_form": reverse("activities:activity_add", args=args),
        "email_form": reverse("activities:email_log", args=args),
    }
