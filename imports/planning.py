"""The plan of an import: what every row will do, computed with a handful of bulk queries.

The preview shows a plan; the apply writes one (imports/services.py). Rows are validated in
Python, references (owners, stages, existing contacts) are resolved from dictionaries loaded
in bulk, and existing duplicates are found by exact normalized keys (e-mail, phone, name),
which is what makes a 100,000-row file feasible.

Similar names are possible duplicates too, scored by the duplicate check
(contacts/duplicates.py): for a person row without an e-mail or phone, any visible person
with a similar name; for one whose e-mail or phone matches nobody, only a person with a
similar name at the same organization (a namesake elsewhere with another address is most
likely someone else). The same e-mail or phone stays the certain match.
"""

from __future__ import annotations

import re
from collections import defaultdict
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
    person_name_similarity,
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
from crm.selectors import default_currency
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
# A row whose e-mail or phone matches nobody is a possible duplicate of a colleague (same
# organization) only if their names are this alike (contacts.duplicates'
# person_name_similarity): a typo, an initial, a nickname, not merely a shared family name
# and a similar given name ("Christine" / "Christopher Jackson", 0.77).
COLLEAGUE_NAME_SIMILARITY = 0.9
# The stored name keys of a person (`person_index_fields`) that `name_blocks` reads.
_BLOCK_FIELDS = ("given_key", "family_key", "family_sound", "family_letters")


def name_blocks(
    given_key: str, family_key: str, family_sound: str, family_letters: str
) -> frozenset[tuple]:
    """Keys two names this alike share at least one of: the same family name (a typo in
    the given name, a nickname, an initial), the same given name and a family name that
    sounds or is spelt alike (a typo in it), or the same two words in another order. Only
    the persons of an organization sharing one with a row are compared with it."""
    blocks: set[tuple] = {("words", *sorted((given_key, family_key)))}
    if family_key:
        blocks.add(("family", family_key))
        blocks.add(("given+sound", given_key, family_sound))
        blocks.add(("given+letters", given_key, family_letters))
    return frozenset(blocks)


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


@dataclass
class Wanted:
    """The keys of a file's rows that are looked up in the database: what the plan's matches
    depend on besides the file."""

    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    person_names: set[str] = field(default_factory=set)
    organization_names: set[str] = field(default_factory=set)
    # Names of rows without an e-mail or phone: a similar name is their only hint.
    uncontacted_names: set[str] = field(default_factory=set)
    # Rows with an e-mail or phone and an organization: their name, e-mail, phone and
    # organization keys, then their name's `_BLOCK_FIELDS`.
    contacted: set[tuple[str, ...]] = field(default_factory=set)


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


class _EqualsAnyOf(Lookup):
    """`lhs = ANY(string_to_array(rhs, US))`: the values joined by the unit separator."""

    lookup_name = "equals_any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(string_to_array({rhs}, chr(31)))", [*lhs_params, *rhs_params]


_UNIT_SEPARATOR = "\x1f"


def among(field: str, values: list, base: models.Field | None = None):
    """`field IN values`; on PostgreSQL `field = ANY(%s)` with one array parameter, which
    spares the driver and the planner tens of thousands of placeholders. Texts go as one
    string that the database splits: the driver adapts a list of 100,000 of them item by
    item, three times slower than the whole query."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": values})
    if base is None and not any(_UNIT_SEPARATOR in value for value in values):
        return _EqualsAnyOf(F(field), Value(_UNIT_SEPARATOR.join(values)))
    array = Value(list(values), output_field=ArrayField(base or models.CharField()))
    return _EqualsAny(F(field), array)


class Lookups:
    """Everything rows refer to, loaded once: users, stages, existing contacts by key."""

    def __init__(self, *, actor: User, options: dict):
        self.actor = actor
        self.options = options
        self.country = settings.CRM_DEFAULT_COUNTRY
        self.default_currency = default_currency()
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
        # (name key, organization id) -> (id, reason) of the most similar person there.
        self.similar_colleague: dict[tuple[str, int], tuple[int, str]] = {}
        self.names: dict[tuple[str, int], str] = {}
        self.pipeline: Pipeline | None = None
        self.stages: dict[str, Stage] = {}

    def load(self, kind: str, wanted: Wanted) -> None:
        """Everything the rows of a file refer to in the database, in a handful of queries."""
        self.load_persons(wanted.emails, wanted.phones, wanted.person_names)
        self.load_organizations(wanted.organization_names)
        self.load_similar(Person, wanted.uncontacted_names - self.person_by_name.keys())
        self.load_similar_colleagues(
            {
                (name_key, organization_id, name_blocks(*keys))
                for name_key, email, phone, organization_key, *keys in wanted.contacted
                if name_key not in self.person_by_name
                and email not in self.person_by_email
                and phone not in self.person_by_phone
                and (organization_id := self.organization_by_name.get(organization_key))
            }
        )
        if kind == "organizations":
            self.load_similar(
                Organization, wanted.organization_names - self.organization_by_name.keys()
            )
        if kind == "deals":
            self.load_pipeline()

    def snapshot(self) -> dict:
        """What a plan took from the database, comparable: two equal snapshots of the same
        `Wanted` give the same plan of the same file (imports/plans.py)."""
        return {
            "users": {key: user.pk if user else None for key, user in self.users.items()},
            "assignable": dict(self.assignable),
            "default_visibility": self.default_visibility,
            "default_owner_id": str(self.default_owner_id),
            "person_by_email": self.person_by_email,
            "person_by_phone": self.person_by_phone,
            "person_by_name": self.person_by_name,
            "organization_by_name": self.organization_by_name,
            "similar_person": self.similar_person,
            "similar_organization": self.similar_organization,
            "similar_colleague": self.similar_colleague,
            "names": self.names,
            "pipeline": self.pipeline.pk if self.pipeline else None,
            "stages": {key: stage.pk for key, stage in self.stages.items()},
            "first_stage": getattr(getattr(self, "first_stage", None), "pk", None),
            "last_stage": getattr(getattr(self, "last_stage", None), "pk", None),
        }

    def check_assignable(self, user_ids: Iterable[int]) -> None:
        """Decide now whether the actor may give records to these users (a plan decides it
        for the owners its rows name, as it meets them)."""
        users = {user.pk: user for user in self.users.values() if user is not None}
        for pk in user_ids:
            if pk in users:
                self.assignable[pk] = can_assign_to(self.actor, users[pk])

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

    def load_similar_colleagues(self, rows: set[tuple[str, int, frozenset]]) -> None:
        """The most similar visible person at the same organization, for each (name key,
        organization id, name blocks) with no equal name: one query for the organizations'
        persons; only those sharing a block with the name are scored (`name_blocks`).
        """
        if not rows:
            return
        organization_ids = sorted({organization_id for _key, organization_id, _b in rows})
        # organization id -> block -> [(id, name)] of the persons there.
        colleagues: dict[int, dict[tuple, list[tuple[int, str]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        seen = Person.objects.filter(visible_q(self.actor))
        for chunk in chunks(organization_ids):
            for pk, organization_id, name, *keys in (
                seen.filter(among("organization_id", chunk, BIGINT))
                .order_by("pk")
                .values_list("pk", "organization_id", "name", *_BLOCK_FIELDS)
            ):
                blocks = colleagues[organization_id]
                for block in name_blocks(*keys):
                    blocks[block].append((pk, name))
        for key, organization_id, row_blocks in sorted(rows, key=lambda r: r[:2]):
            blocks = colleagues.get(organization_id)
            if not blocks:
                continue
            best = None
            candidates = {c for block in row_blocks for c in blocks.get(block, ())}
            for pk, name in sorted(candidates):
                if person_name_similarity(key, name) < COLLEAGUE_NAME_SIMILARITY:
                    continue
                found = score_person(
                    PersonFacts(name=key, organization_id=organization_id),
                    PersonFacts(name=name, organization_id=organization_id),
                )
                if best is None or (found.score, -pk) > best[:2]:
                    best = (found.score, -pk, name, ", ".join(found.reasons))
            if best is not None:
                self.similar_colleague[(key, organization_id)] = (-best[1], best[3])
                self.names[("person", -best[1])] = best[2]

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
        # What the rows look up in the database (`_preload`).
        self.wanted = Wanted()
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

    def reuse(self, plans: list[RowPlan], wanted: Wanted, snapshot: dict) -> list[RowPlan] | None:
        """`plans` (of this file, mapping and choices), if the database still gives what it
        gave them (`snapshot`); None when the file must be planned again."""
        self.wanted = wanted
        self.lookups.load(self.kind, wanted)
        self.lookups.check_assignable(snapshot.get("assignable", {}))
        return plans if self.lookups.snapshot() == snapshot else None

    def _preload(self, rows: list[list]) -> None:
        wanted = self.wanted
        emails, phones, person_names = wanted.emails, wanted.phones, wanted.person_names
        organization_names = wanted.organization_names
        uncontacted_names, contacted = wanted.uncontacted_names, wanted.contacted
        name_field = "name" if self.kind == "persons" else "person_name"
        email_field = "email" if self.kind == "persons" else "person_email"
        phone_field = "phone" if self.kind == "persons" else "person_phone"
        org_field = "name" if self.kind == "organizations" else "organization_name"
        for row in rows:
            organization_key = self.organization_key(text(self.cell(row, org_field)))
            if organization_key:
                organization_names.add(organization_key)
            if self.kind == "organizations":
                continue
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
                elif organization_key:
                    index = self.person_fields(name)
                    contacted.add(
                        (
                            name_key,
                            email,
                            phone,
                            organization_key,
                            *(index[f] for f in _BLOCK_FIELDS),
                        )
                    )
        if placeholder := (self.options.get("placeholder_organization") or "").strip():
            organization_names.add(organization_name_key(placeholder))
        self.lookups.load(self.kind, wanted)

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
        self, name_key: str, emails: list, phones: list, organization=None
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
        if (
            name_key
            and isinstance(organization, int)
            and (found := lookups.similar_colleague.get((name_key, organization)))
        ):
            return found
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
        found, reason = self._existing_person(name_key, emails, phones, organization)
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
        values["currency"] = currency or self.lookups.default_currency
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
            found, reason = self._existing_person(name_key, emails, phones, organization)
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
