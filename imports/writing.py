"""Writing an import's plan: contacts first, then the updates of existing ones, then the leads
or deals, then one ImportRow per row (what it did, and what a revert needs to undo it).

Records are written in batches (COPY on PostgreSQL, bulk_create elsewhere: imports/bulk.py)
inside the apply's transaction. That is what lets a 100,000-row file import in seconds, where
one service call per row would take many minutes; the rows were validated by the planner with
the owning apps' rules (imports/planning/).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time
from decimal import Decimal

from django.utils import timezone

from contacts.models import Organization, Person, PersonEmail, PersonPhone
from contacts.normalize import organization_index_fields
from crm.models import User
from deals.models import Deal, DealHistory, DealStatus, HistoryKind
from imports.bulk import BIGINT, among, bulk_insert, bulk_set, chunks, insert_rows
from imports.jobs import Progress
from imports.models import Import, ImportRow, RowAction
from imports.planning import (
    NewOrganization,
    NewPerson,
    Planner,
    RowPlan,
    organization_row_fields,
    person_row_fields,
)
from leads.models import Lead, LeadSource

RECORD_TYPES = {
    "organizations": "organization",
    "persons": "person",
    "leads": "lead",
    "deals": "deal",
}
ROW_COLUMNS = [
    "import_run_id",
    "number",
    "action",
    "messages",
    "record_type",
    "record_id",
    "previous",
    "written",
    "also_created",
]


def _at_noon(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


class Writer:
    """Writes a plan: contacts first, then updates, leads or deals, then the row outcomes."""

    def __init__(
        self,
        *,
        import_run: Import,
        planner: Planner,
        plans: list[RowPlan],
        actor: User,
        progress: Progress,
    ):
        self.import_run = import_run
        self.planner = planner
        self.plans = plans
        self.actor = actor
        self.progress = progress
        self.kind = import_run.kind
        self.now = timezone.now()
        self.outcomes: dict[int, dict] = {}

    def write(self) -> None:
        ok = [p for p in self.plans if p.action in (RowAction.CREATED, RowAction.UPDATED)]
        organizations, persons = self._used_contacts(ok)
        self._create_organizations(organizations)
        self.progress(50)
        self._create_persons(persons)
        self.progress(65)
        self._update_existing([p for p in ok if p.existing_id])
        self.progress(75)
        if self.kind == "deals":
            self._create_deals([p for p in ok if p.action == RowAction.CREATED])
        elif self.kind == "leads":
            self._create_leads([p for p in ok if p.action == RowAction.CREATED])
        self.progress(90)
        self._record_rows()

    def _used_contacts(self, plans: list[RowPlan]) -> tuple[list, list]:
        organizations: dict[int, NewOrganization] = {}
        persons: dict[int, NewPerson] = {}
        for plan in plans:
            for ref in (plan.new, plan.person, plan.organization):
                if isinstance(ref, NewPerson):
                    persons[id(ref)] = ref
                    if isinstance(ref.organization, NewOrganization):
                        organizations[id(ref.organization)] = ref.organization
                elif isinstance(ref, NewOrganization):
                    organizations[id(ref)] = ref
        return list(organizations.values()), list(persons.values())

    def _create_organizations(self, organizations: list[NewOrganization]) -> None:
        default_visibility = self.planner.lookups.default_visibility
        for new in organizations:
            new.instance = Organization(
                name=new.name,
                address=new.address,
                website=new.website,
                owner_id=new.owner_id or self.planner.lookups.default_owner_id,
                visible_to=new.visible_to or default_visibility,
                **organization_row_fields(new),
            )
        bulk_insert(Organization, [n.instance for n in organizations])
        for new in organizations:
            new.pk = new.instance.pk

    def _create_persons(self, persons: list[NewPerson]) -> None:
        index_keys = list(person_row_fields(NewPerson(name="A B")))
        now = timezone.now()
        names = [
            "name",
            "job_title",
            "owner_id",
            "visible_to",
            "organization_id",
            "created_at",
            "updated_at",
            *index_keys,
        ]
        rows = []
        for new in persons:
            organization = new.organization
            index = person_row_fields(new)
            rows.append(
                (
                    new.name,
                    new.job_title,
                    new.owner_id,
                    new.visible_to,
                    organization.pk if isinstance(organization, NewOrganization) else organization,
                    now,
                    now,
                    *(index[k] for k in index_keys),
                )
            )
        # Plain rows, not model instances: 100,000 Person objects would cost more than the
        # database does.
        for new, pk in zip(persons, insert_rows(Person, names, rows, with_ids=True), strict=True):
            new.pk = pk
        insert_rows(
            PersonEmail,
            ["person_id", "email", "key", "position"],
            [(n.pk, raw, key, i) for n in persons for i, (raw, key) in enumerate(n.emails)],
        )
        insert_rows(
            PersonPhone,
            ["person_id", "number", "key", "position"],
            [(n.pk, raw, key, i) for n in persons for i, (raw, key) in enumerate(n.phones)],
        )

    def _update_existing(self, plans: list[RowPlan]) -> None:
        if not plans:
            return
        model = Person if self.kind == "persons" else Organization
        records = {}
        ids = [p.existing_id for p in plans]
        for chunk in chunks(ids):
            records.update((r.pk, r) for r in model.objects.filter(among("pk", chunk, BIGINT)))
        changed, emails, phones = [], [], []
        positions = self._next_positions(ids) if model is Person else {}
        for plan in plans:
            record = records.get(plan.existing_id)
            if record is None:
                continue
            previous, written = {}, {}
            values = dict(plan.values)
            if "organization" in values:
                ref = values.pop("organization")
                values["organization_id"] = ref.pk if isinstance(ref, NewOrganization) else ref
            for attr in ("job_title", "organization_id", "address", "website"):
                if attr in values and getattr(record, attr) != values[attr]:
                    previous[attr], written[attr] = getattr(record, attr), values[attr]
                    setattr(record, attr, values[attr])
            if "website" in written:
                for attr, value in organization_index_fields(record.name, record.website).items():
                    if hasattr(record, attr):
                        setattr(record, attr, value)
            added = []
            if model is Person:
                for attr, target in (("emails", emails), ("phones", phones)):
                    for raw, key in values.get(attr, []):
                        if key in positions.get((attr, record.pk), {}).get("keys", set()):
                            continue
                        slot = positions.setdefault((attr, record.pk), {"next": 0, "keys": set()})
                        slot["keys"].add(key)
                        # Plain rows; `added` gets the new row's id once it is written.
                        entry = [attr, None]
                        target.append(((record.pk, raw, key, slot["next"]), entry))
                        slot["next"] += 1
                        added.append(entry)
            if previous:
                record.updated_at = self.now
                changed.append(record)
            self.outcomes[plan.number] = {"previous": previous, "written": written, "added": added}
        fields = (
            ["job_title", "organization_id", "updated_at"]
            if model is Person
            else ["address", "website", "domain", "updated_at"]
        )
        bulk_set(model, changed, fields)
        for child, value_name, target in (
            (PersonEmail, "email", emails),
            (PersonPhone, "number", phones),
        ):
            names = ["person_id", value_name, "key", "position"]
            new_ids = insert_rows(child, names, [row for row, _entry in target], with_ids=True)
            for (_row, entry), pk in zip(target, new_ids, strict=True):
                entry[1] = pk

    def _next_positions(self, ids: list[int]) -> dict:
        """Per person: the keys it has and the next free position, for e-mails and phones."""
        positions: dict = {}
        for attr, child in (("emails", PersonEmail), ("phones", PersonPhone)):
            for chunk in chunks(ids):
                rows = child.objects.filter(among("person_id", chunk, BIGINT)).values_list(
                    "person_id", "key", "position"
                )
                for person_id, key, position in rows:
                    slot = positions.setdefault((attr, person_id), {"next": 0, "keys": set()})
                    slot["keys"].add(key)
                    slot["next"] = max(slot["next"], position + 1)
        return positions

    def _contact_ids(self, plan: RowPlan) -> tuple[int | None, int | None]:
        def pk(ref):
            return ref.pk if isinstance(ref, NewPerson | NewOrganization) else ref

        return pk(plan.person), pk(plan.organization)

    def _create_deals(self, plans: list[RowPlan]) -> None:
        deals = []
        for plan in plans:
            values = plan.values
            person_id, organization_id = self._contact_ids(plan)
            status = values["status"]
            closed = _at_noon(values["closed_on"]) if values.get("closed_on") else self.now
            deal = Deal(
                title=values["title"],
                value=Decimal(values["value"]).quantize(Decimal("0.01")),
                currency=values["currency"],
                person_id=person_id,
                organization_id=organization_id,
                pipeline_id=values["pipeline_id"],
                stage_id=values["stage_id"],
                status=status,
                won_at=closed if status == DealStatus.WON else None,
                lost_at=closed if status == DealStatus.LOST else None,
                expected_close_date=values["expected_close_date"],
                owner_id=values["owner_id"],
                visible_to=values["visible_to"],
                source="import",
            )
            plan.new = deal
            deals.append(deal)
        bulk_insert(Deal, list(deals))
        history = []
        for deal in deals:
            closed = deal.won_at or deal.lost_at
            created = min(self.now, closed) if closed else self.now
            history.append(
                DealHistory(
                    deal_id=deal.pk,
                    kind=HistoryKind.CREATED,
                    to_stage_id=deal.stage_id,
                    to_status=DealStatus.OPEN,
                    actor=self.actor,
                    created_at=created,
                    detail="import",
                )
            )
            if closed:
                history.append(
                    DealHistory(
                        deal_id=deal.pk,
                        kind=HistoryKind.STATUS,
                        from_stage_id=deal.stage_id,
                        to_stage_id=deal.stage_id,
                        from_status=DealStatus.OPEN,
                        to_status=deal.status,
                        actor=self.actor,
                        created_at=closed,
                        detail="import",
                    )
                )
        bulk_insert(DealHistory, list(history))

    def _create_leads(self, plans: list[RowPlan]) -> None:
        leads = []
        for plan in plans:
            values = plan.values
            person_id, organization_id = self._contact_ids(plan)
            lead = Lead(
                title=values["title"],
                value=Decimal(values["value"]).quantize(Decimal("0.01")),
                currency=values["currency"],
                person_id=person_id,
                organization_id=organization_id,
                expected_close_date=values["expected_close_date"],
                owner_id=values["owner_id"],
                visible_to=values["visible_to"],
                source=LeadSource.IMPORT,
            )
            plan.new = lead
            leads.append(lead)
        bulk_insert(Lead, list(leads))

    def _record_rows(self) -> None:
        record_type = RECORD_TYPES[self.kind]
        created_by_row: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        if self.kind in ("persons", "leads", "deals"):
            for plan in self.plans:
                for ref in (plan.person, plan.organization, plan.new):
                    if (
                        isinstance(ref, NewPerson | NewOrganization)
                        and ref.pk is not None
                        and ref is not plan.new
                        and ref.pk
                    ):
                        kind = "person" if isinstance(ref, NewPerson) else "organization"
                        if (
                            ref.row == plan.number
                            and ref.pk not in created_by_row[plan.number][kind]
                        ):
                            created_by_row[plan.number][kind].append(ref.pk)
                if (
                    isinstance(plan.new, NewPerson)
                    and isinstance(plan.new.organization, NewOrganization)
                    and plan.new.organization.row == plan.number
                    and plan.new.organization.pk is not None
                ):
                    ids = created_by_row[plan.number]["organization"]
                    if plan.new.organization.pk not in ids:
                        ids.append(plan.new.organization.pk)
        rows = []
        for plan in self.plans:
            outcome = self.outcomes.get(plan.number, {})
            new = plan.new
            record_id = plan.existing_id
            if record_id is None and new is not None:
                record_id = getattr(new, "pk", None)
            added = outcome.get("added") or []
            previous = outcome.get("previous") or {}
            if added:
                previous = {**previous, "added": added}
            rows.append(
                (
                    self.import_run.pk,
                    plan.number,
                    plan.action,
                    [e["column"] + ": " + e["message"] for e in plan.errors]
                    + [str(m) for m in plan.messages],
                    record_type if plan.action != RowAction.FAILED else "",
                    record_id if plan.action != RowAction.FAILED else None,
                    previous or None,
                    outcome.get("written") or None,
                    {k: v for k, v in created_by_row.get(plan.number, {}).items()} or None,
                )
            )
        insert_rows(ImportRow, ROW_COLUMNS, rows)
