"""Imports: upload, preview, apply (all or nothing, or skipping bad rows) and revert.

The writes are a bulk path of their own, validated like the core's services: every row is
checked by the planner (imports/planning.py) with the core's cleaning rules and normalized
keys, references are resolved from bulk lookups, and records are written in batches (COPY
on PostgreSQL, bulk_create elsewhere) inside one transaction. That is what lets a 100,000-row
file import in seconds, where one service call per row would take many minutes. The apply
writes the preview's plan when nothing it depends on has changed since (imports/plans.py).

Large files are previewed, applied and reverted by the worker (imports/jobs.py: one run at a
time, a heartbeat, writes only while the run still owns the import); a busy import no worker
finishes can be run again or cancelled (`import_rerun`, `import_cancel`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from contacts.models import Organization, Person, PersonEmail, PersonPhone
from contacts.normalize import organization_index_fields
from crm.errors import DomainError, NotPermitted
from crm.models import User, Visibility
from crm.visibility import can_assign_to
from deals.models import Deal, DealHistory, DealStatus, HistoryKind, Pipeline
from imports.bulk import bulk_insert, bulk_set, insert_rows, paused_gc
from imports.cleaning import DATE_FORMATS, guess_date_format
from imports.jobs import Claim, Progress, run_claimed
from imports.mapping import auto_mapping, clean_mapping, missing_required
from imports.models import (
    BUSY_STATUSES,
    DuplicateChoice,
    Import,
    ImportKind,
    ImportRow,
    ImportStatus,
    OnError,
    RowAction,
)
from imports.parsing import BadFile, read_head, read_table
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
from imports.plans import forget_plan, keep_plan, kept_plan
from leads.models import Lead, LeadSource

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
# What handing an import to the worker changes.
BUSY_FIELDS = ["status", "progress", "error", "attempt", "queued_at", "heartbeat_at"]
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
    """Check the file (refusing bad ones, writing nothing), map it and preview it.

    With `defer`, a file too large to preview within a request (`runs_in_background`) is
    only marked as previewing: the caller has the worker run `import_preview_queued`. A large
    XLSX is then not even read here beyond its heading row (`read_head`): the worker reads
    its rows, and a fault found there fails the import with its message.
    """
    _check_importer(actor)
    if kind not in ImportKind.values:
        raise DomainError(_("Choose organizations, persons, leads or deals."), field="kind")
    head = read_head(name=file_name, content=content)
    options = clean_options(options, actor=actor)
    mapping = (
        clean_mapping(kind, head.headers, mapping) if mapping else auto_mapping(kind, head.headers)
    )
    import_run = Import(
        kind=kind,
        file_name=(file_name or "")[-255:],
        content=content,
        file_size=len(content),
        mapping=mapping,
        options=options,
        row_count=head.rows,
        created_by=actor,
    )
    deferred = defer and runs_in_background(import_run)
    # A small workbook is read whole here (its head only counted its rows).
    table = head.table or (None if deferred else read_table(name=file_name, content=content))
    if table is not None:
        import_run.row_count = len(table.rows)
        deferred = defer and runs_in_background(import_run)
    import_run.save()
    if deferred:
        return _mark_previewing(import_run, head.headers)
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
    if import_run.preview.get("bad_file"):
        raise DomainError(_("This file cannot be read; upload a corrected one."), code="conflict")
    content = bytes(import_run.content)
    head = read_head(name=import_run.file_name, content=content)
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
            import_run.mapping = clean_mapping(import_run.kind, head.headers, mapping)
        if options is not None:
            import_run.options = clean_options({**import_run.options, **options}, actor=actor)
        if defer and runs_in_background(import_run):
            return _mark_previewing(import_run, head.headers)
    table = head.table or read_table(name=import_run.file_name, content=content)
    return _preview(import_run, actor=actor, table=table)


def runs_in_background(import_run: Import) -> bool:
    """Is the file large enough to preview, apply and revert on the worker? More rows than
    `CRM_IMPORT_BACKGROUND_ROWS` (counted, or as a workbook declares them), or more bytes
    than `CRM_IMPORT_BACKGROUND_BYTES` (a workbook that does not declare its rows)."""
    return (
        import_run.row_count > background_threshold() or import_run.file_size > background_bytes()
    )


def _mark_busy(import_run: Import, status: str, *, fields: tuple[str, ...] = ()) -> Import:
    """Hand the import to the worker: a new attempt, which only a run that takes this attempt
    may write to (imports/jobs.py). The caller commits, then dispatches."""
    import_run.status, import_run.progress, import_run.error = status, 0, ""
    import_run.attempt += 1
    import_run.queued_at, import_run.heartbeat_at = timezone.now(), None
    import_run.save(update_fields=[*BUSY_FIELDS, *fields])
    return import_run


def _mark_previewing(import_run: Import, headers: list[str]) -> Import:
    import_run.counts = {}
    import_run.preview = {"headers": headers}
    return _mark_busy(
        import_run, ImportStatus.PREVIEWING, fields=("counts", "preview", "mapping", "options")
    )


def import_preview_queued(*, import_id: int) -> Import:
    """The worker's half of a deferred preview: plan the file and store the preview."""

    def work(import_run: Import, claim: Claim, progress: Progress) -> None:
        try:
            table = read_table(name=import_run.file_name, content=bytes(import_run.content))
        except BadFile as exc:
            # Found only now that the rows are read (the upload read only the headings): the
            # import fails with the reason, and may not be applied or changed.
            claim.finish(
                status=ImportStatus.FAILED,
                error=exc.message,
                progress=0,
                counts={},
                preview={**import_run.preview, "bad_file": True},
            )
            return
        if table.headers != import_run.preview.get("headers", table.headers):
            # The heading row read whole differs from the one the upload streamed (cells
            # openpyxl formats): keep the columns both have, map the others afresh.
            automatic = auto_mapping(import_run.kind, table.headers)
            import_run.mapping = {
                header: import_run.mapping.get(header, automatic.get(header, ""))
                for header in table.headers
                if header
            }
            claim.finish(mapping=import_run.mapping)
        progress(5)
        _preview(
            import_run, actor=import_run.created_by, table=table, progress=progress, claim=claim
        )

    return run_claimed(
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


def _preview(
    import_run: Import, *, actor: User, table, progress=None, claim: Claim | None = None
) -> Import:
    with paused_gc():
        return _preview_table(import_run, actor=actor, table=table, progress=progress, claim=claim)


def _preview_table(
    import_run: Import, *, actor: User, table, progress=None, claim: Claim | None = None
) -> Import:
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
    with transaction.atomic():
        # The plan is kept for the apply (imports/plans.py), with the preview it gave.
        keep_plan(import_run, planner, plans)
        if claim is not None:
            # The worker's preview: stored only if the import still waits for this run.
            claim.finish(**{f: getattr(import_run, f) for f in STATE_FIELDS})
        else:
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
        if locked.preview.get("bad_file"):
            raise DomainError(_("This file cannot be read; upload a corrected one."))
        _mark_busy(locked, ImportStatus.APPLYING)
    return locked


def import_apply(*, actor: User, import_run: Import) -> Import:
    """Queue and run at once (the inline path; the worker runs `import_run_queued`)."""
    import_queue(actor=actor, import_run=import_run)
    return import_run_queued(import_id=import_run.pk)


def import_run_queued(*, import_id: int) -> Import:
    """The worker's half of an apply: write the rows (all or nothing, or skipping bad rows)."""
    return run_claimed(
        import_id,
        ImportStatus.APPLYING,
        _apply,
        failed_status=ImportStatus.FAILED,
        unexpected=_("The import failed unexpectedly; nothing was written."),
    )


def _apply(import_run: Import, claim: Claim, progress: Progress) -> None:
    with paused_gc():
        _apply_paused(import_run, claim, progress)


def _apply_paused(import_run: Import, claim: Claim, progress: Progress) -> None:
    missing = missing_required(import_run.kind, import_run.mapping)
    if missing:
        raise DomainError(
            _("Map a column to %(fields)s first.")
            % {"fields": ", ".join(str(f.label) for f in missing)}
        )
    planner, plans, reused = _apply_plan(import_run, progress)
    counts, preview = _summary(plans)
    # Whether the apply wrote the preview's plan or planned the file again (imports/plans.py).
    preview["plan_reused"] = reused
    failed = counts[RowAction.FAILED]
    if failed and import_run.options.get("on_error") != OnError.SKIP_BAD_ROWS:
        claim.finish(
            preview={**import_run.preview, **preview},
            counts=counts,
            status=ImportStatus.FAILED,
            progress=0,
            error=_(
                "%(count)d rows have errors, so nothing was written. Fix them in the file, or "
                "choose to skip the bad rows."
            )
            % {"count": failed},
        )
        return
    with transaction.atomic():
        writer = _Writer(
            import_run=import_run,
            planner=planner,
            plans=plans,
            actor=import_run.created_by,
            progress=progress,
        )
        writer.write()
        forget_plan(import_run)
        # Last, and in the transaction: if the import was cancelled or handed out again
        # meanwhile, this raises and everything written above is rolled back. A second run
        # of the same attempt waits here for the first to commit, then finds it applied.
        claim.finish(
            counts=counts,
            preview={**import_run.preview, **preview},
            status=ImportStatus.APPLIED,
            progress=100,
            error="",
            applied_at=timezone.now(),
        )


def _apply_plan(import_run: Import, progress: Progress) -> tuple[Planner, list[RowPlan], bool]:
    """The preview's plan if it still holds (imports/plans.py), else the file planned again."""

    def planner(headers: list[str]) -> Planner:
        return Planner(
            kind=import_run.kind,
            actor=import_run.created_by,
            options=import_run.options,
            headers=headers,
            mapping=import_run.mapping,
        )

    if kept := kept_plan(import_run):
        progress(5)
        reusing = planner(import_run.preview.get("headers", []))
        if (plans := reusing.reuse(kept.plans, kept.wanted, kept.snapshot)) is not None:
            progress(40)
            return reusing, plans, True
    table = read_table(name=import_run.file_name, content=bytes(import_run.content))
    total = max(len(table.rows), 1)
    fresh = planner(table.headers)
    return fresh, fresh.plan(table.rows, progress=lambda i: progress(5 + 35 * i / total)), False


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


# --- reverting -----------------------------------------------------------------------------


def import_revert_queue(*, actor: User, import_run: Import) -> Import:
    """Mark the import as reverting (once: a second click finds it so and is refused)."""
    _check_importer(actor)
    with transaction.atomic():
        locked = Import.objects.select_for_update().get(pk=import_run.pk)
        if locked.status != ImportStatus.APPLIED:
            raise DomainError(_("Only an applied import can be reverted."), code="conflict")
        _mark_busy(locked, ImportStatus.REVERTING)
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

    def work(import_run: Import, claim: Claim, progress: Progress) -> None:
        # No row lock on the import here: `import_revert_queue` took the import over, and the
        # progress is written to the same row from a second connection.
        with transaction.atomic():
            _revert(import_run, claim, progress)

    return run_claimed(
        import_id,
        ImportStatus.REVERTING,
        work,
        failed_status=ImportStatus.APPLIED,
        unexpected=_("The revert failed unexpectedly; nothing was changed."),
    )


def _revert(import_run: Import, claim: Claim, progress: Progress) -> None:
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
    # Last, in the transaction: a cancelled or superseded run rolls its deletions back.
    claim.finish(
        status=ImportStatus.REVERTED,
        progress=100,
        reverted_at=timezone.now(),
        revert_report={"deleted": deleted, "restored": restored, "kept": kept},
    )


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


# --- runs nobody finished ------------------------------------------------------------------

# Where cancelling a busy import leaves it: where it was before, nothing having been written
# (an apply or revert writes all in one transaction, and a late run of a cancelled attempt
# cannot commit: imports/jobs.py).
_CANCELLED = {
    ImportStatus.PREVIEWING: (
        ImportStatus.UPLOADED,
        _lazy("The preview was cancelled. Update the preview to run it again."),
    ),
    ImportStatus.APPLYING: (
        ImportStatus.PREVIEWED,
        _lazy("The import was cancelled; nothing was written. Apply it again when ready."),
    ),
    ImportStatus.REVERTING: (
        ImportStatus.APPLIED,
        _lazy("The revert was cancelled; nothing was changed."),
    ),
}


def _lock_stale(import_run: Import) -> Import:
    locked = Import.objects.select_for_update().get(pk=import_run.pk)
    if locked.status not in BUSY_STATUSES:
        raise DomainError(_("This import is no longer waiting for a worker."), code="conflict")
    if not locked.is_stale:
        raise DomainError(
            _("The worker is still at this import; wait for it to finish."), code="conflict"
        )
    return locked


@transaction.atomic
def import_rerun(*, actor: User, import_run: Import) -> Import:
    """Hand a stale busy import to the worker again (the caller dispatches it).

    Safe whatever became of the first run: a worker that died wrote nothing (one
    transaction), and one that is in fact alive still holds the import's worker lock, so the
    new delivery leaves the import to it. The attempt stays the same for that reason.
    """
    _check_importer(actor)
    # Locked: two clicks on "Run again" hand it out once; the second finds it fresh.
    locked = _lock_stale(import_run)
    locked.queued_at, locked.heartbeat_at = timezone.now(), None
    locked.save(update_fields=["queued_at", "heartbeat_at"])
    return locked


@transaction.atomic
def import_cancel(*, actor: User, import_run: Import) -> Import:
    """Give up a stale busy import: back to where it was before, nothing written.

    A new attempt: if its worker turns up after all, its writes are refused and rolled back.
    """
    _check_importer(actor)
    locked = _lock_stale(import_run)
    status, message = _CANCELLED[locked.status]
    locked.status, locked.progress, locked.error = status, 0, str(message)
    locked.attempt += 1
    locked.queued_at = locked.heartbeat_at = None
    locked.save(update_fields=BUSY_FIELDS)
    return locked


def background_threshold() -> int:
    return getattr(settings, "CRM_IMPORT_BACKGROUND_ROWS", 1000)


def background_bytes() -> int:
    return getattr(settings, "CRM_IMPORT_BACKGROUND_BYTES", 256 * 1024)
