"""Import speed: 100,000 persons through the import's bulk path, next to COPY and a default
django-import-export ModelResource, measured in the same run on the same database.

`run(n)` expects Django set up on PostgreSQL (the lead's bench runner does that). It creates
`n` existing persons first (setup, not timed) so the import matches every row against them;
every tenth row of the file is a duplicate of an existing person (same e-mail). The COPY and
the default-resource runs are rolled back; the import's records are removed at the end.

The import is timed as an admin runs it: upload with preview, then apply, which writes the
preview's plan when nothing it looked up has changed (imports/planning/kept.py). The apply that must
plan the file again (something changed since the preview) is timed too, in a rolled-back run:
`import_replanned_rows_per_s`.
"""

from __future__ import annotations

import io
import time

from django.db import connection, transaction

RESOURCE_SAMPLE = 2_000


class _Rollback(Exception):
    pass


def _rows(n: int, offset: int) -> list[list[str]]:
    return [
        [
            f"Person{offset + i} Family{(offset + i) % 997}",
            f"person{offset + i}@bench.example.com",
            f"+49 30 {1000000 + offset + i}",
            f"Bench Org {(offset + i) % 500}",
            "Engineer",
        ]
        for i in range(n)
    ]


def _setup(n: int):
    from contacts.models import Person, PersonEmail
    from contacts.normalize import email_key, person_index_fields
    from crm.models import Role, User
    from imports.planning import model_fields

    admin, _created = User.objects.get_or_create(
        username="bench-import-admin", defaults={"role": Role.ADMIN, "is_active": True}
    )
    Person.objects.filter(owner=admin).delete()
    existing = [
        Person(
            name=name,
            owner=admin,
            visible_to="company",
            **model_fields(Person, person_index_fields(name)),
        )
        for name, *_rest in _rows(n, 0)
    ]
    Person.objects.bulk_create(existing, batch_size=5000)
    PersonEmail.objects.bulk_create(
        (
            PersonEmail(person_id=p.pk, email=row[1], key=email_key(row[1]), position=0)
            for p, row in zip(existing, _rows(n, 0), strict=True)
        ),
        batch_size=5000,
    )
    return admin


def _file(n: int) -> bytes:
    # Every tenth row repeats an existing person; the others are new.
    rows = [_rows(1, i)[0] if i % 10 == 0 else _rows(1, 10 * n + i)[0] for i in range(n)]
    out = io.StringIO()
    out.write("Name,Email,Phone,Organization,Job title\n")
    for row in rows:
        out.write(",".join(row) + "\n")
    return out.getvalue().encode()


def _copy(admin, n: int) -> float:
    from django.utils import timezone

    from contacts.models import Person
    from contacts.normalize import email_key, person_index_fields
    from imports.planning import model_fields

    rows = _rows(n, 20 * n)
    started = time.perf_counter()
    try:
        with transaction.atomic():
            now = timezone.now()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence('contacts_person', 'id')) "
                    "FROM generate_series(1, %s)",
                    [n],
                )
                ids = [r[0] for r in cursor.fetchall()]
                raw = cursor.connection  # psycopg 3
                keys = list(model_fields(Person, person_index_fields("A B")))
                with (
                    raw.cursor() as pg,
                    pg.copy(
                        "COPY contacts_person (id, name, job_title, owner_id, visible_to,"
                        f" created_at, updated_at, {', '.join(keys)}) FROM STDIN"
                    ) as copy,
                ):
                    for pk, row in zip(ids, rows, strict=True):
                        index = person_index_fields(row[0])
                        copy.write_row(
                            (
                                pk,
                                row[0],
                                row[4],
                                admin.pk,
                                "company",
                                now,
                                now,
                                *(index[k] for k in keys),
                            )
                        )
                with (
                    raw.cursor() as pg,
                    pg.copy(
                        "COPY contacts_personemail (person_id, email, key, position) FROM STDIN"
                    ) as copy,
                ):
                    for pk, row in zip(ids, rows, strict=True):
                        copy.write_row((pk, row[1], email_key(row[1]), 0))
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return n / elapsed


def _default_resource(admin, n: int) -> float:
    import tablib
    from import_export import resources

    from contacts.models import Person

    class PersonResource(resources.ModelResource):
        class Meta:
            model = Person

    dataset = tablib.Dataset(headers=["id", "name", "job_title", "owner", "visible_to"])
    for row in _rows(n, 30 * n):
        dataset.append(["", row[0], row[4], admin.pk, "company"])
    started = time.perf_counter()
    try:
        with transaction.atomic():
            result = PersonResource().import_data(dataset, dry_run=False)
            elapsed = time.perf_counter() - started
            assert not result.has_errors()
            raise _Rollback
    except _Rollback:
        pass
    return n / elapsed


def _replanned(admin, content: bytes, n: int) -> float:
    """The apply's speed when it cannot use the preview's plan: its kept plan is dropped, as
    a change to what the file matches would make the apply drop it."""
    from imports.models import SavedPlan
    from imports.services import import_apply, import_create

    try:
        with transaction.atomic():
            imp = import_create(
                actor=admin,
                file_name="bench.csv",
                content=content,
                kind="persons",
                options={"duplicates": "merge", "visible_to": "company"},
            )
            SavedPlan.objects.filter(import_run=imp).delete()
            started = time.perf_counter()
            imp = import_apply(actor=admin, import_run=imp)
            with connection.cursor() as cursor:
                # What the commit would check (the foreign keys), within the time.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            elapsed = time.perf_counter() - started
            assert imp.status == "applied" and not imp.preview["plan_reused"], imp.error
            raise _Rollback
    except _Rollback:
        pass
    return n / elapsed


def run(n: int = 100_000) -> dict:
    from contacts.models import Organization, Person
    from imports.models import Import
    from imports.services import import_apply, import_create

    admin = _setup(n)
    content = _file(n)
    replanned = _replanned(admin, content, n)
    started = time.perf_counter()
    imp = import_create(
        actor=admin,
        file_name="bench.csv",
        content=content,
        kind="persons",
        options={"duplicates": "merge", "visible_to": "company"},
    )
    previewed = time.perf_counter()
    imp = import_apply(actor=admin, import_run=imp)
    applied = time.perf_counter()
    assert imp.status == "applied", imp.error
    result = {
        "rows": n,
        "existing_persons": n,
        "counts": imp.counts,
        "preview_rows_per_s": round(n / (previewed - started)),
        "import_rows_per_s": round(n / (applied - previewed)),
        "plan_reused": imp.preview["plan_reused"],
        "import_replanned_rows_per_s": round(replanned),
        "upload_preview_apply_rows_per_s": round(n / (applied - started)),
        "copy_rows_per_s": round(_copy(admin, n)),
        "default_resource_rows_per_s": round(_default_resource(admin, RESOURCE_SAMPLE)),
        "default_resource_sample": RESOURCE_SAMPLE,
    }
    result["vs_default_resource"] = round(
        result["import_rows_per_s"] / result["default_resource_rows_per_s"], 1
    )
    result["vs_copy_percent"] = round(
        100 * result["import_rows_per_s"] / result["copy_rows_per_s"], 1
    )
    result["replanned_vs_default_resource"] = round(
        result["import_replanned_rows_per_s"] / result["default_resource_rows_per_s"], 1
    )
    print(
        f"import of {n:,} persons against {n:,} existing: {result['import_rows_per_s']:,} rows/s "
        f"(preview {result['preview_rows_per_s']:,} rows/s); PostgreSQL COPY of the same rows "
        f"{result['copy_rows_per_s']:,} rows/s; default import-export resource "
        f"{result['default_resource_rows_per_s']:,} rows/s on {RESOURCE_SAMPLE:,} rows. "
        f"Ratio {result['vs_default_resource']}x the resource (target >= 10x), "
        f"{result['vs_copy_percent']}% of COPY (target >= 5%); outcome {imp.counts}. "
        f"The apply {'wrote' if result['plan_reused'] else 'did not use'} the preview's plan; "
        f"planning the file again it runs at {result['import_replanned_rows_per_s']:,} rows/s "
        f"({result['replanned_vs_default_resource']}x the resource)."
    )
    # Clean up: the import's records and the setup's.
    Import.objects.filter(pk=imp.pk).delete()
    Person.objects.filter(owner=admin).delete()
    Organization.objects.filter(owner=admin).delete()
    return result


if __name__ == "__main__":  # pragma: no cover - `python -m bench.import_bench` for a quick look
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
