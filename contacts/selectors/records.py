"""Reads of persons and organizations, always scoped to what the user may see."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from contacts.models import Organization, Person, PersonEmail, PersonPhone
from crm.models import User
from crm.visibility import visible_q


def organization_list(*, user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(visible_q(user)).select_related("owner")


def person_list(*, user: User) -> QuerySet[Person]:
    return (
        Person.objects.filter(visible_q(user))
        .select_related("owner", "organization")
        .prefetch_related(
            Prefetch("emails", queryset=PersonEmail.objects.order_by("position", "id")),
            Prefetch("phones", queryset=PersonPhone.objects.order_by("position", "id")),
        )
    )


def organization_get(*, user: User, pk) -> Organization:
    """The organization, or 404 whether it does not exist or the user may not see it."""
    try:
        return organization_list(user=user).get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def person_get(*, user: User, pk) -> Person:
    try:
        return person_list(user=user).get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
