"""Filtering lists by custom fields (`?cf_<key>=`, `cf_<key>__gte=`, `cf_<key>__lte=`), indexed.

Equality on option, multiple-option, reference and yes/no fields is jsonb containment
(`custom_fields @> '{"key": 3}'`), which the record table's GIN index (`jsonb_path_ops`) serves.
Ranges on numbers, money and dates compare one extracted value; each such field gets its own
expression index when it is created (`field_index_create`), built on exactly the expression the
filter uses, so the planner can use it. Text types filter by "contains", case-insensitively.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, DecimalField, Func, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KT, KeyTextTransform
from django.utils.translation import gettext as _

from crm.custom_fields.registry import entity_model
from crm.custom_fields.values import CustomFieldError, clean_value, fields_for
from crm.errors import DomainError
from crm.models import CustomField, FieldEntity, FieldType

PREFIX = "cf_"
RANGED = (FieldType.NUMBER, FieldType.MONEY, FieldType.DATE)
CONTAINED = (
    FieldType.OPTION,
    FieldType.USER,
    FieldType.PERSON,
    FieldType.ORGANIZATION,
    FieldType.BOOLEAN,
)


@dataclass(frozen=True)
class CustomFilter:
    field: CustomField
    op: str  # "eq", "gte" or "lte"
    value: Any


def custom_params(params: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The `cf_` parameters of a query string, as a list's filters dataclass keeps them."""
    return tuple(
        sorted((name, str(value)) for name, value in params.items() if name.startswith(PREFIX))
    )


def parse_filters(
    entity: str, params: Mapping[str, Any], *, strict: bool = True
) -> list[CustomFilter]:
    """The `cf_` parameters of a query string, checked against the fields of `entity`.

    Strict (the API): a bad one is a DomainError naming the parameter. Otherwise (a page's
    query string, typed by hand or kept from before a field was archived) it is left out."""
    wanted = [name for name in params if name.startswith(PREFIX)]
    if not wanted:
        return []
    fields = {field.key: field for field in fields_for(entity)}
    filters = []
    for name in wanted:
        raw = params[name]
        if raw in (None, ""):
            continue
        key, _sep, op = name[len(PREFIX) :].partition("__")
        op = op or "eq"
        try:
            filters.append(_parse_one(fields, name, key, op or "eq", raw))
        except DomainError:
            if strict:
                raise
    return filters


def _parse_one(fields: dict, name: str, key: str, op: str, raw: Any) -> CustomFilter:
    field = fields.get(key)
    if field is None:
        raise DomainError(_("Unknown custom field %(key)s.") % {"key": key}, field=name)
    if op not in ("eq", "gte", "lte") or (op != "eq" and field.type not in RANGED):
        raise DomainError(_("This field cannot be filtered that way."), field=name)
    if field.type == FieldType.MONEY:
        raw = {"amount": raw, "currency": "XXX"}
    try:
        # References are matched by id without a visibility check: a filter by someone the
        # reader cannot see finds only records whose values they could see anyway.
        value = clean_value(field, raw, actor=None) if field.type not in _IDS else int(raw)
    except CustomFieldError as error:
        raise DomainError(error.message.split(": ", 1)[-1], field=name) from None
    except ValueError:
        raise DomainError(_("Enter an id."), field=name) from None
    return CustomFilter(field=field, op=op, value=value)


_IDS = (FieldType.USER, FieldType.PERSON, FieldType.ORGANIZATION)


class _Numeric(Func):
    """`(text)::numeric`, unbounded: Cast(DecimalField()) would ask for digits and places."""

    template = "(%(expressions)s)::numeric"
    output_field = DecimalField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS REAL)", **extra)


def value_q(model, field: CustomField, value: Any) -> Q:
    """Records of `model` whose `field` holds `value` (one of its values, for a list)."""
    if field.type == FieldType.OPTIONS and not isinstance(value, list):
        value = [value]
    if connection.vendor == "postgresql":
        # Containment, which the GIN index (jsonb_path_ops) serves.
        return Q(custom_fields__contains={field.key: value})
    if field.type == FieldType.OPTIONS:
        # SQLite (the embedded mode): each of the ids among the list's items, via json_each.
        column = f'"{model._meta.db_table}"."custom_fields"'
        sql = f"EXISTS (SELECT 1 FROM json_each({column}, %s) WHERE value = %s)"  # noqa: S608
        # The table is the model's own; the path and the id are parameters.
        arms = (RawSQL(sql, [f"$.{field.key}", item], BooleanField()) for item in value)  # noqa: S611
        return Q(*(Q(arm) for arm in arms))
    return Q(**{f"custom_fields__{field.key}": value})


def _ranged_expression(field: CustomField):
    if field.type == FieldType.MONEY:
        return _Numeric(KT(f"custom_fields__{field.key}__amount"))
    if field.type == FieldType.NUMBER:
        return _Numeric(KeyTextTransform(field.key, "custom_fields"))
    # ISO dates: their text order is their date order. Wrapped, so the comparison is of text
    # (the lookups of a JSON key would read the date as JSON on SQLite).
    return Func(
        KeyTextTransform(field.key, "custom_fields"),
        template="%(expressions)s",
        output_field=TextField(),
    )


def filters_q(model, filters: list[CustomFilter]) -> tuple[Q, dict[str, Any]]:
    """A Q for the filters, and the annotations it needs (ranges compare an annotation)."""
    q = Q()
    annotations: dict[str, Any] = {}
    for index, item in enumerate(filters):
        field, value = item.field, item.value
        if field.type in CONTAINED or field.type == FieldType.OPTIONS:
            q &= value_q(model, field, value)
        elif field.type in RANGED:
            alias = f"_cf{index}"
            annotations[alias] = _ranged_expression(field)
            compared = value["amount"] if field.type == FieldType.MONEY else value
            lookup = {"eq": "exact", "gte": "gte", "lte": "lte"}[item.op]
            q &= Q(**{f"{alias}__{lookup}": compared})
        else:
            q &= Q(**{f"custom_fields__{field.key}__icontains": value})
    return q, annotations


def apply_custom_filters(
    queryset: QuerySet, entity: str, params: Mapping[str, Any], *, strict: bool = False
) -> QuerySet:
    """`queryset` narrowed by the `cf_` parameters in `params` (see `parse_filters`)."""
    filters = parse_filters(entity, params, strict=strict)
    if not filters:
        return queryset
    q, annotations = filters_q(queryset.model, filters)
    if annotations:
        queryset = queryset.alias(**annotations)
    return queryset.filter(q)


def carriers(field: CustomField) -> list[str]:
    """The kinds of record that carry `field`'s values: a lead has the deal fields too."""
    if field.entity == FieldEntity.DEAL:
        return [FieldEntity.DEAL, FieldEntity.LEAD]
    return [field.entity]


def _index_name(field: CustomField, entity: str) -> str:
    return f"cf_{entity[:4]}_{field.pk}_idx"


def field_index_create(field: CustomField) -> None:
    """Expression indexes for a ranged field's filter, on PostgreSQL (no-op elsewhere)."""
    if connection.vendor != "postgresql" or field.type not in RANGED:
        return
    for entity in carriers(field):
        _index_create(field, entity)


def _index_create(field: CustomField, entity: str) -> None:
    model = entity_model(entity)
    queryset = model._default_manager.alias(_v=_ranged_expression(field)).filter(_v__gte=0)
    compiler = queryset.query.get_compiler(connection=connection)
    expression_sql, params = compiler.compile(queryset.query.annotations["_v"])
    # The alias compiles with the table's name; an index expression takes bare columns.
    expression_sql = expression_sql.replace(f'"{model._meta.db_table}".', "")
    with connection.cursor() as cursor:
        sql = cursor.mogrify(expression_sql, params) if params else expression_sql
        cursor.execute(
            f'CREATE INDEX IF NOT EXISTS "{_index_name(field, entity)}" '
            f'ON "{model._meta.db_table}" (({sql}))'
        )


def field_index_drop(field: CustomField) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for entity in carriers(field):
            cursor.execute(f'DROP INDEX IF EXISTS "{_index_name(field, entity)}"')
