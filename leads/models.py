"""The leads inbox: prospects not yet in a pipeline, and the deal each one became."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Email, Note
from contacts.models import Organization, Person
from crm.models import Label, OwnedRecord
from deals.models import Deal
from products.models import LineItem, LineItemChange


class LeadSource(models.TextChoices):
    MANUAL = "manual", _("Manual")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    WEB_FORM = "web_form", _("Web form")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event")
    OTHER = "other", _("Other")


class Lead(OwnedRecord):
    title = models.CharField(_("title"), max_length=255)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    value = models.DecimalField(
        _("value"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    # True: the value is the sum of the lead's products (leads/line_items.py); False: typed.
    value_from_items = models.BooleanField(_("value from products"), default=False)
    labels = models.ManyToManyField(Label, verbose_name=_("labels"), blank=True, related_name="+")
    source = models.CharField(
        _("source"), max_length=20, choices=LeadSource.choices, default=LeadSource.MANUAL
    )
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    # One deal per lead, held by the database too (the column is unique).
    deal = models.OneToOneField(
        Deal,
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lead",
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    next_activity_at = models.DateTimeField(_("next activity"), null=True, blank=True)
    # Link tables: what was written on the lead; the conversion moves these to the deal.
    notes = models.ManyToManyField(Note, blank=True, related_name="leads")
    activities = models.ManyToManyField(Activity, blank=True, related_name="leads")
    emails = models.ManyToManyField(Email, blank=True, related_name="leads")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["-created_at", "-id"],
                name="lead_inbox_idx",
                condition=Q(archived_at__isnull=True, converted_at__isnull=True),
            ),
            models.Index(fields=["owner", "visible_to"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(organization__isnull=False),
                name="lead_has_person_or_organization",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_converted(self) -> bool:
        return self.converted_at is not None

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def in_inbox(self) -> bool:
        return not self.is_converted and not self.is_archived


class LeadProduct(LineItem):
    """A product on a lead; the conversion moves it to the deal as a DealProduct."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="line_items")

    class Meta(LineItem.Meta):
        ordering = ["id"]
        indexes = [models.Index(fields=["lead", "id"], name="leadproduct_lead_idx")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id} on lead {self.lead_id}"


class LeadProductChange(LineItemChange):
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="product_changes")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lead", "created_at"], name="leadproductchange_lead_idx")]

    def __str__(self) -> str:
        return f"lead {self.lead_id} {self.kind} {self.product_name}"
