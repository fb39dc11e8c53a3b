"""Contacts as forms give them: picked from suggestions, or new on the user's word."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.db import transaction
from django.utils.translation import gettext as _

from contacts.models import Organization, Person
from contacts.selectors import organization_list, person_list
from contacts.services.records import organization_create, person_create, person_update
from crm.errors import DomainError
from crm.models import User


@dataclass(frozen=True)
class ContactRef:
    """A person or organization chosen in a form: the id of a suggestion, or a typed name.

    A typed name creates a record only when the user said so (`create`): "Alpenblick" is far
    more likely the "Alpenblick Hotels AG" the suggestions offered than a new company.
    """

    id: int | None = None
    name: str = ""
    create: bool = False
    emails: list[str] = dataclass_field(default_factory=list)
    phones: list[str] = dataclass_field(default_factory=list)
    website: str = ""


def organization_resolve(
    *,
    actor: User,
    ref: ContactRef,
    owner: User | None = None,
    visible_to: str | None = None,
    field_name: str = "organization",
) -> Organization | None:
    """The organization a form means; call inside the caller's transaction."""
    if ref.id is not None:
        found = organization_list(user=actor).filter(pk=ref.id).first()
        if found is None:
            raise DomainError(_("There is no such organization."), field=field_name)
        return found
    name = (ref.name or "").strip()
    if not name:
        return None
    same_name = organization_list(user=actor).filter(name__iexact=name).order_by("id").first()
    if same_name is not None and not ref.create:
        return same_name
    if not ref.create:
        raise DomainError(
            _("Pick an organization from the suggestions, or choose “Create new organization”."),
            field=field_name,
        )
    return organization_create(
        actor=actor, name=name, website=ref.website, owner=owner, visible_to=visible_to
    )


def person_resolve(
    *,
    actor: User,
    ref: ContactRef,
    organization: Organization | None = None,
    owner: User | None = None,
    visible_to: str | None = None,
    field_name: str = "person",
) -> Person | None:
    """The person a form means: a visible suggestion, or a new one the user asked for."""
    if ref.id is not None:
        found = person_list(user=actor).filter(pk=ref.id).first()
        if found is None:
            raise DomainError(_("There is no such person."), field=field_name)
        return found
    name = (ref.name or "").strip()
    if not name:
        return None
    if not ref.create:
        raise DomainError(
            _("Pick a person from the suggestions, or choose “Create new person”."),
            field=field_name,
        )
    return person_create(
        actor=actor,
        name=name,
        emails=ref.emails,
        phones=ref.phones,
        organization=organization,
        owner=owner,
        visible_to=visible_to,
    )


@transaction.atomic
def person_save(
    *, actor: User, person: Person | None, organization: ContactRef, **fields
) -> Person:
    """Create or update a person and the organization it names, together: a refused person
    leaves no new organization behind."""
    org = organization_resolve(actor=actor, ref=organization)
    if person is None:
        return person_create(actor=actor, organization=org, **fields)
    return person_update(actor=actor, person=person, organization=org, **fields)
