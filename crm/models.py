"""Users, teams and the visibility every record carries."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    REP = "rep", _("Sales rep")


class Visibility(models.TextChoices):
    OWNER = "owner", _("Owner only")
    TEAM = "team", _("Owner's team")
    COMPANY = "company", _("Whole company")


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CrmUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # `manage.py createsuperuser` makes an admin of the CRM, not just of Django's admin.
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.REP)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    managed_teams = models.ManyToManyField(
        Team, verbose_name=_("managed teams"), blank=True, related_name="managers"
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Empty: the browser's language."),
    )

    objects = CrmUserManager()

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_crm_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    # A CRM admin manages every model in Django's admin, as a superuser does.
    def has_perm(self, perm, obj=None) -> bool:
        return (self.is_active and self.role == Role.ADMIN) or super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        return (self.is_active and self.role == Role.ADMIN) or super().has_module_perms(app_label)


class CompanySettings(models.Model):
    """One row: the company-wide defaults an admin sets."""

    default_visibility = models.CharField(
        _("default visibility"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.TEAM,
    )
    default_currency = models.CharField(_("default currency"), max_length=3, default="EUR")

    class Meta:
        verbose_name = verbose_name_plural = _("company settings")

    def __str__(self) -> str:
        return str(_("Company settings"))

    @classmethod
    def load(cls) -> "CompanySettings":
        obj, _created = cls.objects.get_or_create(
            pk=1, defaults={"default_currency": settings.CRM_DEFAULT_CURRENCY}
        )
        return obj


class OwnedRecord(models.Model):
    """A record with an owner and a visibility: persons, organizations, leads, deals."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    visible_to = models.CharField(
        _("visible to"), max_length=10, choices=Visibility.choices, default=Visibility.TEAM
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The values of the fields an admin added (`crm.custom_fields`), {key: value}. The database
    # default too: the imports' COPY writes rows without naming this column.
    custom_fields = models.JSONField(
        _("custom fields"),
        default=dict,
        db_default=models.Value({}, models.JSONField()),
        blank=True,
    )

    class Meta:
        abstract = True


class Label(models.Model):
    """A coloured label an admin defines; leads and deals carry them."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    color = models.CharField(
        _("colour"), max_length=7, default="#6b7280", help_text=_("A hex colour, e.g. #2563eb.")
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FieldEntity(models.TextChoices):
    """The records an admin can add fields to. Leads share the deal fields (as in Pipedrive)
    and may have fields of their own; a lead's deal-field values become the deal's."""

    DEAL = "deal", _("Deal")
    LEAD = "lead", _("Lead")
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organization")


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    MONEY = "money", _("Money")
    DATE = "date", _("Date")
    OPTION = "option", _("Single option")
    OPTIONS = "options", _("Multiple options")
    USER = "user", _("User")
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organization")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    URL = "url", _("URL")
    BOOLEAN = "boolean", _("Yes/no")


class CustomField(models.Model):
    """A field an admin added to deals, leads, persons or organizations.

    Values live in the record's `custom_fields` jsonb column under `key` (which never changes,
    so renaming the field keeps them): option types store option ids, so renaming an option
    keeps them too. Archiving hides the field everywhere and keeps the values.
    """

    entity = models.CharField(_("record"), max_length=20, choices=FieldEntity.choices)
    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=20, choices=FieldType.choices)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["entity", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "key"], name="custom_field_key_unique"),
            models.UniqueConstraint(Lower("name"), "entity", name="custom_field_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_options(self) -> bool:
        return self.type in (FieldType.OPTION, FieldType.OPTIONS)


class CustomFieldOption(models.Model):
    field = models.ForeignKey(
        CustomField, verbose_name=_("field"), on_delete=models.CASCADE, related_name="options"
    )
    label = models.CharField(_("label"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["field", "position", "id"]
        constraints = [
            models.UniqueConstraint("field", Lower("label"), name="custom_field_option_unique"),
        ]

    def __str__(self) -> str:
        return self.label
