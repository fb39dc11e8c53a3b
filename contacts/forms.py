"""Forms of the people and organization pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.models import FieldEntity, User, Visibility
from crm.visibility import can_assign_to
from crm.web.custom_fields import add_custom_fields
from crm.web.fields import WebsiteField
from crm.web.paging import page_number


def assignable_owner_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())


def _limit_owners(form: forms.Form, user: User) -> None:
    # Whom the user may give a record to: a team is a handful of people.
    ids = [u.pk for u in User.objects.filter(is_active=True) if can_assign_to(user, u)]
    form.fields["owner"].queryset = User.objects.filter(pk__in=ids)


class ContactFilterForm(forms.Form):
    OWNER_CHOICES = [("all", _("Everyone I can see")), ("mine", _("Mine")), ("team", _("My team"))]
    SORTS = {"name": "name_key", "created": "created_at"}

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    owner = forms.ChoiceField(label=_("Owner"), required=False, choices=OWNER_CHOICES)
    sort = forms.CharField(required=False)
    page = forms.CharField(required=False)

    def clean_page(self) -> int:
        return page_number(self.cleaned_data["page"])

    def clean_sort(self) -> str:
        sort = self.cleaned_data["sort"] or "name"
        return sort if sort.lstrip("-") in self.SORTS else "name"

    def order_by(self) -> list[str]:
        sort = self.cleaned_data.get("sort") or "name"
        prefix = "-" if sort.startswith("-") else ""
        return [f"{prefix}{self.SORTS[sort.lstrip('-')]}", f"{prefix}id"]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    emails = forms.CharField(
        label=_("Emails"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line; the first is the primary one."),
    )
    phones = forms.CharField(
        label=_("Phones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One per line; the first is the primary one. A number that cannot be read is "
            "kept as typed, but not used to find duplicates."
        ),
    )
    organization_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    organization = forms.CharField(label=_("Organization"), required=False, max_length=255)
    organization_new = forms.BooleanField(label=_("Create new organization"), required=False)
    job_title = forms.CharField(label=_("Job title"), required=False, max_length=255)
    owner = assignable_owner_field()
    visible_to = forms.ChoiceField(label=_("Visible to"), choices=Visibility.choices)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_owners(self, user)
        add_custom_fields(self, FieldEntity.PERSON, user=user, values=self.initial.get("custom"))
        # The organization is picked while typing (templates/contacts/_contact_picker.html).
        self.fields["organization"].widget.attrs.update(
            {
                "autocomplete": "off",
                "data-suggest-input": "",
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": "organization-suggestions",
            }
        )
        self.fields["organization_id"].widget.attrs["data-suggest-id"] = ""
        self.fields["organization_new"].widget.attrs["data-suggest-new"] = ""

    def clean_emails(self) -> list[str]:
        return _lines(self.cleaned_data["emails"])

    def clean_phones(self) -> list[str]:
        return _lines(self.cleaned_data["phones"])

    @staticmethod
    def initial_from(person) -> dict:
        return {
            "name": person.name,
            "emails": "\n".join(e.email for e in person.emails.all()),
            "phones": "\n".join(p.number for p in person.phones.all()),
            "organization_id": person.organization_id,
            "organization": person.organization.name if person.organization else "",
            "job_title": person.job_title,
            "custom": person.custom_fields,
            "owner": person.owner_id,
            "visible_to": person.visible_to,
        }


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    website = WebsiteField(label=_("Website"))
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = assignable_owner_field()
    visible_to = forms.ChoiceField(label=_("Visible to"), choices=Visibility.choices)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_owners(self, user)
        add_custom_fields(
            self, FieldEntity.ORGANIZATION, user=user, values=self.initial.get("custom")
        )

    @staticmethod
    def initial_from(org) -> dict:
        return {
            "custom": org.custom_fields,
            "name": org.name,
            "website": org.website,
            "address": org.address,
            "owner": org.owner_id,
            "visible_to": org.visible_to,
        }
