"""Forms of the Settings pages: parse and validate input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.errors import DomainError
from crm.models import Role, Team, User, Visibility
from crm.web.fields import UserChoiceField
from deals.models import Stage


def form_error(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj} ({obj.username})"


class UserForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    managed_teams = forms.ModelMultipleChoiceField(
        label=_("Manages teams"),
        queryset=Team.objects.all(),
        required=False,
        help_text=_("Managers only: they see and manage their teams' records."),
    )


class UserInviteForm(UserForm):
    username = forms.RegexField(
        label=_("Username"),
        regex=r"^[\w.@+-]+\Z",
        max_length=150,
        error_messages={"invalid": _("Letters, digits and @ . + - _ only.")},
    )
    field_order = ["username", "first_name", "last_name", "email", "role", "team"]


class HandOverForm(forms.Form):
    to = UserChoiceField(label=_("Hand their records to"), queryset=User.objects.none())

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = User.objects.filter(is_active=True).exclude(pk=user.pk)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    members = UserMultipleChoiceField(
        label=_("Members"), queryset=User.objects.filter(is_active=True), required=False
    )
    managers = UserMultipleChoiceField(
        label=_("Managers"),
        queryset=User.objects.filter(role=Role.MANAGER, is_active=True),
        required=False,
        help_text=_("Users with the manager role."),
    )


class PipelineCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    stages = forms.CharField(
        label=_("Stages"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, in order. You can add and change them later."),
    )

    def clean_stages(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["stages"].splitlines() if line.strip()]


class PipelineRenameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)


class StageForm(forms.Form):
    name = forms.CharField(label=_("Stage name"), max_length=100)
    probability = forms.IntegerField(
        label=_("Win probability (%)"), min_value=0, max_value=100, initial=0
    )
    rotting_days = forms.IntegerField(
        label=_("Rotting after (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Empty: never."),
    )


class StageDeleteForm(forms.Form):
    move_to = forms.ModelChoiceField(
        label=_("Move its deals to"), queryset=Stage.objects.none(), required=False
    )

    def __init__(self, *args, stage: Stage, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["move_to"].queryset = Stage.objects.filter(
            pipeline_id=stage.pipeline_id
        ).exclude(pk=stage.pk)
        # Always a stage chosen (the dialog shows only where another stage exists): a stage
        # with deals needs one, and for an empty one it does no harm.
        self.fields["move_to"].empty_label = None
        self.fields["move_to"].label_from_instance = lambda s: s.name
        self.fields["move_to"].widget.attrs["id"] = f"id_move_to_{stage.pk}"


class ReorderForm(forms.Form):
    """The stages' ids in their new order, and in the order the page showed them."""

    order = forms.CharField()
    seen = forms.CharField()

    def _ids(self, name: str) -> list[int]:
        try:
            return [int(pk) for pk in self.cleaned_data[name].split(",") if pk.strip()]
        except ValueError:
            raise forms.ValidationError(_("Reload the page and try again.")) from None

    def clean_order(self) -> list[int]:
        return self._ids("order")

    def clean_seen(self) -> list[int]:
        return self._ids("seen")


class LabelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    color = forms.CharField(
        label=_("Colour"),
        max_length=7,
        initial="#2563eb",
        widget=forms.TextInput(attrs={"type": "color"}),
    )


class LostReasonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)


class CompanyForm(forms.Form):
    default_currency = forms.CharField(
        label=_("Default currency"),
        min_length=3,
        max_length=3,
        help_text=_("Of new leads and deals, imports and reports; e.g. EUR."),
    )
    default_visibility = forms.ChoiceField(
        label=_("Default visibility"),
        choices=Visibility.choices,
        help_text=_("Who sees a new record unless its owner chooses otherwise."),
    )
