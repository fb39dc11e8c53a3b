"""Forms of the deal pages: they parse input; the deal services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.models import FieldEntity, User, Visibility
from crm.visibility import assignable_users
from crm.web.custom_fields import add_custom_fields
from crm.web.fields import MoneyField
from crm.web.paging import page_number
from deals.models import DealStatus, LostReason, Pipeline, Stage


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


class DealForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=255)
    value = MoneyField(label=_("Value"))
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    expected_close_date = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    visible_to = forms.ChoiceField(label=_("Visible to"), choices=Visibility.choices)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = assignable_users(user)
        add_custom_fields(self, FieldEntity.DEAL, user=user, values=self.initial.get("custom"))

    @staticmethod
    def initial_from(deal) -> dict:
        return {
            "custom": deal.custom_fields,
            "version": deal.version,
            "title": deal.title,
            "value": deal.value,
            "currency": deal.currency,
            "expected_close_date": deal.expected_close_date,
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
