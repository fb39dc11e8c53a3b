"""Persons and organizations, with the normalized keys the duplicate check matches on."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models import OwnedRecord


class Organization(OwnedRecord):
    name = models.CharField(_("name"), max_length=255)
    name_key = models.CharField(max_length=255, db_index=True, editable=False)
    address = models.TextField(_("address"), blank=True)
    website = models.CharField(_("website"), max_length=255, blank=True)
    domain = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    # Duplicate-check keys (`normalize.organization_index_fields`; indexed in migration 0004)
    name_sound = models.CharField(max_length=8, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["owner", "visible_to"])]

    def __str__(self) -> str:
        return self.name


class Person(OwnedRecord):
    name = models.CharField(_("name"), max_length=255)
    name_key = models.CharField(max_length=255, db_index=True, editable=False)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="persons",
    )
    job_title = models.CharField(_("job title"), max_length=255, blank=True)
    # Duplicate-check keys (`normalize.person_index_fields`; indexed together in migration 0004)
    given_key = models.CharField(max_length=64, blank=True, editable=False)
    given_sound = models.CharField(max_length=8, blank=True, editable=False)
    given_letters = models.CharField(max_length=26, blank=True, editable=False)
    family_key = models.CharField(max_length=64, blank=True, editable=False)
    family_sound = models.CharField(max_length=8, blank=True, editable=False)
    family_letters = models.CharField(max_length=26, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["owner", "visible_to"])]

    def __str__(self) -> str:
        return self.name

    @property
    def primary_email(self) -> str:
        emails = list(self.emails.all())
        return emails[0].email if emails else ""

    @property
    def primary_phone(self) -> str:
        phones = list(self.phones.all())
        return phones[0].number if phones else ""


class PersonEmail(models.Model):
    """One of a person's addresses; position 0 is the primary one."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="emails")
    email = models.CharField(_("email"), max_length=254)
    key = models.CharField(max_length=254, db_index=True, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.email

    @property
    def is_primary(self) -> bool:
        return self.position == 0


class PersonPhone(models.Model):
    """One of a person's numbers; position 0 is the primary one. `key` is E.164."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("phone"), max_length=64)
    key = models.CharField(max_length=32, db_index=True, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.number

    @property
    def is_primary(self) -> bool:
        return self.position == 0


class MergeKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organization")


class MergeRecord(models.Model):
    """A merge, kept forever: who merged what into what, and the merged record as it was."""

    kind = models.CharField(max_length=20, choices=MergeKind.choices)
    survivor_id = models.BigIntegerField(db_index=True)
    merged_id = models.BigIntegerField()
    merged_name = models.CharField(max_length=255)
    merged_data = models.JSONField(default=dict)
    kept_values = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.merged_id} → {self.survivor_id}"
