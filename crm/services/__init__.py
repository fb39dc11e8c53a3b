"""The crm app's writes: the rules every owned record shares, users and teams, the company's
defaults and labels. Import from here; the modules are the package's inside."""

from crm.services.company import (
    company_settings_update,
    label_create,
    label_delete,
    label_update,
)
from crm.services.records import (
    apply_owner_change,
    check_delete,
    check_edit,
    resolve_owner_and_visibility,
)
from crm.services.users import (
    check_admin,
    password_set_path,
    team_create,
    team_update,
    user_create,
    user_send_password_link,
    user_set_managed_teams,
    user_update,
)

__all__ = [
    "apply_owner_change",
    "check_admin",
    "check_delete",
    "check_edit",
    "company_settings_update",
    "label_create",
    "label_delete",
    "label_update",
    "password_set_path",
    "resolve_owner_and_visibility",
    "team_create",
    "team_update",
    "user_create",
    "user_send_password_link",
    "user_set_managed_teams",
    "user_update",
]
