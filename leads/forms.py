"""Forms of the leads pages: parse and validate input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.models import CompanySettings, FieldEntity, Label, User, Visibility
from crm.selectors import default_currency
from crm.visibility import assignable_users
from crm.web.custom_fields import add_custom_fields
from crm.web.fields import MoneyField, UserChoiceField, WebsiteField
from deals.forms import StageChoiceField, StageSelect
from deals.models import Pipeline, Stage
from deals.selectors import pipeline_list, stage_list
from leads.models import LeadSource


class LeadForm(forms.Form):
    """Add or edit a lead; person and organization are picked or created inline."""

    title = forms.CharField(label=_("Title"), max_length=255)
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    person_name = forms.CharField(label=_("Person"), max_length=255, required=False)
    person_email = forms.EmailField(label=_("Email"), required=False)
    person_phone = forms.CharField(label=_("Phone"), max_length=64, required=False)
    person_new = forms.BooleanField(label=_("Create new person"), required=False)
    organization = forms.IntegerField(required=False, widget=forms.HiddenInput)
    organization_name = forms.CharField(label=_("Organization"), max_length=255, required=False)
    organization_new = forms.BooleanField(label=_("Create new organization"), required=False)
    organization_website = WebsiteField(label=_("Website"))
    value = MoneyField(label=_("Value"), required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    labels = forms.ModelMultipleChoiceField(
        label=_("Labels"), queryset=Label.objects.all(), required=False
    )
    source = forms.ChoiceField(label=_("Source"), choices=LeadSource.choices)
    expected_close_date = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    owner = UserChoiceField(label=_("Owner"), queryset=User.objects.none())
    visible_to = forms.ChoiceField(label=_("Visible to"), choices=Visibility.choices)

    def __init__(self, *args, user: User, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("currency", default_currency())
        kwargs["initial"].setdefault("owner", user.pk)
        kwargs["initial"].setdefault("visible_to", CompanySettings.load().default_visibility)
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = assignable_users(user)
        add_custom_fields(self, FieldEntity.LEAD, user=user, values=self.initial.get("custom"))
        for name in ("person_name", "organization_name"):
            self.fields[name].widget.attrs.update(
                {
                    "autocomplete": "off",
                    "data-suggest-input": "",
                    "role": "combobox",
                    "aria-autocomplete": "list",
                    "aria-expanded": "false",
                }
            )
        self.fields["person_name"].widget.attrs["aria-controls"] = "person-suggestions"
        self.fields["organization_name"].widget.attrs["aria-controls"] = "organization-suggestions"
        self.fields["person"].widget.attrs["data-suggest-id"] = ""
        self.fields["organization"].widget.attrs["data-suggest-id"] = ""
        self.fields["person_new"].widget.attrs["data-suggest-new"] = ""
        self.fields["organization_new"].widget.attrs["data-suggest-new"] = ""

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].upper()

    def clean(self):
        data = super().clean()
        has_person = data.get("person") or data.get("person_name")
        has_org = data.get("organization") or data.get("organization_name")
        if not has_person and not has_org:
            raise forms.ValidationError(_("Link the lead to a person, an organization or both."))
        # A typed name alone never creates a record: that is how duplicates are born.
        if data.get("person_name") and not data.get("person") and not data.get("person_new"):
            self.add_error(
                "person_name",
                _("Pick a person from the suggestions, or choose “Create new person”."),
            )
        if (
            data.get("organization_name")
            and not data.get("organization")
            and not data.get("organization_new")
        ):
            self.add_error(
                "organization_name",
                _(
                    "Pick an organization from the suggestions, "
                    "or choose “Create new organization”."
                ),
            )
        return data


CONTACT_CHOICE_KEEP = "keep"
MAX_BULK = 500


class ConvertForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"), queryset=Pipeline.objects.none(), empty_label=None
    )
    stage = StageChoiceField(
        label=_("Stage"),
        queryset=Stage.objects.none(),
        empty_label=None,
        widget=StageSelect(attrs={"data-follows": "id_pipeline"}),
    )
    value = MoneyField(label=_("Value"), required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    owner = UserChoiceField(label=_("Owner"), queryset=User.objects.none(), empty_label=None)
    visible_to = forms.ChoiceField(label=_("Visible to"), choices=Visibility.choices)
    # "keep" or the id of an existing record; only asked when the duplicate check found some.
    person_choice = forms.CharField(required=False)
    organization_choice = forms.CharField(required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pipeline"].queryset = pipeline_list()
        self.fields["stage"].queryset = stage_list().filter(pipeline__is_active=True)
        self.fields["owner"].queryset = assignable_users(user)

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].upper()

    def clean(self):
        data = super().clean()
        pipeline, stage = data.get("pipeline"), data.get("stage")
        if pipeline and stage and stage.pipeline_id != pipeline.pk:
            self.add_error("stage", _("Choose a stage of this pipeline."))
        for name in ("person_choice", "organization_choice"):
            value = data.get(name) or ""
            if value and value != CONTACT_CHOICE_KEEP and not value.isdigit():
                self.add_error(None, _("Choose an existing record or keep the new one."))
        return data


class BulkForm(forms.Form):
    ACTIONS = [("archive", _("Archive")), ("owner", _("Change owner")), ("label", _("Add label"))]

    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    ids = forms.Field(
        widget=forms.MultipleHiddenInput,
        error_messages={"required": _("Select at least one lead.")},
    )
    owner = UserChoiceField(label=_("New owner"), queryset=User.objects.none(), required=False)
    label = forms.ModelChoiceField(label=_("Label"), queryset=Label.objects.all(), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = assignable_users(user)

    def clean_ids(self) -> list[int]:
        raw = self.cleaned_data["ids"] or []
        try:
            ids = sorted({int(value) for value in raw})
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Select leads from the list.")) from None
        if not ids:
            raise forms.ValidationError(_("Select at least one lead."))
        if len(ids) > MAX_BULK:
            raise forms.ValidationError(
                _("Select at most %(max)d leads."), params={"max": MAX_BULK}
            )
        return ids

    def clean(self):
        data = super().clean()
        if data.get("action") == "owner" and not data.get("owner"):
            self.add_error("owner", _("Choose the new owner."))
        if data.get("action") == "label" and not data.get("label"):
            self.add_error("label", _("Choose a label."))
        return data
