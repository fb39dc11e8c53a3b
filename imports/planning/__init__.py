"""The plan of an import: what every row will do, computed with a handful of bulk queries.

The preview shows a plan (imports/previewing.py); the apply writes one (imports/applying.py,
imports/writing.py). Rows are validated in Python, references (owners, stages, existing
contacts) are resolved from dictionaries loaded in bulk, and existing duplicates are found by
exact normalized keys (e-mail, phone, name), which is what makes a 100,000-row file feasible.

- `rows.py`: what a plan is made of (RowPlan, NewPerson, NewOrganization, Wanted);
- `lookups.py`: what the rows refer to in the database, loaded once (Lookups);
- `planner.py`: one file's rows to one RowPlan each (Planner), checked with the rules of the
  apps that own the records (contacts/validation.py, deals/validation.py);
- `keys.py`: the normalized keys of the file's values, each computed once;
- `kept.py`: the preview's plan, kept for the apply while it still holds.
"""

from imports.planning.lookups import Lookups
from imports.planning.planner import Planner
from imports.planning.rows import (
    NewOrganization,
    NewPerson,
    RowPlan,
    Wanted,
    model_fields,
    organization_row_fields,
    person_row_fields,
)

__all__ = [
    "Lookups",
    "NewOrganization",
    "NewPerson",
    "Planner",
    "RowPlan",
    "Wanted",
    "model_fields",
    "organization_row_fields",
    "person_row_fields",
]
