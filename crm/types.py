"""Small types every app's services share."""

import enum
from typing import Final


class Unset(enum.Enum):
    """ "Not given" in an update service, where None means "clear it"."""

    UNSET = "unset"


UNSET: Final = Unset.UNSET
