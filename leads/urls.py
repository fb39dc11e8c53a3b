from django.urls import path

from leads.views import convert, inbox, items, records, reopen

app_name = "leads"

urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("add/", records.add, name="add"),
    path("bulk/", inbox.bulk, name="bulk"),
    path("from-deal/<int:pk>/", reopen.from_deal, name="from_deal"),
    path("<int:pk>/", records.detail, name="detail"),
    path("<int:pk>/edit/", records.edit, name="edit"),
    path("<int:pk>/archive/", records.archive, name="archive"),
    path("<int:pk>/restore/", records.restore, name="restore"),
    path("<int:pk>/convert/", convert.convert, name="convert"),
    path("<int:pk>/notes/", records.note_add, name="note_add"),
    path("<int:pk>/activities/", records.activity_add, name="activity_add"),
    path("<int:pk>/products/", items.lead_item_add, name="lead_item_add"),
    path("<int:pk>/products/<int:item_pk>/", items.lead_item_edit, name="lead_item_edit"),
    path(
        "<int:pk>/products/<int:item_pk>/remove/", items.lead_item_remove, name="lead_item_remove"
    ),
    path("<int:pk>/value-mode/", items.lead_value_mode, name="lead_value_mode"),
]
