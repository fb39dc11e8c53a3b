"""The catalog pages under /products/: list and search (everyone), create, edit, archive
and restore (admins and the users they allow; 404 for others, as the import pages)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm.errors import DomainError
from crm.models import CompanySettings
from crm.web.paging import window_page
from products import services
from products.filters import ProductFilters, product_filter
from products.forms import PriceFormSet, ProductForm, prices_from
from products.models import Product
from products.selectors import product_get

PER_PAGE = 50


def _manager_only(request: HttpRequest) -> None:
    if not services.can_manage_products(request.user):
        raise Http404


def product_list_view(request: HttpRequest) -> HttpResponse:
    filters = ProductFilters.from_query(request.GET)
    page = window_page(
        product_filter(user=request.user, filters=filters), request.GET.get("page") or 1, PER_PAGE
    )
    return render(
        request,
        "products/list.html",
        {
            "nav": "products",
            "page": page,
            "filters": filters,
            "can_manage": services.can_manage_products(request.user),
            "query": request.GET.copy(),
        },
    )


def _save(request: HttpRequest, product: Product | None) -> HttpResponse:
    if request.method == "POST":
        form = ProductForm(request.POST)
        prices = PriceFormSet(request.POST, prefix="prices")
        if form.is_valid() and prices.is_valid():
            try:
                if product is None:
                    product = services.product_create(
                        actor=request.user, prices=prices_from(prices), **form.cleaned_data
                    )
                else:
                    product = services.product_update(
                        actor=request.user,
                        product=product,
                        prices=prices_from(prices),
                        **form.cleaned_data,
                    )
            except DomainError as error:
                if error.field == "prices":
                    prices._non_form_errors = prices.error_class([error.message])
                else:
                    form.add_error(
                        error.field if error.field in form.fields else None, error.message
                    )
            else:
                messages.success(request, _("Product “%(name)s” saved.") % {"name": product.name})
                return redirect("products:list")
        status = 400
    else:
        initial = ProductForm.initial_from(product) if product else None
        form = ProductForm(initial=initial)
        prices = PriceFormSet(
            prefix="prices",
            initial=[{"currency": p.currency, "price": p.price} for p in product.prices.all()]
            if product
            else [{"currency": CompanySettings.load().default_currency}],
        )
        status = 200
    return render(
        request,
        "products/form.html",
        {"nav": "products", "form": form, "prices": prices, "product": product},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def product_add(request: HttpRequest) -> HttpResponse:
    _manager_only(request)
    return _save(request, None)


@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _manager_only(request)
    return _save(request, product_get(user=request.user, pk=pk))


@require_POST
def product_archive(request: HttpRequest, pk: int) -> HttpResponse:
    _manager_only(request)
    product = services.product_archive(
        actor=request.user, product=product_get(user=request.user, pk=pk)
    )
    messages.success(request, _("Product “%(name)s” archived.") % {"name": product.name})
    return redirect("products:list")


@require_POST
def product_restore(request: HttpRequest, pk: int) -> HttpResponse:
    _manager_only(request)
    product = services.product_restore(
        actor=request.user, product=product_get(user=request.user, pk=pk)
    )
    messages.success(request, _("Product “%(name)s” restored.") % {"name": product.name})
    return redirect("products:list")
