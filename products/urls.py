from django.urls import path

from products.views import catalog, items

app_name = "products"

urlpatterns = [
    path("", catalog.product_list_view, name="list"),
    path("add/", catalog.product_add, name="add"),
    path("<int:pk>/edit/", catalog.product_edit, name="edit"),
    path("<int:pk>/archive/", catalog.product_archive, name="archive"),
    path("<int:pk>/restore/", catalog.product_restore, name="restore"),
    # A deal's products (the deal page shows them).
    path("deals/<int:pk>/items/", items.deal_item_add, name="deal_item_add"),
    path("deals/<int:pk>/items/<int:item_pk>/", items.deal_item_edit, name="deal_item_edit"),
    path(
        "deals/<int:pk>/items/<int:item_pk>/remove/",
        items.deal_item_remove,
        name="deal_item_remove",
    ),
    path("deals/<int:pk>/value-mode/", items.deal_value_mode, name="deal_value_mode"),
]
