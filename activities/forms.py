"""Forms of notes, activities and logged e-mails: the composer of every record page.

They parse input; the services of this app (or of the lead, for a lead's items) decide.
"""

from __future__ import annotations

import re
from email.utils import parseaddr

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from activities.models import ActivityType
from crm.models import User
from crm.visibility import assignable_users
from crm.web.fields import UserChoiceField


class NoteForm(forms.Form):
    content = forms.CharField(
        label=_("Note"),
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bold, italics, lists and links are kept: <b>, <i>, <ul>, <a href>."),
    )


class ActivityForm(forms.Form):
    """Schedule an activity on a deal or a lead; the assignee is someone the user may assign to."""

    type = forms.ChoiceField(label=_("Type"), choices=ActivityType.choices)
    subject = forms.CharField(label=_("Subject"), max_length=255)
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    due_time = forms.TimeField(
        label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=0, max_value=60 * 24 * 31
    )
    assignee = UserChoiceField(
        label=_("Assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Me"),
    )
    note = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users(user)


def email_addresses(text: str) -> list[str]:
    """The addresses of a From or To field: one or more, separated by commas or semicolons."""
    return [part.strip() for part in re.split(r"[,;]", text or "") if part.strip()]


def _validate_addresses(text: str) -> str:
    addresses = email_addresses(text)
    if not addresses:
        raise forms.ValidationError(_("Enter at least one email address."), code="required")
    invalid = []
    for address in addresses:
        try:
            # "Anna Weber <anna@example.com>" is an address too.
            validate_email(parseaddr(address)[1] or address)
        except ValidationError:
            invalid.append(address)
    if invalid:
        raise forms.ValidationError(
            _(
                "Not a valid email address: %(addresses)s. "
                "Separate several with commas or semicolons."
            ),
            code="invalid",
            params={"addresses": ", ".join(invalid)},
        )
    return ", ".join(addresses)


class EmailLogForm(forms.Form):
    sender = forms.CharField(label=_("From"), max_length=254)
    recipients = forms.CharField(
        label=_("To"),
        max_length=2000,
        help_text=_("One or more addresses, separated by commas or semicolons."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=255, required=False)
    body = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_sender(self) -> str:
        return _validate_addresses(self.cleaned_data["sender"])

    def clean_recipients(self) -> str:
        return _validate_addresses(self.cleaned_data["recipients"])
