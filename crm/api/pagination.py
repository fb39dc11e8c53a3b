from collections.abc import Callable
from functools import cached_property, partial

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination


class CountedPaginator(Paginator):
    """A paginator that may be told the number of objects instead of counting them."""

    def __init__(self, object_list, per_page, *, count: Callable[[], int | None], **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        known = self._known_count()
        return super().count if known is None else known


class CrmPagination(PageNumberPagination):
    """`?page=` and `?page_size=` (at most 200).

    A view with a `list_count()` method may answer the list's `count` from something cheaper
    than `COUNT(*)` of the queryset (the deals list: the deal tally); None means count.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        known = getattr(view, "list_count", None) or (lambda: None)
        self.django_paginator_class = partial(CountedPaginator, count=known)
        return super().paginate_queryset(queryset, request, view)
