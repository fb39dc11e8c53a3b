"""`{% load imports_nav %}`: `user|can_import` for the navigation's Import link."""

from django import template

from imports.services import can_import as _can_import

register = template.Library()


@register.filter
def can_import(user) -> bool:
    """Admins, and the users an admin allowed to import (the same rule as the pages)."""
    return _can_import(user)
