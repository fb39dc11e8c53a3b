"""The preview's plan, kept for the apply: planning a 100,000-row file again (parsing it,
normalizing every name, e-mail and phone number, matching every row) is half an apply's time.

A kept plan is used only when it is certain to be the plan the apply would make:

- it was made for the same file, mapping, choices, importer and settings (`plan_key`), by
  this version of the planner (`FORMAT`);
- the database still gives the same answers to what the plan looked up: the apply looks up
  the same keys again (the cheap half of planning: a few bulk queries) and compares the
  results with the preview's (`Planner.reuse`). A person added, changed, merged or hidden
  since then, a renamed stage, another owner's permissions: any difference and the file is
  planned afresh.

The plan is stored as plain tuples (rows refer to the persons and organizations they create
by their place in two lists: rows share them), pickled, and signed with the project's secret
key, so only what this code stored is ever unpickled. Plain tuples, not the dataclasses: they
load several times faster.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle  # noqa: S403 - only signed data this module wrote is unpickled
import zlib
from dataclasses import dataclass, replace

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from crm.selectors import default_currency
from imports.models import Import, SavedPlan
from imports.planning.planner import Planner
from imports.planning.rows import NewOrganization, NewPerson, RowPlan, Wanted

logger = logging.getLogger(__name__)

# Bump when RowPlan, NewPerson, NewOrganization, Wanted or the planning rules change: plans
# kept by an older version are then planned again.
FORMAT = 1
_SALT = "imports.plans.SavedPlan"


@dataclass
class KeptPlan:
    plans: list[RowPlan]
    wanted: Wanted
    snapshot: dict


# The fields stored, in this order. Not stored: what the apply sets (pks, instances).
_ORGANIZATION = ("name", "website", "address", "owner_id", "visible_to", "row")
_PERSON = (
    "name",
    "emails",
    "phones",
    "organization",
    "job_title",
    "owner_id",
    "visible_to",
    "row",
    "index",
)
_ROW = (
    "number",
    "action",
    "errors",
    "messages",
    "values",
    "new",
    "existing_id",
    "duplicate",
    "person",
    "organization",
)
# Where a plan refers to a record it creates: ("o", i) or ("p", i); ids and None as they are.
_REFERENCES = frozenset({"new", "person", "organization"})


def _encode(plans: list[RowPlan]) -> tuple[list, list, list]:
    organizations: list[tuple] = []
    persons: list[tuple | None] = []
    places: dict[int, tuple[str, int]] = {}  # id() of a New* -> its reference

    def ref(obj):
        if not isinstance(obj, NewOrganization | NewPerson):
            return obj
        if (found := places.get(id(obj))) is not None:
            return found
        if isinstance(obj, NewOrganization):
            found = places[id(obj)] = ("o", len(organizations))
            organizations.append(tuple(getattr(obj, f) for f in _ORGANIZATION))
        else:
            found = places[id(obj)] = ("p", len(persons))
            persons.append(None)  # its place, before its organization takes one
            persons[found[1]] = tuple(
                ref(obj.organization) if f == "organization" else getattr(obj, f) for f in _PERSON
            )
        return found

    rows = []
    for plan in plans:
        row = []
        for name in _ROW:
            value = getattr(plan, name)
            if name in _REFERENCES:
                value = ref(value)
            elif name == "values" and "organization" in value:
                value = {**value, "organization": ref(value["organization"])}
            row.append(value)
        rows.append(tuple(row))
    return organizations, persons, rows


def _decode(data: tuple[list, list, list]) -> list[RowPlan]:
    organization_rows, person_rows, rows = data
    organizations = [
        NewOrganization(**dict(zip(_ORGANIZATION, r, strict=True))) for r in organization_rows
    ]
    persons = [NewPerson(**dict(zip(_PERSON, r, strict=True))) for r in person_rows]

    def deref(value):
        if isinstance(value, tuple):
            kind, i = value
            return organizations[i] if kind == "o" else persons[i]
        return value

    for person in persons:
        person.organization = deref(person.organization)
    plans = []
    for row in rows:
        plan = RowPlan(**dict(zip(_ROW, row, strict=True)))
        plan.new, plan.person, plan.organization = (
            deref(plan.new),
            deref(plan.person),
            deref(plan.organization),
        )
        if "organization" in plan.values:
            plan.values["organization"] = deref(plan.values["organization"])
        plans.append(plan)
    return plans


def plan_key(import_run: Import) -> str:
    """What a plan depends on besides the database."""
    facts = {
        "format": FORMAT,
        "kind": import_run.kind,
        "mapping": import_run.mapping,
        "options": import_run.options,
        "importer": import_run.created_by_id,
        "file": hashlib.sha256(bytes(import_run.content)).hexdigest(),
        "country": settings.CRM_DEFAULT_COUNTRY,
        "currency": default_currency(),
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True, default=str).encode()).hexdigest()


def _signature(data: bytes) -> str:
    return salted_hmac(_SALT, data, algorithm="sha256").hexdigest()


def keep_plan(import_run: Import, planner: Planner, plans: list[RowPlan]) -> None:
    """Store the plan of a preview (in the caller's transaction, with the preview)."""
    lookups = planner.lookups
    # Rows at organizations the database did not have change nothing while it still has
    # none of them (else `organization_by_name`, in the snapshot, differs): not kept.
    wanted = replace(
        planner.wanted,
        contacted={c for c in planner.wanted.contacted if c[3] in lookups.organization_by_name},
    )
    kept = (FORMAT, _encode(plans), wanted, lookups.snapshot())
    data = zlib.compress(pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL), 1)
    SavedPlan.objects.update_or_create(
        import_run=import_run,
        defaults={"key": plan_key(import_run), "data": data, "signature": _signature(data)},
    )


def kept_plan(import_run: Import) -> KeptPlan | None:
    """The preview's plan of this import, if it was made for what the import is now."""
    saved = SavedPlan.objects.filter(import_run=import_run).first()
    if saved is None or saved.key != plan_key(import_run):
        return None
    data = bytes(saved.data)
    if not constant_time_compare(saved.signature, _signature(data)):
        logger.warning("The kept plan of import %s has a wrong signature", import_run.pk)
        return None
    try:
        version, encoded, wanted, snapshot = pickle.loads(zlib.decompress(data))  # noqa: S301 - signed, written by us
        if version != FORMAT:
            return None
        return KeptPlan(plans=_decode(encoded), wanted=wanted, snapshot=snapshot)
    except Exception:  # noqa: BLE001 - a plan that does not load is planned again
        logger.warning("The kept plan of import %s does not load", import_run.pk, exc_info=True)
        return None


def forget_plan(import_run: Import) -> None:
    SavedPlan.objects.filter(import_run=import_run).delete()
