"""What Settings does across apps: hand a (deactivated) user's records to someone else.

It lives here, above the apps it writes, because it touches them all; each app's rules still
hold: the records stay as they are but for their owner (or an activity's assignee).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity
from contacts.models import Organization, Person
from crm.errors import DomainError
from crm.models import User
from crm.services import check_admin
from deals.models import Deal
from leads.models import Lead


@dataclass(frozen=True)
class HandedOver:
    leads: int
    deals: int
    persons: int
    organizations: int
    activities: int

    @property
    def total(self) -> int:
        return self.leads + self.deals + self.persons + self.organizations + self.activities


@transaction.atomic
def user_hand_over(*, actor: User, user: User, to: User) -> HandedOver:
    """Give everything `user` owns (leads, deals, persons, organizations) and their open
    activities to `to`, in one transaction. Visibility is kept as it was; closed activities
    keep who did them."""
    check_admin(actor)
    if to.pk == user.pk:
        raise DomainError(_("Choose someone else."), field="to")
    # Locked: not deactivated while the records are on their way to them.
    to = User.objects.select_for_update().get(pk=to.pk)
    if not to.is_active:
        raise DomainError(_("Choose an active user."), field="to")
    now = timezone.now()
    # Those in the trash too (all_objects): restored, they must not come back to `user`.
    return HandedOver(
        leads=Lead.all_objects.filter(owner=user).update(owner=to, updated_at=now),
        # A deal's version changes: a form opened before answers "changed meanwhile".
        deals=Deal.all_objects.filter(owner=user).update(
            owner=to, version=F("version") + 1, updated_at=now
        ),
        persons=Person.all_objects.filter(owner=user).update(owner=to, updated_at=now),
        organizations=Organization.all_objects.filter(owner=user).update(owner=to, updated_at=now),
        activities=Activity.objects.filter(assignee=user, done=False).update(assignee=to),
    )
