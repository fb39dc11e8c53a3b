"""What a merge kept of the record it folded away, to tell the user right after the merge."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from contacts.models import MergeKind, MergeRecord, Organization, Person
from contacts.selectors.records import organization_list, person_list
from crm.models import User

# The multi-valued fields: `MergeRecord.kept_values` lists the values added from the other.
_ADDED = {"emails": lambda: _("email"), "phones": lambda: _("phone")}
# jsonb keeps no key order: the message lists the fields in the order of the forms.
_ORDER = ("name", "organization", "job_title", "website", "address", "owner", "visible_to")


@dataclass(frozen=True)
class MergeKept:
    merged_name: str
    survivor_name: str
    values: list[tuple[str, str]]  # (what, value) the survivor has from the merged record

    def message(self) -> str:
        names = {"merged": self.merged_name, "survivor": self.survivor_name}
        if not self.values:
            return (
                _("“%(merged)s” was merged into “%(survivor)s”, which already had all its details.")
                % names
            )
        kept = "; ".join(
            _("%(what)s “%(value)s”") % {"what": what, "value": value}
            for what, value in self.values
        )
        return _("“%(merged)s” was merged into “%(survivor)s”. Kept from it: %(kept)s.") % {
            **names,
            "kept": kept,
        }


def _display(record: Person | Organization, field: str) -> str:
    if field == "visible_to":
        return str(record.get_visible_to_display())
    value = getattr(record, field)
    return "" if value is None else str(value)


def merge_kept(*, user: User, kind: str, merged_id: int) -> MergeKept | None:
    """What the merge of record `merged_id` (of `kind`) kept of it, as the survivor holds it
    now; None if there was no such merge or the user may not see the survivor."""
    merge = MergeRecord.objects.filter(kind=kind, merged_id=merged_id).first()
    if merge is None:
        return None
    records = person_list(user=user) if kind == MergeKind.PERSON else organization_list(user=user)
    survivor = records.filter(pk=merge.survivor_id).first()
    if survivor is None:
        return None
    values: list[tuple[str, str]] = []
    kept_values = merge.kept_values or {}
    for field in (*_ORDER, *_ADDED):
        kept = kept_values.get(field)
        if field in _ADDED:
            values += [(_ADDED[field](), value) for value in kept or ()]
        elif kept == "other" and (shown := _display(survivor, field)):
            values.append((str(survivor._meta.get_field(field).verbose_name), shown))
    return MergeKept(merge.merged_name, survivor.name, values)
