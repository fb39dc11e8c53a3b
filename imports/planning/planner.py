"""The planner: turns the mapped rows of one file into one RowPlan per row.

Rows are validated in Python with the rules of the apps that own the records
(contacts/validation.py, deals/validation.py: the messages the services give), references
are resolved from the lookups loaded in bulk (imports/planning/lookups.py), and duplicates
within the file are found by the same normalized keys, so two rows naming one person make one
person.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.utils.translation import gettext as _

from contacts.normalize import fold, organization_name_key
from contacts.validation import check_email, check_phone, clean_name
from crm.errors import DomainError
from crm.models import User
from deals.models import DealStatus
from deals.validation import clean_currency, clean_title, clean_value
from imports.cleaning import CellError, parse_date, parse_decimal, parse_visibility, text
from imports.models import DuplicateChoice, RowAction
from imports.planning.keys import Keys
from imports.planning.lookups import BLOCK_FIELDS, Lookups
from imports.planning.rows import NewOrganization, NewPerson, RowPlan, Wanted


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
        self.keys = Keys(country=self.lookups.country)

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
            organization_key = self.keys.organization(text(self.cell(row, org_field)))
            if organization_key:
                organization_names.add(organization_key)
            if self.kind == "organizations":
                continue
            email = self.keys.email(text(self.cell(row, email_field)))
            phone = self.keys.phone(text(self.cell(row, phone_field)))
            if email:
                emails.add(email)
            if phone:
                phones.add(phone)
            if name := text(self.cell(row, name_field)):
                name_key = self.keys.person_fields(name)["name_key"]
                person_names.add(name_key)
                if not (email or phone):
                    uncontacted_names.add(name_key)
                elif organization_key:
                    index = self.keys.person_fields(name)
                    contacted.add(
                        (
                            name_key,
                            email,
                            phone,
                            organization_key,
                            *(index[f] for f in BLOCK_FIELDS),
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

    def _valid(self, plan: RowPlan, key: str, clean, *args):
        """`clean(*args)`, a rule of the app that owns the field; its refusal fails the row
        at the cell (None then)."""
        try:
            return clean(*args)
        except DomainError as exc:
            plan.fail(self.column(key), exc.message)
            return None

    def _name(self, row: list, key: str, plan: RowPlan, *, required: bool) -> str:
        value = text(self.cell(row, key))
        if not value:
            if required:
                # Said of the cell (the preview lists failing cells), not of a form's field.
                plan.fail(self.column(key), _("This cell is empty; a name is required."))
            return value
        self._valid(plan, key, clean_name, value)
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
            key = self.keys.email(raw)
            try:
                check_email(raw, key)
                emails.append((raw, key))
            except DomainError as exc:
                plan.fail(self.column(email_field), exc.message)
        if raw := text(self.cell(row, phone_field)):
            key = self.keys.phone(raw)
            try:
                check_phone(raw, key)
                phones.append((raw, key))
            except DomainError as exc:
                plan.fail(self.column(phone_field), exc.message)
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
        person.index = self.keys.person_fields(person.name)
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
        key = self.keys.organization(name)
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
        key = self.keys.organization(name)
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
        name_key = self.keys.person_fields(name)["name_key"]
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
            # Said of the cell, as `_name` does; the other rules are the deal's.
            plan.fail(self.column("title"), _("This cell is empty; a title is required."))
        else:
            self._valid(plan, "title", clean_title, title)
        values: dict = {"title": title}
        try:
            # The cell as the file writes numbers (its decimal separator), then the deal's rule.
            value = parse_decimal(self.cell(row, "value"), self.decimal_separator)
        except CellError as exc:
            plan.fail(self.column("value"), exc.message)
        else:
            values["value"] = self._valid(plan, "value", clean_value, value)
        currency = text(self.cell(row, "currency"))
        values["currency"] = (
            self._valid(plan, "currency", clean_currency, currency, "")
            if currency
            else self.lookups.default_currency
        )
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
            name_key = self.keys.person_fields(name)["name_key"]
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
