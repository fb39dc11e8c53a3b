"""The normalized keys of a file's values (contacts/normalize.py), each computed once: many
rows name the same organization, and the preload and the rows share every key."""

from __future__ import annotations

import re

from contacts.normalize import email_key, organization_name_key, person_index_fields, phone_key

_BARE_ADDRESS = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+")


class Keys:
    def __init__(self, *, country: str):
        self.country = country
        self.emails: dict[str, str] = {}
        self.phones: dict[str, str] = {}
        self.persons: dict[str, dict] = {}
        self.organizations: dict[str, str] = {}

    def person_fields(self, name: str) -> dict:
        """The person's index fields (`person_index_fields`: name key, name blocks...)."""
        fields = self.persons.get(name)
        if fields is None:
            fields = self.persons[name] = person_index_fields(name)
        return fields

    def organization(self, name: str) -> str:
        key = self.organizations.get(name)
        if key is None:
            key = self.organizations[name] = organization_name_key(name)
        return key

    def email(self, raw: str) -> str:
        key = self.emails.get(raw)
        if key is None:
            # A bare address is its own key, lowercased: no need to parse it as a header.
            key = raw.lower() if _BARE_ADDRESS.fullmatch(raw) else email_key(raw)
            self.emails[raw] = key
        return key

    def phone(self, raw: str) -> str:
        key = self.phones.get(raw)
        if key is None:
            key = self.phones[raw] = phone_key(raw, self.country)
        return key
