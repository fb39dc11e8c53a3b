from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"

    def ready(self) -> None:
        # Custom fields live in crm, below this app: leads carry the deal and lead fields.
        from crm.custom_fields.registry import register_entity
        from crm.models import FieldEntity
        from leads.models import Lead

        register_entity(FieldEntity.LEAD, Lead)
