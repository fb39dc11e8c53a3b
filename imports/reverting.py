"""Reverting an import: remove what it created and restore what it updated, unless changed
since (those records are left alone and listed in the import's `revert_report`).

A small import is reverted in the request (`import_revert`: imports/services.py); a large one
by the worker, which runs `import_revert_queued`. All or nothing: a failure leaves the import
applied.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Organization, Person, PersonEmail, PersonPhone
from contacts.normalize import organization_index_fields
from deals.models import Deal
from imports.jobs import Claim, Progress, run_claimed
from imports.models import Import, ImportRow, ImportStatus, RowAction
from leads.models import Lead

MODELS = {"organization": Organization, "person": Person, "lead": Lead, "deal": Deal}


def import_revert_queued(*, import_id: int) -> Import:
    """Remove what the import created and restore what it updated, unless changed since.

    Records changed after the import (and contacts other records now use) are left alone and
    listed in `revert_report["kept"]`. All or nothing: a failure leaves the import applied.
    """

    def work(import_run: Import, claim: Claim, progress: Progress) -> None:
        # No row lock on the import here: the revert's hand-over took the import over, and the
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
