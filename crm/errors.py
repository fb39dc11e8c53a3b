"""Errors the domain raises; the edges (forms, views, API) turn them into messages or 4xx."""


class DomainError(Exception):
    """Bad input or a rule of the domain refused the change. `code` is stable for clients."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class NotPermitted(DomainError):
    code = "not_permitted"


class StaleVersion(DomainError):
    """The record changed since the caller read it: optimistic concurrency refused the write."""

    code = "stale_version"

    def __init__(self, message: str, *, current=None):
        super().__init__(message)
        self.current = current
