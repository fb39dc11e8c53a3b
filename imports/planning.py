"""The plan of an import: what every row will do, computed with a handful of bulk queries.

The preview shows a plan; the apply writes one (imports/services.py). Rows are validated in
Python, references (owners, stages, existing contacts) are resolved from dictionaries loaded
in bulk, and existing duplicates are found by exact normalized keys (e-mail, phone, name),
which is what makes a 100,000-row file feasible.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, models, transaction
from django.db.models import F, Lookup, Q, Value
from django.utils.translation import gettext as _

from contacts.duplicates import (
    ORGANIZATION_THRESHOLD,
    PERSON_THRESHOLD,
    OrganizationFacts,
    PersonFacts,
    score_organization,
    score_person,
)
from contacts.models import Organization, Person, PersonEmail, PersonPhone
from contacts.normalize import (
    email_key,
    fold,
    organization_index_fields,
    organization_name_key,
    person_index_fields,
    phone_key,
)
from crm.models import CompanySettings, User
from crm.visibility import can_assign_to, visible_q
from deals.models import DealStatus, Pipeline, Stage
from imports.cleaning import CellError, parse_date, parse_decimal, parse_visibility, text
from imports.models import DuplicateChoice, RowAction

# Few parameters per query keeps SQLite (999 variables on old builds) and PostgreSQL happy.
LOOKUP_CHUNK = 900
# pg_trgm's similarity from which a name is a candidate (the duplicate check's: a misspelt
# longer name still is one, "thomas shmidt" 0.71; the default 0.3 makes every "Thomas S..."
# one). The candidates are then scored by contacts.duplicates.
TRIGRAM_THRESHOLD = "0.6"


@cache
def _attnames(model) -> frozenset[str]:
    return frozenset(f.attname for f in model._meta.concrete_fields)


def model_fields(model, values: dict) -> dict:
    """Only the keys `model` has: the index fields grow as the duplicate check does."""
    names = _attnames(model)
    return {k: v for k, v in values.items() if k in names}


@dataclass
class NewOrganization:
    name: str
    website: str = ""
    address: str = ""
    owner_id: int | None = None
    visible_to: str = ""
    row: int = 0
    instance: Organization | None = None
    pk: int | None = None  # set once written


@dataclass
class NewPerson:
    name: str
    emails: list[tuple[str, str]] = field(default_factory=list)
    phones: list[tuple[str, str]] = field(default_factory=list)
    organization: NewOrganization | int | None = None
    job_title: str = ""
    owner_id: int | None = None
    visible_to: str = ""
    row: int = 0
    pk: int | None = None  # set once written
    index: dict = field(default_factory=dict)  # person_index_fields of the name


@dataclass
class RowPlan:
    number: int
    action: str = RowAction.CREATED
    errors: list[dict] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    # The record the row creates (a New* or the values of a lead/deal) or updates (its id).
    new: object | None = None
    existing_id: int | None = None
    duplicate: dict | None = None
    person: NewPerson | int | None = None
    organization: NewOrganization | int | None = None

    def fail(self, column: str, message: str) -> None:
        self.action = RowAction.FAILED
        self.errors.append({"row": self.number, "column": column, "message": message})


def chunks(items: list, size: int | None = None) -> Iterable[list]:
    # SQLite builds may allow only 999 parameters; PostgreSQL gets one array per query.
    size = size or (50_000 if connection.vendor == "postgresql" else LOOKUP_CHUNK)
    for start in range(0, len(items), size):
        yield items[start : start + size]


BIGINT = models.BigIntegerField()
_BARE_ADDRESS = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+")


class _EqualsAny(Lookup):
    lookup_name = "equals_any"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def among(field: str, values: list, base: models.Field | None = None):
    """`field IN values`; on PostgreSQL `field = ANY(%s)` with one array parameter, which
    spares the driver and the planner tens of thousands of placeholders."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": values})
    array = Value(list(values), output_field=ArrayField(base or models.CharField()))
    return _EqualsAny(F(field), array)


class Lookups:
    """Everything rows refer to, loaded once: users, stages, existing contacts by key."""

    def __init__(self, *, actor: User, options: dict):
        self.actor = actor
        self.options = options
        self.country = settings.CRM_DEFAULT_COUNTRY
        self.users: dict[str, User | None] = {}
        for user in User.objects.filter(is_active=True):
            for name in {fold(user.username), user.email.lower(), fold(user.get_full_name())}:
                if not name:
                    continue
                # A name two users share is ambiguous: it maps to nobody.
                self.users[name] = None if name in self.users and self.users[name] != user else user
        self.assignable: dict[int, bool] = {}
        self.default_visibility = (
            options.get("visible_to") or CompanySettings.load().default_visibility
        )
        self.default_owner_id = options.get("owner") or actor.pk
        self.person_by_email: dict[str, int] = {}
        self.person_by_phone: dict[str, int] = {}
        self.person_by_name: dict[str, int] = {}
        self.organization_by_name: dict[str, int] = {}
        # name key -> (id, reason) of the most similar record, where no equal one exists.
        self.similar_person: dict[str, tuple[int, str]] = {}
        self.similar_organization: dict[str, tuple[int, str]] = {}
        self.names: dict[tuple[str, int], str] = {}
        self.pipeline: Pipeline | None = None
        self.stages: dict[str, Stage] = {}

    def load_pipeline(self) -> None:
        pipeline_id = self.options.get("pipeline")
        qs = Pipeline.objects.filter(is_active=True)
        self.pipeline = (qs.filter(pk=pipeline_id).first() if pipeline_id else None) or qs.first()
        if self.pipeline is not None:
            stages = list(self.pipeline.stages.order_by("order", "id"))
            self.stages = {fold(s.name): s for s in stages}
            self.first_stage = stages[0] if stages else None
            self.last_stage = stages[-1] if stages else None

    def load_persons(self, emails: set[str], phones: set[str], names: set[str]) -> None:
        # Visibility joined in (visible_q through the relation), not a subquery: PostgreSQL
        # would otherwise scan every person once per chunk.
        for chunk in chunks(sorted(emails)):
            for key, pk, name in (
                PersonEmail.objects.filter(among("key", chunk))
                .filter(visible_q(self.actor, "person__"))
                .values_list("key", "person_id", "person__name")
            ):
                self.person_by_email.setdefault(key, pk)
                self.names[("person", pk)] = name
        for chunk in chunks(sorted(phones)):
            for key, pk, name in (
                PersonPhone.objects.filter(among("key", chunk))
                .filter(visible_q(self.actor, "person__"))
                .values_list("key", "person_id", "person__name")
            ):
                self.person_by_phone.setdefault(key, pk)
                self.names[("person", pk)] = name
        seen = Person.objects.filter(visible_q(self.actor))
        for chunk in chunks(sorted(names)):
            for key, pk, name in (
                seen.filter(among("name_key", chunk))
                .order_by("pk")
                .values_list("name_key", "pk", "name")
            ):
                self.person_by_name.setdefault(key, pk)
                self.names[("person", pk)] = name

    def load_organizations(self, names: set[str]) -> None:
        seen = Organization.objects.filter(visible_q(self.actor))
        for chunk in chunks(sorted(names)):
            for key, pk, name in (
                seen.filter(among("name_key", chunk))
                .order_by("pk")
                .values_list("name_key", "pk", "name")
            ):
                self.organization_by_name.setdefault(key, pk)
                self.names[("organization", pk)] = name

    def load_similar(self, model, keys: set[str]) -> None:
        """The most similar record `actor` may see for each name key, where none is equal.

        One query on PostgreSQL: the keys as an array, joined by pg_trgm's `%` to the
        trigram-indexed `name_key`, the visibility filter compiled from `visible_q`.
        """
        if connection.vendor != "postgresql" or not keys:
            return
        record_type = "person" if model is Person else "organization"
        table = connection.ops.quote_name(model._meta.db_table)
        query = model.objects.filter(visible_q(self.actor)).query
        try:
            where, params = query.where.as_sql(
                query.get_compiler(connection=connection), connection
            )
        except EmptyResultSet:
            return
        except FullResultSet:  # an admin sees every record
            where, params = "", ()
        # Only the model's table name and the filter Django compiled (with parameters) are
        # formatted in; every value is a parameter.
        sql = (
            f"SELECT q.key, {table}.id, {table}.name FROM unnest(%s::text[]) AS q(key) "  # noqa: S608
            f"JOIN {table} ON {table}.name_key %% q.key AND {table}.name_key <> q.key"
            + (f" WHERE {where}" if where else "")
        )
        # The threshold is local to a transaction (of its own if need be) and set back after.
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('pg_trgm.similarity_threshold', true), "
                "set_config('pg_trgm.similarity_threshold', %s, true)",
                [TRIGRAM_THRESHOLD],
            )
            previous = cursor.fetchone()[0] or "0.3"
            cursor.execute(sql, [sorted(keys), *params])
            candidates = cursor.fetchall()
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [previous]
            )
        best: dict[str, tuple[int, int, str, str]] = {}
        for key, pk, name in candidates:
            if model is Person:
                found = score_person(PersonFacts(name=key), PersonFacts(name=name))
                enough = found.score >= PERSON_THRESHOLD
            else:
                found = score_organization(
                    OrganizationFacts(name=key), OrganizationFacts(name=name)
                )
                enough = found.score >= ORGANIZATION_THRESHOLD
            if enough and (key not in best or (found.score, -pk) > best[key][:2]):
                best[key] = (found.score, -pk, name, ", ".join(found.reasons))
        similar = self.similar_person if model is Person else self.similar_organization
        for key, (_score, negative_pk, name, reason) in best.items():
            similar[key] = (-negative_pk, reason)
            self.names[(record_type, -negative_pk)] = name

    def owner_id(self, value, plan: RowPlan) -> int:
        raw = text(value)
        if not raw:
            return int(self.default_owner_id)
        key = raw.lower() if "@" in raw else fold(raw)
        user = self.users.get(key)
        if user is None:
            message = (
                _("“%(value)s” names more than one user; use the e-mail address.")
                if key in self.users
                else _("No user “%(value)s”: add the user first, or leave the cell empty.")
            )
            plan.fail("owner", message % {"value": raw})
            return 0
        if user.pk not in self.assignable:
            self.assignable[user.pk] = can_assign_to(self.actor, user)
        if not self.assignable[user.pk]:
            plan.fail("owner", _("You may not give records to %(user)s.") % {"user": user})
        return user.pk


class Planner:
    """Turns the mapped rows of one file into one RowPlan per row."""

    def __init__(
        self, *, kind: str, actor: User, options: dict, headers: list[str], mapping: dict[str, str]
    ):
        self.kind = kind
        self.actor = actor
        self.options = options
        self.duplicates = options.get("duplicates") or DuplicateChoice.MERGE
        self.date_format = options.get("date_format") or "iso"
        self.decimal_separator = options.get("decimal_separator") or "."
        self.columns = {key: i for i, header in enumerate(headers) if (key := mapping.get(header))}
        self.headers = {key: headers[i] for key, i in self.columns.items()}
        self.lookups = Lookups(actor=actor, options=options)
        # Contacts this file creates, by key, so two rows naming one person make one person.
        self.new_persons: list[NewPerson] = []
        self.new_organizations: list[NewOrganization] = []
        self.new_person_by: dict[str, NewPerson] = {}
        self.new_organization_by: dict[str, NewOrganization] = {}
        # Keys are computed once per value: the preload and the rows share them.
        self.email_keys: dict[str, str] = {}
        self.phone_keys: dict[str, str] = {}
        self.person_index: dict[str, dict] = {}
        self.organization_keys: dict[str, str] = {}

    def person_fields(self, name: str) -> dict:
        fields = self.person_index.get(name)
        if fields is None:
            fields = self.person_index[name] = person_index_fields(name)
        return fields

    def organization_key(self, name: str) -> str:
        # Many rows name the same organization: fold each name once.
        key = self.organization_keys.get(name)
        if key is None:
            key = self.organization_keys[name] = organization_name_key(name)
        return key

    def email_key(self, raw: str) -> str:
        key = self.email_keys.get(raw)
        if key is None:
            # A bare address is its own key, lowercased: no need to parse it as a header.
            key = raw.lower() if _BARE_ADDRESS.fullmatch(raw) else email_key(raw)
            self.email_keys[raw] = key
        return key

    def phone_key(self, raw: str) -> str:
        key = self.phone_keys.get(raw)
        if key is None:
            key = self.phone_keys[raw] = phone_key(raw, self.lookups.country)
        return key

    def cell(self, row: list, key: str):
        i = self.columns.get(key)
        if i is None or i >= len(row):
            return None
        return row[i]

    def column(self, key: str) -> str:
        return self.headers.get(key, key)

    def plan(
        self, rows: list[list], progress: Callable[[int], None] | None = None
    ) -> list[RowPlan]:
        self._preload(rows)
        plan_row = {
            "organizations": self._organization_row,
            "persons": self._person_row,
            "leads": self._deal_or_lead_row,
            "deals": self._deal_or_lead_row,
        }[self.kind]
        plans = []
        for index, row in enumerate(rows):
            plan = RowPlan(number=index + 2)  # row 1 holds the headings
            plan_row(row, plan)
            plans.append(plan)
            if progress and index % 5000 == 0:
                progress(index)
        return plans

    # --- bulk loading ------------------------------------------------------------------------

    def _preload(self, rows: list[list]) -> None:
        lookups = self.lookups
        emails, phones, person_names, organization_names = set(), set(), set(), set()
        name_field = "name" if self.kind == "persons" else "person_name"
        email_field = "email" if self.kind == "persons" else "person_email"
        phone_field = "phone" if self.kind == "persons" else "person_phone"
        org_field = "name" if self.kind == "organizations" else "organization_name"
        # Names whose row has no e-mail or phone: a similar name is their only hint.
        uncontacted_names = set()
        for row in rows:
            if self.kind != "organizations":
                email = self.email_key(text(self.cell(row, email_field)))
                phone = self.phone_key(text(self.cell(row, phone_field)))
                if email:
                    emails.add(email)
                if phone:
                    phones.add(phone)
                if name := text(self.cell(row, name_field)):
                    name_key = self.person_fields(name)["name_key"]
                    person_names.add(name_key)
                    if not (email or phone):
                        uncontacted_names.add(name_key)
            if key := self.organization_key(text(self.cell(row, org_field))):
                organization_names.add(key)
        if placeholder := (self.options.get("placeholder_organization") or "").strip():
            organization_names.add(organization_name_key(placeholder))
        lookups.load_persons(emails, phones, person_names)
        lookups.load_organizations(organization_names)
        lookups.load_similar(Person, uncontacted_names - lookups.person_by_name.keys())
        if self.kind == "organizations":
            lookups.load_similar(
                Organization, organization_names - lookups.organization_by_name.keys()
            )
        if self.kind == "deals":
            lookups.load_pipeline()

    # --- common cells ------------------------------------------------------------------------

    def _owner_and_visibility(self, row: list, plan: RowPlan) -> tuple[int, str]:
        if "owner" not in self.columns and "visible_to" not in self.columns:
            # The file has neither: every row gets the importer's choice.
            return int(self.lookups.default_owner_id), self.lookups.default_visibility
        owner_id = self.lookups.owner_id(self.cell(row, "owner"), plan)
        try:
            visible_to = parse_visibility(self.cell(row, "visible_to"))
        except CellError as exc:
            plan.fail(self.column("visible_to"), exc.message)
            visible_to = None
        return owner_id, visible_to or self.lookups.default_visibility

    def _name(self, row: list, key: str, plan: RowPlan, *, required: bool) -> str:
        value = text(self.cell(row, key))
        if required and not value:
            plan.fail(self.column(key), _("This cell is empty; a name is required."))
        elif len(value) > 255:
            plan.fail(self.column(key), _("At most 255 characters."))
        return value

    def _date(self, row: list, key: str, plan: RowPlan) -> date | None:
        try:
            return parse_date(self.cell(row, key), self.date_format)
        except CellError as exc:
            plan.fail(self.column(key), exc.message)
            return None

    def _contact_keys(
        self, row: list, plan: RowPlan, email_field: str, phone_field: str
    ) -> tuple[list, list]:
        emails, phones = [], []
        if raw := text(self.cell(row, email_field)):
            key = self.email_key(raw)
            if not key or len(raw) > 254:
                plan.fail(
                    self.column(email_field),
                    _("“%(value)s” is not an e-mail address.") % {"value": raw},
                )
            else:
                emails.append((raw, key))
        if raw := text(self.cell(row, phone_field)):
            key = self.phone_key(raw)
            if not key or len(raw) > 64:
                plan.fail(
                    self.column(phone_field),
                    _("“%(value)s” is not a phone number.") % {"value": raw},
                )
            else:
                phones.append((raw, key))
        return emails, phones

    def _existing_person(
        self, name_key: str, emails: list, phones: list
    ) -> tuple[int | NewPerson | None, str]:
        lookups = self.lookups
        for _raw, key in emails:
            if found := lookups.person_by_email.get(key) or self.new_person_by.get("e:" + key):
                return found, _("same e-mail")
        for _raw, key in phones:
            if found := lookups.person_by_phone.get(key) or self.new_person_by.get("p:" + key):
                return found, _("same phone")
        if name_key and (
            found := lookups.person_by_name.get(name_key) or self.new_person_by.get("n:" + name_key)
        ):
            return found, _("same name")
        if name_key and not (emails or phones) and name_key in lookups.similar_person:
            return lookups.similar_person[name_key]
        return None, ""

    def _remember_person(self, person: NewPerson, name_key: str) -> None:
        person.index = self.person_fields(person.name)
        self.new_persons.append(person)
        for _raw, key in person.emails:
            self.new_person_by.setdefault("e:" + key, person)
        for _raw, key in person.phones:
            self.new_person_by.setdefault("p:" + key, person)
        if name_key:
            self.new_person_by.setdefault("n:" + name_key, person)

    def _organization_ref(
        self, name: str, owner_id: int, visible_to: str, number: int
    ) -> int | NewOrganization | None:
        key = self.organization_key(name)
        if not key:
            return None
        found = self.lookups.organization_by_name.get(key) or self.new_organization_by.get(key)
        if found is None or (
            self.duplicates == DuplicateChoice.CREATE
            and isinstance(found, int)
            and self.kind != "persons"
        ):
            found = NewOrganization(name=name, owner_id=owner_id, visible_to=visible_to, row=number)
            self.new_organizations.append(found)
            self.new_organization_by[key] = found
        return found

    def _duplicate(self, plan: RowPlan, found, reason: str, record_type: str) -> None:
        if isinstance(found, int):
            name = self.lookups.names.get((record_type, found), "")
            plan.duplicate = {
                "row": plan.number,
                "record_type": record_type,
                "id": found,
                "name": name,
                "reason": reason,
            }
        else:
            plan.duplicate = {
                "row": plan.number,
                "record_type": record_type,
                "id": None,
                "name": found.name,
                "reason": reason,
                "same_as_row": found.row,
            }

    # --- one row of each kind ----------------------------------------------------------------

    def _organization_row(self, row: list, plan: RowPlan) -> None:
        name = self._name(row, "name", plan, required=True)
        owner_id, visible_to = self._owner_and_visibility(row, plan)
        website = text(self.cell(row, "website"))[:255]
        address = text(self.cell(row, "address"))
        if plan.action == RowAction.FAILED:
            return
        key = self.organization_key(name)
        found = self.lookups.organization_by_name.get(key) or self.new_organization_by.get(key)
        reason = _("same name")
        if found is None and key in self.lookups.similar_organization:
            found, reason = self.lookups.similar_organization[key]
        if found is not None:
            self._duplicate(plan, found, reason, "organization")
            if self._resolve_duplicate(plan, found, {"address": address, "website": website}):
                return
        organization = NewOrganization(
            name=name,
            website=website,
            address=address,
            owner_id=owner_id,
            visible_to=visible_to,
            row=plan.number,
        )
        self.new_organizations.append(organization)
        self.new_organization_by.setdefault(key, organization)
        plan.new = organization

    def _resolve_duplicate(self, plan: RowPlan, found, updates: dict) -> bool:
        """Apply the import's duplicate choice; True when the row needs no new record."""
        if self.duplicates == DuplicateChoice.CREATE:
            return False
        if self.duplicates == DuplicateChoice.SKIP:
            plan.action = RowAction.SKIPPED
            plan.messages.append(
                _("Skipped: already exists (%(reason)s).") % {"reason": plan.duplicate["reason"]}
            )
            return True
        plan.action = RowAction.UPDATED
        if isinstance(found, int):
            plan.existing_id = found
            plan.values = {k: v for k, v in updates.items() if v not in ("", None, [])}
        else:
            # The same record twice in one file: the second row completes the first.
            for attr, value in updates.items():
                if attr in ("emails", "phones"):
                    known = {k for _raw, k in getattr(found, attr)}
                    getattr(found, attr).extend(p for p in value if p[1] not in known)
                elif value and not getattr(found, attr):
                    setattr(found, attr, value)
            plan.new = found
            plan.messages.append(_("Merged into row %(row)d.") % {"row": found.row})
        return True

    def _person_row(self, row: list, plan: RowPlan) -> None:
        name = self._name(row, "name", plan, required=True)
        emails, phones = self._contact_keys(row, plan, "email", "phone")
        owner_id, visible_to = self._owner_and_visibility(row, plan)
        job_title = text(self.cell(row, "job_title"))[:255]
        organization_name = self._name(row, "organization_name", plan, required=False)
        if plan.action == RowAction.FAILED:
            return
        organization = self._organization_ref(organization_name, owner_id, visible_to, plan.number)
        name_key = self.person_fields(name)["name_key"]
        found, reason = self._existing_person(name_key, emails, phones)
        if found is not None:
            self._duplicate(plan, found, reason, "person")
            updates = {
                "job_title": job_title,
                "organization": organization,
                "emails": emails,
                "phones": phones,
            }
            if self._resolve_duplicate(plan, found, updates):
                plan.organization = organization if plan.existing_id else None
                return
        person = NewPerson(
            name=name,
            emails=emails,
            phones=phones,
            organization=organization,
            job_title=job_title,
            owner_id=owner_id,
            visible_to=visible_to,
            row=plan.number,
        )
        self._remember_person(person, name_key)
        plan.new = person

    def _deal_or_lead_row(self, row: list, plan: RowPlan) -> None:
        title = text(self.cell(row, "title"))
        if not title:
            plan.fail(self.column("title"), _("This cell is empty; a title is required."))
        elif len(title) > 255:
            plan.fail(self.column("title"), _("At most 255 characters."))
        values: dict = {"title": title}
        try:
            value = parse_decimal(self.cell(row, "value"), self.decimal_separator)
            if value is not None and (value < 0 or value >= 10**12):
                raise CellError(_("Enter an amount from 0 to 999,999,999,999.99."))
            values["value"] = value or 0
        except CellError as exc:
            plan.fail(self.column("value"), exc.message)
        currency = text(self.cell(row, "currency")).upper()
        if currency and (len(currency) != 3 or not currency.isalpha()):
            plan.fail(self.column("currency"), _("Use a three-letter currency code such as EUR."))
        values["currency"] = currency or settings.CRM_DEFAULT_CURRENCY
        values["expected_close_date"] = self._date(row, "expected_close_date", plan)
        owner_id, visible_to = self._owner_and_visibility(row, plan)
        values["owner_id"], values["visible_to"] = owner_id, visible_to
        if self.kind == "deals":
            self._deal_stage(row, plan, values)
        person_name = self._name(row, "person_name", plan, required=False)
        emails, phones = self._contact_keys(row, plan, "person_email", "person_phone")
        organization_name = self._name(row, "organization_name", plan, required=False)
        if plan.action == RowAction.FAILED:
            return
        if not organization_name and not (person_name or emails or phones):
            organization_name = (self.options.get("placeholder_organization") or "").strip()
            if not organization_name:
                plan.fail(
                    self.column("organization_name"),
                    _(
                        "Each row needs a person or an organization: fill one in, or choose a "
                        "placeholder organization for rows without one."
                    ),
                )
                return
            plan.messages.append(
                _("No person or organization: linked to “%(name)s”.") % {"name": organization_name}
            )
        organization = self._organization_ref(organization_name, owner_id, visible_to, plan.number)
        person = None
        if person_name or emails or phones:
            name = person_name or (emails[0][0] if emails else phones[0][0])
            name_key = self.person_fields(name)["name_key"]
            found, reason = self._existing_person(name_key, emails, phones)
            if found is not None and self.duplicates != DuplicateChoice.CREATE:
                if self.duplicates == DuplicateChoice.SKIP and isinstance(found, int):
                    self._duplicate(plan, found, reason, "person")
                    plan.action = RowAction.SKIPPED
                    plan.messages.append(
                        _("Skipped: the person already exists (%(reason)s).") % {"reason": reason}
                    )
                    return
                person = found
            else:
                person = NewPerson(
                    name=name,
                    emails=emails,
                    phones=phones,
                    organization=organization,
                    owner_id=owner_id,
                    visible_to=visible_to,
                    row=plan.number,
                )
                self._remember_person(person, name_key)
        plan.person, plan.organization, plan.values = person, organization, values

    def _deal_stage(self, row: list, plan: RowPlan, values: dict) -> None:
        lookups = self.lookups
        if lookups.pipeline is None or lookups.first_stage is None:
            plan.fail(self.column("stage"), _("Create a pipeline with stages first."))
            return
        status = DealStatus.OPEN
        stage = lookups.first_stage
        raw_stage = text(self.cell(row, "stage"))
        raw_status = text(self.cell(row, "status"))
        statuses = {fold(v): v for v in DealStatus.values} | {
            fold(str(label)): v for v, label in DealStatus.choices
        }
        if raw_stage:
            folded = fold(raw_stage)
            if folded in lookups.stages:
                stage = lookups.stages[folded]
            elif folded in statuses:
                status = statuses[folded]
                stage = lookups.last_stage
            else:
                plan.fail(
                    self.column("stage"),
                    _("No stage “%(stage)s” in the pipeline “%(pipeline)s”.")
                    % {"stage": raw_stage, "pipeline": lookups.pipeline.name},
                )
        if raw_status:
            if fold(raw_status) not in statuses:
                plan.fail(
                    self.column("status"),
                    _("“%(value)s” is not a status: use open, won or lost.")
                    % {"value": raw_status},
                )
            else:
                status = statuses[fold(raw_status)]
        values["pipeline_id"], values["stage_id"], values["status"] = (
            lookups.pipeline.pk,
            stage.pk,
            status,
        )
        values["closed_on"] = self._date(row, "close_date", plan)


def organization_row_fields(new: NewOrganization) -> dict:
    return model_fields(Organization, organization_index_fields(new.name, new.website))


def person_row_fields(new: NewPerson) -> dict:
    return model_fields(Person, new.index or person_index_fields(new.name))
