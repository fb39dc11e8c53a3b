"""The lookups of a plan: everything the rows of a file refer to in the database (users,
the pipeline and its stages, existing contacts by e-mail, phone and name, and similar names),
loaded once in a handful of bulk queries and then read from dictionaries.

Similar names are possible duplicates too, scored by the duplicate check
(contacts/duplicates.py): for a person row without an e-mail or phone, any visible person
with a similar name; for one whose e-mail or phone matches nobody, only a person with a
similar name at the same organization (a namesake elsewhere with another address is most
likely someone else). The same e-mail or phone stays the certain match.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, transaction
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
from contacts.normalize import fold
from crm.models import CompanySettings, User
from crm.selectors import default_currency
from crm.visibility import can_assign_to, visible_q
from deals.models import Pipeline, Stage
from imports.bulk import BIGINT, among, chunks
from imports.cleaning import text
from imports.planning.rows import RowPlan, Wanted

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
BLOCK_FIELDS = ("given_key", "family_key", "family_sound", "family_letters")


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


class Lookups:
    """Everything rows refer to, loaded once: users, stages, existing contacts by key."""

    def __init__(self, *, actor: User, options: dict):
        self.actor = actor
        self.options = options
        self.country = settings.CRM_DEFAULT_COUNTRY
        # The company's (Settings), read once per file rather than per row.
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
        `Wanted` give the same plan of the same file (imports/planning/kept.py)."""
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
                .values_list("pk", "organization_id", "name", *BLOCK_FIELDS)
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
