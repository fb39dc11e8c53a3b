"""Types shared by every app."""

from __future__ import annotations

import enum
from typing import Final, Literal, TypeAlias


class _Unset(enum.Enum):
    """The "not given" default of an update service's field parameters.

    `None` cannot mean "leave as is" because it is a value a caller may set (no organization,
    no close date). An enum of one member, unlike `object()`, has a type that checkers narrow:
    after `if title is not UNSET:` a `title: str | Unset` is a `str`.
    """

    UNSET = enum.auto()

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        # "Not given" is never truthy, so a slip like `if title:` does not treat it as a value.
        return False


Unset: TypeAlias = Literal[_Unset.UNSET]
UNSET: Final = _Unset.UNSET
