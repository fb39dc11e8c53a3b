"""Forms of the import pages: upload, choices, and the mapping of each column."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.models import User, Visibility
from deals.models import Pipeline
from imports.cleaning import DATE_FORMATS
from imports.mapping import IGNORE, fields_of
from imports.models import DuplicateChoice, ImportKind, OnError, SavedMapping


class OptionsForm(forms.Form):
    date_format = forms.ChoiceField(
        label=_("Dates in the file"),
        choices=[(k, v) for k, v in DATE_FORMATS.items()],
        initial="iso",
    )
    decimal_separator = forms.ChoiceField(
        label=_("Decimal separator"),
        choices=[(".", _("Point: 1,234.50")), (",", _("Comma: 1.234,50"))],
        initial=".",
    )
    duplicates = forms.ChoiceField(
        label=_("Rows matching an existing record"),
        choices=DuplicateChoice.choices,
        initial=DuplicateChoice.MERGE,
    )
    on_error = forms.ChoiceField(
        label=_("Rows with errors"), choices=OnError.choices, initial=OnError.ALL_OR_NOTHING
    )
    owner = forms.ModelChoiceField(
        label=_("Owner where the file names none"),
        required=False,
        queryset=User.objects.filter(is_active=True),
        empty_label=_("Me"),
    )
    visible_to = forms.ChoiceField(
        label=_("Visible to, where the file says nothing"),
        required=False,
        choices=[("", _("Company default")), *Visibility.choices],
    )
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline (deals)"),
        required=False,
        queryset=Pipeline.objects.filter(is_active=True),
        empty_label=_("The first pipeline"),
    )
    placeholder_organization = forms.CharField(
        label=_("Organization for rows without person or organization"),
        required=False,
        max_length=255,
        help_text=_("Empty: such rows fail and are reported."),
    )

    def options(self) -> dict:
        data = dict(self.cleaned_data)
        data["owner"] = data["owner"].pk if data.get("owner") else None
        data["pipeline"] = data["pipeline"].pk if data.get("pipeline") else None
        return data


class UploadForm(OptionsForm):
    file = forms.FileField(label=_("File (CSV, XLS or XLSX)"))
    kind = forms.ChoiceField(label=_("The rows are"), choices=ImportKind.choices)
    saved_mapping = forms.ModelChoiceField(
        label=_("Saved mapping"),
        required=False,
        queryset=SavedMapping.objects.all(),
        empty_label=_("Automatic from the headings"),
    )

    field_order = ["file", "kind", "saved_mapping"]


class MappingForm(forms.Form):
    """One choice per column: the field it fills, or ignore it."""

    save_as = forms.CharField(label=_("Save this mapping as"), required=False, max_length=100)

    def __init__(self, *args, kind: str, headers: list[str], mapping: dict, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(IGNORE, _("— ignore this column —"))] + [
            (f.key, f.label) for f in fields_of(kind)
        ]
        self.columns = []
        for i, header in enumerate(headers):
            if not header:
                continue
            name = f"column_{i}"
            self.fields[name] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=mapping.get(header, "")
            )
            self.columns.append((header, name))

    def mapping(self) -> dict:
        return {header: self.cleaned_data.get(name) or IGNORE for header, name in self.columns}

    def column_fields(self):
        return [self[name] for _header, name in self.columns]
