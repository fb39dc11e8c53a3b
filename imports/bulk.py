"""Reading and writing many rows at once: `field = ANY(array)` lookups, COPY and UPDATE ...
FROM VALUES on PostgreSQL; IN lists and Django's bulk methods elsewhere.

The rows are validated before they get here (imports/planning/); this is only the fastest
way to write them. On PostgreSQL the primary keys are reserved from the table's sequence first
and the rows copied with them, so the objects carry their pks afterwards, as with bulk_create.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models import F, Lookup, Q, Value

BATCH = 2000
# Few parameters per query keeps SQLite (999 variables on old builds) and PostgreSQL happy.
LOOKUP_CHUNK = 900
BIGINT = models.BigIntegerField()
_UNIT_SEPARATOR = "\x1f"


def chunks(items: list, size: int | None = None) -> Iterable[list]:
    # SQLite builds may allow only 999 parameters; PostgreSQL gets one array per query.
    size = size or (50_000 if connection.vendor == "postgresql" else LOOKUP_CHUNK)
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _EqualsAny(Lookup):
    lookup_name = "equals_any"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


class _EqualsAnyOf(Lookup):
    """`lhs = ANY(string_to_array(rhs, US))`: the values joined by the unit separator."""

    lookup_name = "equals_any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(string_to_array({rhs}, chr(31)))", [*lhs_params, *rhs_params]


def among(field: str, values: list, base: models.Field | None = None):
    """`field IN values`; on PostgreSQL `field = ANY(%s)` with one array parameter, which
    spares the driver and the planner tens of thousands of placeholders. Texts go as one
    string that the database splits: the driver adapts a list of 100,000 of them item by
    item, three times slower than the whole query."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": values})
    if base is None and not any(_UNIT_SEPARATOR in value for value in values):
        return _EqualsAnyOf(F(field), Value(_UNIT_SEPARATOR.join(values)))
    array = Value(list(values), output_field=ArrayField(base or models.CharField()))
    return _EqualsAny(F(field), array)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Planning or writing a large file makes millions of small objects and few cycles: the
    cyclic garbage collector, run over and over as they pile up, costs more than the work.
    Reference counting still frees them; the collector runs again afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _value_getter(field: models.Field):
    """How to read a field's database value off an object, the cheap way when that is safe."""
    simple = (
        models.CharField,
        models.TextField,
        models.IntegerField,
        models.ForeignKey,
        models.BooleanField,
    )
    auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    if isinstance(field, simple) and not auto:
        attname = field.attname
        return lambda obj: getattr(obj, attname)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


def bulk_insert(model: type[models.Model], objs: list[models.Model]) -> None:
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=BATCH)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    getters = [_value_getter(f) for f in fields]
    quote = connection.ops.quote_name
    table = meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, meta.pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(quote(c) for c in [meta.pk.column, *(f.column for f in fields)])
        raw = cursor.connection  # psycopg's own connection: COPY is not in Django's API
        with raw.cursor() as pg, pg.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for obj, pk in zip(objs, ids, strict=True):
                obj.pk = pk
                copy.write_row([pk, *(get(obj) for get in getters)])
                obj._state.adding = False
                obj._state.db = connection.alias


def bulk_set(model: type[models.Model], objs: list[models.Model], names: list[str]) -> None:
    """Write `names` of each object back: one UPDATE ... FROM (VALUES ...) per batch."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, names, batch_size=500)
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    casts = ", ".join(f"%s::{f.db_type(connection)}" for f in fields)
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
    alias = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), BATCH):
            batch = objs[start : start + BATCH]
            values = ", ".join([f"(%s::bigint, {casts})"] * len(batch))
            params = []
            for obj in batch:
                params.append(obj.pk)
                params.extend(
                    f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields
                )
            # Only quoted names of the model's own columns are formatted in; values are params.
            sql = (
                f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v(id, {alias}) "  # noqa: S608
                f"WHERE {table}.{quote(meta.pk.column)} = v.id"
            )
            cursor.execute(
                sql,
                params,
            )


# Values psycopg's COPY writes as they are: Django would hand them over unchanged.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.ForeignKey,
    models.BooleanField,
    models.DateTimeField,  # aware datetimes; psycopg converts them
    models.DateField,
)


def _copy_adapter(field: models.Field):
    """None for a value COPY takes as it is, else how to turn it into one."""
    if isinstance(field, _PLAIN):
        return None
    if isinstance(field, models.JSONField) and field.encoder is None:
        # As JSON text, which the column parses; most rows' lists are empty.
        return lambda value: None if value is None else "[]" if value == [] else json.dumps(value)
    return lambda value: field.get_db_prep_save(value, connection)


def insert_rows(
    model: type[models.Model], names: list[str], rows: list[tuple], *, with_ids: bool = False
) -> list[int]:
    """Insert plain tuples of `names` values: no model instances (their __init__ is what costs
    most once the database is fast). With `with_ids`, returns the new rows' primary keys."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(names, row, strict=True))) for row in rows]
        model.objects.bulk_create(objs, batch_size=BATCH)
        return [obj.pk for obj in objs] if with_ids else []
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    adapters = [_copy_adapter(f) for f in fields]
    quote = connection.ops.quote_name
    columns = [f.column for f in fields]
    ids: list[int] = []
    with connection.cursor() as cursor:
        if with_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            columns.insert(0, meta.pk.column)
            adapters.insert(0, None)
            rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        column_list = ", ".join(quote(c) for c in columns)
        raw = cursor.connection
        with (
            raw.cursor() as pg,
            pg.copy(f"COPY {quote(meta.db_table)} ({column_list}) FROM STDIN") as copy,
        ):
            if not any(adapters):
                for row in rows:
                    copy.write_row(row)
            else:
                for row in rows:
                    copy.write_row(
                        [v if a is None else a(v) for v, a in zip(row, adapters, strict=True)]
                    )
    return ids
