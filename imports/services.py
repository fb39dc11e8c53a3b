"""Imports: upload, preview, apply (all or nothing, or skipping bad rows) and revert.

The writes are a bulk path of their own, validated like the core's services: every row is
checked by the planner (imports/planning.py) with the core's cleaning rules and normalized
keys, references are resolved from bulk lookups, and records are written in batches (COPY
on PostgreSQL, bulk_create elsewhere) inside one transaction. That is what lets a 100,000-row
file import in seconds, where one service call per row would take many minutes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, time
from decimal import Decimal

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Organization, Person, PersonEmail, PersonPhone
from contacts.normalize import organization_index_fields
from crm.errors import DomainError, NotPermitted
from crm.models import User, Visibility
from crm.visibility import can_assign_to
from deals.models import Deal, DealHistory, DealStatus, HistoryKind, Pipeline
from imports.bulk import bulk_insert, bulk_set, insert_rows
from imports.cleaning import DATE_FORMATS, guess_date_format
from imports.mapping import auto_mapping, clean_mapping, missing_required
from imports.models import (
    DuplicateChoice,
    Import,
    ImportKind,
    ImportRow,
    ImportStatus,
    OnError,
    RowAction,
)
from imports.parsing import read_table
from imports.planning import (
    BIGINT,
    NewOrganization,
    NewPerson,
    Planner,
    RowPlan,
    among,
    chunks,
    organization_row_fields,
    person_row_fields,
)
from leads.models import Lead, LeadSource

logger = logging.getLogger(__name__)

BATCH = 2000
PREVIEW_LIMIT = 500
RECORD_TYPES = {
    "organizations": "organization",
    "persons": "person",
    "leads": "lead",
    "deals": "deal",
}
# What a preview or an apply changes on the import; never the file (megabytes) again.
STATE_FIELDS = ["status", "row_count", "counts", "preview", "progress", "error"]
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
MODELS = {"organization": Organization, "person": Person, "lead": Lead, "deal": Deal}


def can_import(user: User) -> bool:
    """Admins, and the users an admin allowed (permission imports.run_import)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_crm_admin or user.has_perm("imports.run_import"))
    )


def _check_importer(actor: User) -> None:
    if not can_import(actor):
        raise NotPermitted(_("Only admins and the users they allow may import."))


def clean_options(options: dict | None, *, actor: User) -> dict:
    options = dict(options or {})
    result = {
        "date_format": options.get("date_format") or "iso",
        "decimal_separator": options.get("decimal_separator") or ".",
        "duplicates": options.get("duplicates") or DuplicateChoice.MERGE,
        "on_error": options.get("on_error") or OnError.ALL_OR_NOTHING,
        "visible_to": options.get("visible_to") or "",
        "placeholder_organization": (options.get("placeholder_organization") or "").strip(),
    }
    if result["date_format"] not in DATE_FORMATS:
        raise DomainError(_("Choose a date format."), field="date_format")
    if result["decimal_separator"] not in (".", ","):
        raise DomainError(_("The decimal separator is “.” or “,”."), field="decimal_separator")
    if result["duplicates"] not in DuplicateChoice.values:
        raise DomainError(_("Choose merge, skip or create."), field="duplicates")
    if result["on_error"] not in OnError.values:
        raise DomainError(_("Choose all or nothing, or skip bad rows."), field="on_error")
    if result["visible_to"] and result["visible_to"] not in Visibility.values:
        raise DomainError(_("Choose owner, team or company."), field="visible_to")
    if len(result["placeholder_organization"]) > 255:
        raise DomainError(_("At most 255 characters."), field="placeholder_organization")
    owner = options.get("owner")
    if owner not in (None, ""):
        user = User.objects.filter(pk=_int(owner, "owner"), is_active=True).first()
        if user is None or not can_assign_to(actor, user):
            raise DomainError(_("Choose an active user you may give records to."), field="owner")
        result["owner"] = user.pk
    pipeline = options.get("pipeline")
    if pipeline not in (None, ""):
        if not Pipeline.objects.filter(pk=_int(pipeline, "pipeline"), is_active=True).exists():
            raise DomainError(_("Choose an active pipeline."), field="pipeline")
        result["pipeline"] = int(pipeline)
    return result


def _int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError(_("Choose one of the options."), field=field) from None


def import_create(
    *,
    actor: User,
    file_name: str,
    content: bytes,
    kind: str,
    mapping: dict | None = None,
    options: dict | None = None,
    defer: bool = False,
) -> Import:
    """Read the file (refusing bad ones, writing nothing), map it and preview it.

    With `defer`, a file too large to preview within a request (`runs_in_background`) is
    only marked as previewing: the caller has the worker run `import_preview_queued`.
    """
    _check_importer(actor)
    if kind not in ImportKind.values:
        raise DomainError(_("Choose organizations, persons, leads or deals."), field="kind")
    table = read_table(name=file_name, content=content)
    options = clean_options(options, actor=actor)
    mapping = (
        clean_mapping(kind, table.headers, mapping)
        if mapping
        else auto_mapping(kind, table.headers)
    )
    import_run = Import.objects.create(
        kind=kind,
        file_name=(file_name or "")[-255:],
        content=content,
        mapping=mapping,
        options=options,
        row_count=len(table.rows),
        created_by=actor,
    )
    if defer and runs_in_background(import_run):
        return _mark_previewing(import_run, table)
    return _preview(import_run, actor=actor, table=table)


def import_configure(
    *,
    actor: User,
    import_run: Import,
    mapping: dict | None = None,
    options: dict | None = None,
    defer: bool = False,
) -> Import:
    """Change the mapping and choices of an import not applied yet, and preview it again
    (with `defer`, a large file's preview is left to the worker, as in `import_create`)."""
    _check_importer(actor)
    table = read_table(name=import_run.file_name, content=bytes(import_run.content))
    with transaction.atomic():
        # Locked: a change while the worker previews or applies it would be lost or mixed in.
        import_run = Import.objects.select_for_update().get(pk=import_run.pk)
        if import_run.status not in (
            ImportStatus.UPLOADED,
            ImportStatus.PREVIEWED,
            ImportStatus.FAILED,
        ):
            raise DomainError(_("This import can no longer be changed."), code="conflict")
        if mapping is not None:
            import_run.mapping = clean_mapping(import_run.kind, table.headers, mapping)
        if options is not None:
            import_run.options = clean_options({**import_run.options, **options}, actor=actor)
        if defer and runs_in_background(import_run):
            return _mark_previewing(import_run, table)
    return _preview(import_run, actor=actor, table=table)


def runs_in_background(import_run: Import) -> bool:
    """Is the file large enough to preview, apply and revert on the worker?"""
    return import_run.row_count > background_threshold()


def _mark_previewing(import_run: Import, table) -> Import:
    import_run.status, import_run.progress, import_run.error = ImportStatus.PREVIEWING, 0, ""
    import_run.counts = {}
    import_run.preview = {"headers": table.headers}
    import_run.save(update_fields=STATE_FIELDS + ["mapping", "options"])
    return import_run


def _run_queued(
    import_id: int, expected: str, work, *, failed_status: str, unexpected: str
) -> Import:
    """Run the worker's half of a deferred step, with progress; a failure is recorded on the
    import (a clear message for a refusal, a generic one and the log for a crash)."""
    import_run = Import.objects.select_related("created_by").get(pk=import_id)
    if import_run.status != expected:
        return import_run  # taken over meanwhile (a second delivery of the task)
    progress = _Progress(import_id)
    try:
        work(import_run, progress)
    except DomainError as exc:
        Import.objects.filter(pk=import_id).update(
            status=failed_status, error=exc.message, progress=0
        )
    except Exception:
        logger.exception("Import %s failed while %s", import_id, expected)
        Import.objects.filter(pk=import_id).update(
            status=failed_status, progress=0, error=unexpected
        )
        raise
    finally:
        progress.close()
    import_run.refresh_from_db()
    return import_run


def import_preview_queued(*, import_id: int) -> Import:
    """The worker's half of a deferred preview: plan the file and store the preview."""

    def work(import_run: Import, progress: _Progress) -> None:
        table = read_table(name=import_run.file_name, content=bytes(import_run.content))
        progress(5)
        _preview(import_run, actor=import_run.created_by, table=table, progress=progress)

    return _run_queued(
        import_id,
        ImportStatus.PREVIEWING,
        work,
        failed_status=ImportStatus.FAILED,
        unexpected=_("The preview failed unexpectedly; change the mapping to try again."),
    )


def import_preview(*, actor: User, import_run: Import) -> Import:
    _check_importer(actor)
    table = read_table(name=import_run.file_name, content=bytes(import_run.content))
    return _preview(import_run, actor=actor, table=table)


def _summary(plans: list[RowPlan]) -> tuple[dict, dict]:
    counts = {action: 0 for action in RowAction.values}
    errors, duplicates = [], []
    for plan in plans:
        counts[plan.action] += 1
        if plan.errors and len(errors) < PREVIEW_LIMIT:
            errors.extend(plan.errors)
        if plan.duplicate and len(duplicates) < PREVIEW_LIMIT:
            duplicates.append(plan.duplicate)
    duplicate_count = sum(1 for plan in plans if plan.duplicate)
    return counts, {
        "counts": counts,
        "errors": errors[:PREVIEW_LIMIT],
        "duplicates": duplicates,
        "duplicate_count": duplicate_count,
    }


def _preview(import_run: Import, *, actor: User, table, progress=None) -> Import:
    missing = missing_required(import_run.kind, import_run.mapping)
    planner = Planner(
        kind=import_run.kind,
        actor=actor,
        options=import_run.options,
        headers=table.headers,
        mapping=import_run.mapping,
    )
    total = max(len(table.rows), 1)
    plans = planner.plan(
        table.rows, progress=(lambda i: progress(10 + 85 * i / total)) if progress else None
    )
    counts, preview = _summary(plans)
    preview["headers"] = table.headers
    preview["sample"] = [[_jsonable(c) for c in row] for row in table.rows[:5]]
    preview["missing"] = [str(f.label) for f in missing]
    # Without pg_trgm (SQLite) only equal names are found; the page says so.
    preview["similar_names"] = connection.vendor == "postgresql"
    date_columns = [
        planner.columns[k] for k in ("expected_close_date", "close_date") if k in planner.columns
    ]
    guesses = {
        guess_date_format(row[i] for row in table.rows[:2000] if i < len(row)) for i in date_columns
    } - {None}
    preview["date_format_guess"] = guesses.pop() if len(guesses) == 1 else ""
    import_run.preview = preview
    import_run.counts = counts
    import_run.row_count = len(table.rows)
    import_run.status = ImportStatus.PREVIEWED
    import_run.progress = 0
    import_run.error = ""
    import_run.save(update_fields=STATE_FIELDS + ["mapping", "options"])
    return import_run


def _jsonable(value):
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# --- applying ------------------------------------------------------------------------------


def import_queue(*, actor: User, import_run: Import) -> Import:
    """Mark the import as applying (once: a second click finds it so and is refused)."""
    _check_importer(actor)
    with transaction.atomic():
        locked = Import.objects.select_for_update().get(pk=import_run.pk)
        if locked.status not in (ImportStatus.PREVIEWED, ImportStatus.FAILED):
            raise DomainError(_("This import is already applying or applied."), code="conflict")
        locked.status, locked.progress, locked.error = ImportStatus.APPLYING, 0, ""
        locked.save(update_fields=["status", "progress", "error"])
    return locked


def import_apply(*, actor: User, import_run: Import) -> Import:
    """Queue and run at once (the inline path; the worker runs `import_run_queued`)."""
    import_queue(actor=actor, import_run=import_run)
    return import_run_queued(import_id=import_run.pk)


class _Progress:
    """Stores the progress where the page can poll it, even from inside the write transaction.

    On PostgreSQL a second connection (autocommit) writes it, so others see it before the
    import commits; on SQLite (one writer at a time) only the steps outside it are stored.
    """

    def __init__(self, import_id: int):
        self.import_id = import_id
        self.last = -1
        self.side = None

    def __call__(self, percent: int) -> None:
        percent = max(0, min(99, int(percent)))
        if percent == self.last:
            return
        self.last = percent
        if connection.vendor == "postgresql":
            if self.side is None:
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
            with self.side.cursor() as cursor:
                cursor.execute(
                    "UPDATE imports_import SET progress = %s WHERE id = %s",
                    [percent, self.import_id],
                )
        elif not connection.in_atomic_block:
            Import.objects.filter(pk=self.import_id).update(progress=percent)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def import_run_queued(*, import_id: int) -> Import:
    """The worker's half of an apply: write the rows (all or nothing, or skipping bad rows)."""
    return _run_queued(
        import_id,
        ImportStatus.APPLYING,
        _apply,
        failed_status=ImportStatus.FAILED,
        unexpected=_("The import failed unexpectedly; nothing was written."),
    )


def _apply(import_run: Import, progress: _Progress) -> None:
    actor = import_run.created_by
    table = read_table(name=import_run.file_name, content=bytes(import_run.content))
    missing = missing_required(import_run.kind, import_run.mapping)
    if missing:
        raise DomainError(
            _("Map a column to %(fields)s first.")
            % {"fields": ", ".join(str(f.label) for f in missing)}
        )
    total = max(len(table.rows), 1)
    planner = Planner(
        kind=import_run.kind,
        actor=actor,
        options=import_run.options,
        headers=table.headers,
        mapping=import_run.mapping,
    )
    plans = planner.plan(table.rows, progress=lambda i: progress(5 + 35 * i / total))
    counts, preview = _summary(plans)
    failed = counts[RowAction.FAILED]
    if failed and import_run.options.get("on_error") != OnError.SKIP_BAD_ROWS:
        import_run.preview = {**import_run.preview, **preview}
        import_run.counts = counts
        import_run.status = ImportStatus.FAILED
        import_run.progress = 0
        import_run.error = _(
            "%(count)d rows have errors, so nothing was written. Fix them in the file, or "
            "choose to skip the bad rows."
        ) % {"count": failed}
        import_run.save(update_fields=STATE_FIELDS)
        return
    with transaction.atomic():
        writer = _Writer(
            import_run=import_run, planner=planner, plans=plans, actor=actor, progress=progress
        )
        writer.write()
        import_run.counts = counts
        import_run.preview = {**import_run.preview, **preview}
        import_run.status = ImportStatus.APPLIED
        import_run.progress = 100
        import_run.error = ""
        import_run.applied_at = timezone.now()
        import_run.save(update_fields=[*STATE_FIELDS, "applied_at"])


def _at_noon(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


class _Writer:
    """Writes a plan: contacts first, then updates, leads or deals, then the row outcomes."""

    def __init__(
        self,
        *,
        import_run: Import,
        planner: Planner,
        plans: list[RowPlan],
        actor: User,
        progress: _Progress,
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


# --- reverting -----------------------------------------------------------------------------


def import_revert_queue(*, actor: User, import_run: Import) -> Import:
    """Mark the import as reverting (once: a second click finds it so and is refused)."""
    _check_importer(actor)
    with transaction.atomic():
        locked = Import.objects.select_for_update().get(pk=import_run.pk)
        if locked.status != ImportStatus.APPLIED:
            raise DomainError(_("Only an applied import can be reverted."), code="conflict")
        locked.status, locked.progress, locked.error = ImportStatus.REVERTING, 0, ""
        locked.save(update_fields=["status", "progress", "error"])
    return locked


def import_revert(*, actor: User, import_run: Import) -> Import:
    """Queue and revert at once (the inline path; the worker runs `import_revert_queued`)."""
    import_revert_queue(actor=actor, import_run=import_run)
    return import_revert_queued(import_id=import_run.pk)


def import_revert_queued(*, import_id: int) -> Import:
    """Remove what the import created and restore what it updated, unless changed since.

    Records changed after the import (and contacts other records now use) are left alone and
    listed in `revert_report["kept"]`. All or nothing: a failure leaves the import applied.
    """

    def work(import_run: Import, progress: _Progress) -> None:
        # No row lock on the import here: `import_revert_queue` took the import over, and the
        # progress is written to the same row from a second connection.
        with transaction.atomic():
            _revert(import_run, progress)

    return _run_queued(
        import_id,
        ImportStatus.REVERTING,
        work,
        failed_status=ImportStatus.APPLIED,
        unexpected=_("The revert failed unexpectedly; nothing was changed."),
    )


def _revert(import_run: Import, progress: _Progress) -> None:
    created: dict[str, list[int]] = defaultdict(list)
    updated: list[ImportRow] = []
    rows = import_run.rows.exclude(action__in=[RowAction.FAILED, RowAction.SKIPPED]).only(
        "action", "record_type", "record_id", "previous", "written", "also_created"
    )
    for row in rows.iterator(chunk_size=5000):
        if row.action == RowAction.CREATED and row.record_id:
            created[row.record_type].append(row.record_id)
        elif row.action == RowAction.UPDATED and row.previous:
            updated.append(row)
        for kind, ids in (row.also_created or {}).items():
            created[kind].extend(ids)
    progress(10)
    kept: list[dict] = []
    restored = _restore(updated, import_run, kept)
    total = max(sum(len(ids) for ids in created.values()), 1)
    done = 0

    def deleted_some(count: int) -> None:
        nonlocal done
        done += count
        progress(20 + 75 * done / total)

    deleted = 0
    for record_type in ("deal", "lead", "person", "organization"):
        deleted += _delete_created(
            record_type, sorted(set(created[record_type])), import_run, kept, deleted_some
        )
    import_run.status = ImportStatus.REVERTED
    import_run.progress = 100
    import_run.reverted_at = timezone.now()
    import_run.revert_report = {"deleted": deleted, "restored": restored, "kept": kept}
    import_run.save(update_fields=["status", "progress", "reverted_at", "revert_report"])


def _delete_created(record_type: str, ids: list[int], import_run: Import, kept: list, done) -> int:
    model = MODELS[record_type]
    deleted = 0
    for start in range(0, len(ids), 900):
        done(len(ids[start : start + 900]))
        qs = model.objects.filter(pk__in=ids[start : start + 900])
        changed = qs.filter(updated_at__gt=import_run.applied_at)
        for pk, name in changed.values_list(
            "pk", "title" if record_type in ("deal", "lead") else "name"
        ):
            kept.append(
                {
                    "record_type": record_type,
                    "id": pk,
                    "name": name,
                    "reason": _("changed since the import"),
                }
            )
        qs = qs.exclude(updated_at__gt=import_run.applied_at)
        if record_type in ("person", "organization"):
            used = qs.filter(deals__isnull=False) | qs.filter(leads__isnull=False)
            if record_type == "organization":
                used = used | qs.filter(persons__isnull=False)
            for pk, name in used.distinct().values_list("pk", "name"):
                kept.append(
                    {
                        "record_type": record_type,
                        "id": pk,
                        "name": name,
                        "reason": _("used by records the import did not create"),
                    }
                )
            qs = qs.exclude(pk__in=list(used.values_list("pk", flat=True)))
        count, _by_model = qs.delete()
        deleted += _by_model.get(model._meta.label, 0)
    return deleted


def _restore(rows: list[ImportRow], import_run: Import, kept: list) -> int:
    restored = 0
    model = Person if import_run.kind in ("persons",) else Organization
    for row in rows:
        record = model.objects.filter(pk=row.record_id).first()
        if record is None:
            continue
        written = row.written or {}
        previous = {k: v for k, v in row.previous.items() if k != "added"}
        if any(getattr(record, attr) != value for attr, value in written.items()):
            kept.append(
                {
                    "record_type": row.record_type,
                    "id": record.pk,
                    "name": record.name,
                    "reason": _("changed since the import"),
                }
            )
            continue
        for attr, value in previous.items():
            setattr(record, attr, value)
        if "website" in previous:
            for attr, value in organization_index_fields(record.name, record.website).items():
                if hasattr(record, attr):
                    setattr(record, attr, value)
        record.save()
        for attr, pk in row.previous.get("added", []):
            (PersonEmail if attr == "emails" else PersonPhone).objects.filter(
                pk=pk, person_id=record.pk
            ).delete()
        restored += 1
    return restored


def background_threshold() -> int:
    return getattr(settings, "CRM_IMPORT_BACKGROUND_ROWS", 1000)
