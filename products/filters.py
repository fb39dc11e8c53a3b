"""The catalog list's filter: used by its page and its API view."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from crm.models import User
from products.models import Product
from products.selectors import product_all


@dataclass(frozen=True)
class ProductFilters:
    q: str = ""  # in the name, code or description
    archived: bool = False  # True: the archived products instead of the active ones

    @classmethod
    def from_query(cls, query) -> ProductFilters:
        return cls(
            q=(query.get("q") or query.get("search") or "").strip()[:100],
            archived=(query.get("archived") or "") in ("1", "true", "on"),
        )


def product_filter(*, user: User, filters: ProductFilters | None = None) -> QuerySet[Product]:
    filters = filters or ProductFilters()
    qs = product_all(user=user).filter(is_active=not filters.archived)
    if filters.q:
        q = filters.q
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(description__icontains=q))
    return qs.order_by("name", "id")
