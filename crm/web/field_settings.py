"""Settings › Fields: admins add, change, archive and delete custom fields (others get 404)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from crm.custom_fields import services
from crm.custom_fields.query import carriers
from crm.custom_fields.registry import entity_model
from crm.errors import DomainError
from crm.models import CustomField, FieldEntity, FieldType, User


def _admin(user: User) -> None:
    if not user.is_crm_admin:
        raise Http404


class FieldCreateForm(forms.Form):
    entity = forms.ChoiceField(label=gettext_lazy("Record"), choices=FieldEntity.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=FieldType.choices)
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    options = forms.CharField(
        label=gettext_lazy("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("For option types: one per line, in order."),
    )


class FieldEditForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    archived = forms.BooleanField(
        label=gettext_lazy("Archived"),
        required=False,
        help_text=gettext_lazy("Hidden everywhere; the values are kept."),
    )
    new_options = forms.CharField(
        label=gettext_lazy("Add options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line."),
    )

    def __init__(self, *args, field: CustomField, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = list(field.options.all())
        if not field.has_options:
            del self.fields["new_options"]
        for index, option in enumerate(self.options):
            self.fields[f"option_{option.pk}"] = forms.CharField(
                label=_("Option %(n)d") % {"n": index + 1},
                required=False,
                max_length=100,
                initial=option.label,
                help_text=_("Empty: remove it (only if no record uses it)."),
            )
            self.fields[f"position_{option.pk}"] = forms.IntegerField(
                label=_("Position of option %(n)d") % {"n": index + 1},
                initial=index + 1,
                min_value=1,
            )

    def option_rows(self):
        return [(self[f"option_{o.pk}"], self[f"position_{o.pk}"]) for o in self.options]

    def plain_fields(self):
        return [self[name] for name in ("name", "required", "archived") if name in self.fields]

    def options_list(self) -> list[dict]:
        """The options in their new order: renamed ones with their id, new ones without."""
        data = self.cleaned_data
        kept = [
            (data[f"position_{o.pk}"], i, {"id": o.pk, "label": data[f"option_{o.pk}"].strip()})
            for i, o in enumerate(self.options)
            if data.get(f"option_{o.pk}", "").strip()
        ]
        ordered = [item for _pos, _i, item in sorted(kept, key=lambda t: (t[0], t[1]))]
        added = [{"label": line.strip()} for line in data.get("new_options", "").splitlines()]
        return ordered + [item for item in added if item["label"]]


def _error(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@require_http_methods(["GET", "POST"])
def field_list(request: HttpRequest) -> HttpResponse:
    _admin(request.user)
    form = FieldCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            field = services.custom_field_create(
                actor=request.user,
                entity=data["entity"],
                name=data["name"],
                type=data["type"],
                required=data["required"],
                options=[line for line in data["options"].splitlines() if line.strip()],
            )
        except DomainError as error:
            _error(form, error)
        else:
            messages.success(request, _("Field “%(name)s” added.") % {"name": field.name})
            return redirect("field_list")
    fields = CustomField.objects.prefetch_related("options").order_by("entity", "position", "id")
    groups = [
        (label, [f for f in fields if f.entity == entity]) for entity, label in FieldEntity.choices
    ]
    return render(
        request,
        "crm/fields/list.html",
        {"nav": "settings", "form": form, "groups": groups},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def field_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request.user)
    field = get_object_or_404(CustomField, pk=pk)
    initial = {"name": field.name, "required": field.required, "archived": field.archived}
    form = FieldEditForm(request.POST or None, field=field, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {"name": data["name"], "required": data["required"], "archived": data["archived"]}
        if field.has_options:
            changes["options"] = form.options_list()
        try:
            services.custom_field_update(actor=request.user, field=field, **changes)
        except DomainError as error:
            _error(form, error)
        else:
            messages.success(request, _("Field saved."))
            return redirect("field_list")
    return render(
        request,
        "crm/fields/edit.html",
        {"nav": "settings", "form": form, "field": field},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def field_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request.user)
    field = get_object_or_404(CustomField, pk=pk)
    if request.method == "POST":
        services.custom_field_delete(actor=request.user, field=field)
        messages.success(request, _("Field “%(name)s” deleted.") % {"name": field.name})
        return redirect("field_list")
    holders = sum(
        entity_model(entity)._default_manager.filter(custom_fields__has_key=field.key).count()
        for entity in carriers(field)
    )
    return render(
        request, "crm/fields/delete.html", {"nav": "settings", "field": field, "holders": holders}
    )
