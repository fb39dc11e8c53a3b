from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "deals"

    def ready(self) -> None:
        # Custom fields live in crm, below this app: deals carry the deal fields.
        from crm.custom_fields.registry import register_entity
        from crm.models import FieldEntity
        from deals.models import Deal

        register_entity(FieldEntity.DEAL, Deal)
