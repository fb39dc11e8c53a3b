from contacts.selectors.duplicates import (
    DuplicateMatch,
    organization_duplicates,
    person_duplicates,
)
from contacts.selectors.merges import MergeKept, merge_kept
from contacts.selectors.records import (
    organization_get,
    organization_list,
    person_get,
    person_list,
)

__all__ = [
    "DuplicateMatch",
    "MergeKept",
    "merge_kept",
    "organization_duplicates",
    "organization_get",
    "organization_list",
    "person_duplicates",
    "person_get",
    "person_list",
]
