"""Forms of the deal pages: they parse input; the deal services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.services import ContactRef
from crm.models import CompanySettings, FieldEntity, Label, User, Visibility
from crm.selectors import default_currency
from crm.visibility import assignable_users
from crm.web.custom_fields import add_custom_fields, custom_values
from crm.web.fields import MoneyField, UserChoiceField, WebsiteField
from crm.web.paging import page_number
from deals.models import Deal, DealStatus, LostReason, Pipeline, Stage
from deals.selectors import pipeline_list, stage_list


class DealFilterForm(forms.Form):
    """The deals list's filters, sorting and page; every field is optional."""

    OWNER_CHOICES = [("all", _("Everyone I can see")), ("mine", _("Mine")), ("team", _("My team"))]
    SORTS = {
        "created": "created_at",
        "title": "title",
        "value": "value",
        "stage": "stage__order",
        "owner": "owner__first_name",
        "next_activity": "next_activity_at",
        "close": "expected_close_date",
    }

    q = forms.CharField(label=_("Title"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("Open")), ("won", _("Won")), ("lost", _("Lost")), ("any", _("Any"))],
    )
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"),
        required=False,
        queryset=Pipeline.objects.all(),
        empty_label=_("All pipelines"),
    )
    stage = forms.ModelChoiceField(
        label=_("Stage"),
        required=False,
        queryset=Stage.objects.select_related("pipeline"),
        empty_label=_("All stages"),
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False, choices=OWNER_CHOICES)
    sort = forms.CharField(required=False)
    page = forms.CharField(required=False)

    def clean_page(self) -> int:
        return page_number(self.cleaned_data["page"])

    def clean_status(self) -> str:
        return self.cleaned_data["status"] or DealStatus.OPEN

    def clean_sort(self) -> str:
        sort = self.cleaned_data["sort"] or "-created"
        return sort if sort.lstrip("-") in self.SORTS else "-created"

    def order_by(self) -> list[str]:
        sort = self.cleaned_data.get("sort") or "-created"
        field = self.SORTS[sort.lstrip("-")]
        prefix = "-" if sort.startswith("-") else ""
        return [f"{prefix}{field}", f"{prefix}id"]


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Stage) -> str:
        return obj.name


class StageSelect(forms.Select):
    """Each option carries its pipeline, so the Stage list follows the chosen Pipeline."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-parent"] = str(instance.pipeline_id)
        return option


def _picker(field: forms.Field, kind: str) -> None:
    """The attributes the contact picker's script reads (templates/contacts/_contact_picker)."""
    field.widget.attrs.update(
        {
            "autocomplete": "off",
            "data-suggest-input": "",
            "role": "combobox",
            "aria-autocomplete": "list",
            "aria-expanded": "false",
            "aria-controls": f"{kind}-suggestions",
        }
    )


class DealForm(forms.Form):
    """Add (no `version`) or edit a deal; person and organization are picked or created inline,
    as in the lead form: a typed name alone never creates a record."""

    version = forms.IntegerField(widget=forms.HiddenInput)
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
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"), queryset=Pipeline.objects.none(), empty_label=None
    )
    stage = StageChoiceField(
        label=_("Stage"),
        queryset=Stage.objects.none(),
        empty_label=None,
        widget=StageSelect(attrs={"data-follows": "id_pipeline"}),
        help_text=_("Another pipeline needs one of its own stages."),
    )
    expected_close_date = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    labels = forms.ModelMultipleChoiceField(
        label=_("Labels"), queryset=Label.objects.all(), required=False
    )
    owner = UserChoiceField(label=_("Owner"), queryset=User.objects.none())
    visible_to = forms.ChoiceField(label=_("Visible to"), choices=Visibility.choices)

    def __init__(self, *args, user: User, deal: Deal | None = None, **kwargs):
        kwargs.setdefault("initial", {})
        if deal is None:
            kwargs["initial"].setdefault("currency", default_currency())
            kwargs["initial"].setdefault("owner", user.pk)
            kwargs["initial"].setdefault("visible_to", CompanySettings.load().default_visibility)
        super().__init__(*args, **kwargs)
        self.deal = deal
        if deal is None:
            del self.fields["version"]
        self.fields["owner"].queryset = assignable_users(user)
        add_custom_fields(self, FieldEntity.DEAL, user=user, values=self.initial.get("custom"))
        self.fields["pipeline"].queryset = pipeline_list()
        self.fields["stage"].queryset = stage_list().filter(pipeline__is_active=True)
        if deal is not None and deal.status != DealStatus.OPEN:
            # A closed deal keeps the stage it was won or lost in (the reports count it there).
            for name in ("pipeline", "stage"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Reopen the deal to move it.")
        _picker(self.fields["person_name"], "person")
        _picker(self.fields["organization_name"], "organization")
        for name in ("person", "organization"):
            self.fields[name].widget.attrs["data-suggest-id"] = ""
            self.fields[f"{name}_new"].widget.attrs["data-suggest-new"] = ""

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].upper()

    def clean(self):
        data = super().clean()
        has_person = data.get("person") or data.get("person_name")
        has_org = data.get("organization") or data.get("organization_name")
        if not has_person and not has_org:
            raise forms.ValidationError(_("Link the deal to a person, an organization or both."))
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
        pipeline, stage = data.get("pipeline"), data.get("stage")
        if pipeline and stage and stage.pipeline_id != pipeline.pk:
            self.add_error("stage", _("Choose a stage of this pipeline."))
        return data

    def person_ref(self) -> ContactRef:
        data = self.cleaned_data
        return ContactRef(
            id=data.get("person"),
            name=data.get("person_name") or "",
            create=bool(data.get("person_new")),
            emails=[data["person_email"]] if data.get("person_email") else [],
            phones=[data["person_phone"]] if data.get("person_phone") else [],
        )

    def organization_ref(self) -> ContactRef:
        data = self.cleaned_data
        return ContactRef(
            id=data.get("organization"),
            name=data.get("organization_name") or "",
            create=bool(data.get("organization_new")),
            website=data.get("organization_website") or "",
        )

    def deal_fields(self) -> dict:
        """The service's keyword arguments (less the contacts, see person_ref)."""
        data = self.cleaned_data
        fields = {
            "title": data["title"],
            "value": data.get("value") or 0,
            "currency": data["currency"],
            "expected_close_date": data.get("expected_close_date"),
            "labels": list(data["labels"]),
            "owner": data["owner"],
            "visible_to": data["visible_to"],
            "custom_fields": custom_values(self),
        }
        if not self.fields["pipeline"].disabled:
            fields.update(pipeline=data["pipeline"], stage=data["stage"])
        if "version" in self.fields:
            fields["version"] = data["version"]
        return fields

    @staticmethod
    def initial_from(deal: Deal) -> dict:
        return {
            "custom": deal.custom_fields,
            "version": deal.version,
            "title": deal.title,
            "person": deal.person_id,
            "person_name": deal.person.name if deal.person else "",
            "organization": deal.organization_id,
            "organization_name": deal.organization.name if deal.organization else "",
            "value": deal.value,
            "currency": deal.currency,
            "pipeline": deal.pipeline_id,
            "stage": deal.stage_id,
            "expected_close_date": deal.expected_close_date,
            "labels": list(deal.labels.all()),
            "owner": deal.owner_id,
            "visible_to": deal.visible_to,
        }


class LostForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    lost_reason = forms.ModelChoiceField(
        label=_("Reason"),
        required=False,
        queryset=LostReason.objects.filter(is_active=True),
        empty_label=_("Choose a reason…"),
    )
    lost_reason_text = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"placeholder": _("Or say why in your own words")}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("lost_reason") and not (data.get("lost_reason_text") or "").strip():
            raise forms.ValidationError(_("Say why the deal was lost."), code="reason_required")
        return data
