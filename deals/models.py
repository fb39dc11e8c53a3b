"""Pipelines, their stages, deals and the history of every stage and status change."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contacts.models import Organization, Person
from crm.models import Label, OwnedRecord


class Pipeline(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    def first_stage(self) -> "Stage | None":
        return self.stages.order_by("order", "id").first()


class Stage(models.Model):
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.CASCADE, related_name="stages"
    )
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("win probability (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    rotting_days = models.PositiveIntegerField(
        _("rotting after (days)"),
        null=True,
        blank=True,
        help_text=_("A deal with no progress for longer than this is rotting. Empty: never."),
    )

    class Meta:
        ordering = ["pipeline", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.pipeline.name} › {self.name}"


class LostReason(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Deal(OwnedRecord):
    title = models.CharField(_("title"), max_length=255)
    value = models.DecimalField(
        _("value"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    # True: the value is the sum of the deal's products, kept by the products app's services
    # (through deal_value_set); False: the value is typed by hand.
    value_from_items = models.BooleanField(_("value from products"), default=False)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
    )
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="deals"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="deals"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DealStatus.choices, default=DealStatus.OPEN
    )
    lost_reason = models.ForeignKey(
        LostReason,
        verbose_name=_("lost reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
    )
    lost_reason_text = models.CharField(_("lost reason (details)"), max_length=255, blank=True)
    won_at = models.DateTimeField(_("won at"), null=True, blank=True)
    lost_at = models.DateTimeField(_("lost at"), null=True, blank=True)
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    labels = models.ManyToManyField(Label, verbose_name=_("labels"), blank=True, related_name="+")
    # Optimistic concurrency: every write bumps it; a write carrying an older one is refused.
    version = models.PositiveIntegerField(default=1)
    # When the deal last progressed (entered its stage or was created): drives "rotting".
    stage_entered_at = models.DateTimeField(_("in stage since"), auto_now_add=True)
    # Kept by the activity services so lists and the board need no per-row query.
    next_activity_at = models.DateTimeField(_("next activity"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=30, default="manual")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["pipeline", "status", "stage"], name="deal_board_idx"),
            models.Index(fields=["owner", "visible_to"]),
            models.Index(fields=["status", "won_at"]),
            models.Index(fields=["status", "lost_at"]),
            # The board: a column's first cards, and its totals from the index alone.
            models.Index(
                fields=["stage", "-stage_entered_at", "-id"],
                name="deal_board_cards_idx",
                condition=Q(status="open"),
            ),
            models.Index(
                fields=["pipeline", "stage", "currency", "owner", "visible_to", "value"],
                name="deal_board_totals_idx",
                condition=Q(status="open"),
            ),
            # The board's polling for other users' changes.
            models.Index(fields=["updated_at"], name="deal_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(organization__isnull=False),
                name="deal_has_person_or_organization",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="open", won_at__isnull=True, lost_at__isnull=True)
                    | Q(status="won", won_at__isnull=False, lost_at__isnull=True)
                    | Q(status="lost", lost_at__isnull=False, won_at__isnull=True)
                ),
                name="deal_status_times_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DealTally(models.Model):
    """How many deals, and what value, per pipeline, stage, status, owner, visibility and
    currency: the board's column totals and the API's list counts without reading 100,000
    deals.

    Kept by PostgreSQL triggers on the deals table (migration 0003), so every write counts,
    whatever makes it: services, bulk imports, COPY, cascades, raw SQL. Visibility depends on
    the owner and `visible_to` only, so a user's totals are exact sums of the rows they may
    see. Other databases (the embedded SQLite) keep no tally and read the deals instead
    (`deals.selectors.deal_tally`). Rows whose deals are all gone stay at zero.
    """

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=DealStatus.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    visible_to = models.CharField(max_length=10)
    currency = models.CharField(max_length=3)
    deal_count = models.BigIntegerField(default=0)
    value_total = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pipeline", "stage", "status", "owner", "visible_to", "currency"],
                name="deal_tally_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage_id}/{self.status}/{self.owner_id}: {self.deal_count}"


class HistoryKind(models.TextChoices):
    CREATED = "created", _("Created")
    CONVERTED = "converted", _("Converted from lead")
    STAGE = "stage", _("Stage changed")
    STATUS = "status", _("Status changed")


class DealHistory(models.Model):
    """One change of a deal's stage, pipeline or status (from, to, who, when).

    The deal's timeline and the reports both read this table; rows are only ever added.
    """

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(max_length=20, choices=HistoryKind.choices)
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=10, choices=DealStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=DealStatus.choices, blank=True)
    lost_reason = models.ForeignKey(
        LostReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    detail = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deal history"
        indexes = [
            models.Index(fields=["to_stage", "created_at"]),
            # The stage-conversion report walks each deal's history in order.
            models.Index(
                fields=["deal", "created_at", "id", "kind", "to_stage", "to_status"],
                name="dealhistory_flow_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id} {self.kind} {self.created_at:%Y-%m-%d}"


class DealStageStay(models.Model):
    """One stay of a deal in a stage: from the history row that put it there to the deal's
    next history row (a move, a win or loss; open while it is still there).

    Derived from `DealHistory` by PostgreSQL triggers (migration 0004), which recompute the
    stays of every deal a statement touched, so history written in any order or in bulk gives
    the same stays; a change of a stage's order recomputes its pipeline's. What the
    stage-conversion report needs is precomputed, so it counts stays in one pass without
    collapsing them per deal: whether the stay ended by moving to a later stage of the same
    pipeline, and when the deal's previous stay in this stage (and previous forward one) began:
    a stay is the deal's first in a period when the previous one began before it. Other
    databases keep none and pair the history rows in the report (`reports.selectors`).
    """

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="+", db_index=False)
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+", db_index=False)
    entered_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True)
    moved_forward = models.BooleanField(default=False)
    previous_entered_at = models.DateTimeField(null=True)
    previous_forward_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            # The report: a pipeline's stays, read from the index alone.
            models.Index(
                fields=["stage", "entered_at"],
                include=[
                    "deal",
                    "left_at",
                    "moved_forward",
                    "previous_entered_at",
                    "previous_forward_at",
                ],
                name="deal_stay_report_idx",
            ),
            models.Index(fields=["deal"], name="deal_stay_deal_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id} in {self.stage_id} from {self.entered_at:%Y-%m-%d}"
