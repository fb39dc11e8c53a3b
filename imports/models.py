"""Imports of spreadsheets: the file, its mapping and choices, and the outcome of every row."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    ORGANIZATIONS = "organizations", _("Organizations")
    PERSONS = "persons", _("Persons")
    LEADS = "leads", _("Leads")
    DEALS = "deals", _("Deals")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PREVIEWING = "previewing", _("Previewing")
    PREVIEWED = "previewed", _("Previewed")
    APPLYING = "applying", _("Applying")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Failed")
    REVERTING = "reverting", _("Reverting")
    REVERTED = "reverted", _("Reverted")


# Statuses of an import the worker is busy with: the page shows the progress bar and polls.
BUSY_STATUSES = frozenset({ImportStatus.PREVIEWING, ImportStatus.APPLYING, ImportStatus.REVERTING})


def stale_after() -> timedelta:
    """How long a busy import may go without a sign of its worker before the admin is offered
    to run it again or cancel it (no worker took it, or the worker died)."""
    return timedelta(seconds=getattr(settings, "CRM_IMPORT_STALE_SECONDS", 300))


class DuplicateChoice(models.TextChoices):
    MERGE = "merge", _("Merge into the existing record")
    SKIP = "skip", _("Skip the row")
    CREATE = "create", _("Create anyway")


class OnError(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing: one bad row and nothing is written")
    SKIP_BAD_ROWS = "skip_bad_rows", _("Skip the bad rows and import the rest")


class Import(models.Model):
    """One uploaded file and what became of it. The file is kept in the database so a worker
    on another machine can read it."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(editable=False)
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.TextField(_("error"), blank=True)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"), default=0)
    # Each hand-over to the worker is a new attempt; the worker writes only while the import
    # is still in the status and attempt it started with, so a cancelled or superseded run
    # cannot write (its transaction is rolled back).
    attempt = models.PositiveIntegerField(default=0, editable=False)
    queued_at = models.DateTimeField(_("handed to the worker"), null=True, blank=True)
    # Refreshed by the worker as it goes; empty while no worker has taken the import yet.
    heartbeat_at = models.DateTimeField(_("last sign of the worker"), null=True, blank=True)
    revert_report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    reverted_at = models.DateTimeField(_("reverted"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("run_import", _("May import and revert imports"))]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_kind_display()})"

    @property
    def is_busy(self) -> bool:
        return self.status in BUSY_STATUSES

    @property
    def is_waiting(self) -> bool:
        """Busy, but no worker has taken it yet."""
        return self.is_busy and self.heartbeat_at is None

    @property
    def last_sign(self) -> datetime | None:
        """When the worker (or, while none has taken it, the hand-over) last showed life."""
        if not self.is_busy:
            return None
        return self.heartbeat_at or self.queued_at or self.created_at

    @property
    def is_stale(self) -> bool:
        """Busy with no sign of a worker for longer than `stale_after()`: it may be run
        again or cancelled."""
        last = self.last_sign
        return last is not None and timezone.now() - last > stale_after()


class RowAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class ImportRow(models.Model):
    """The outcome of one row of an applied import; enough to revert it."""

    import_run = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(_("row"))
    action = models.CharField(max_length=10, choices=RowAction.choices)
    messages = models.JSONField(default=list, blank=True)
    record_type = models.CharField(max_length=20, blank=True)
    record_id = models.BigIntegerField(null=True, blank=True)
    # Updates: the fields as they were before and as the import wrote them.
    previous = models.JSONField(null=True, blank=True)
    written = models.JSONField(null=True, blank=True)
    # Persons and organizations a lead or deal row created along with it.
    also_created = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["import_run", "number"]
        indexes = [models.Index(fields=["import_run", "action"])]

    def __str__(self) -> str:
        return f"{self.import_run_id}:{self.number} {self.action}"


class SavedMapping(models.Model):
    """A mapping of column headings to fields, saved to reuse with the next file of its kind."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    mapping = models.JSONField(_("mapping"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="saved_mapping_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class SavedPlan(models.Model):
    """The plan of an import's last preview, kept so that applying it need not plan the file
    again (imports/planning/kept.py). Used only for the same file, mapping and choices (`key`), and
    only while the records it matched are as they were."""

    import_run = models.OneToOneField(
        Import, on_delete=models.CASCADE, primary_key=True, related_name="saved_plan"
    )
    key = models.CharField(max_length=64)
    data = models.BinaryField()
    signature = models.CharField(max_length=64)
    saved_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"plan of import {self.import_run_id}"
