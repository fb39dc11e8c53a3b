from django.contrib import admin

from products.models import Product, ProductPrice


class ProductPriceInline(admin.TabularInline):
    model = ProductPrice
    extra = 1


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "unit", "tax_percent", "is_active")
    search_fields = ("name", "code")
    list_filter = ("is_active",)
    inlines = [ProductPriceInline]
