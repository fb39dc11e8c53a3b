from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"

    def ready(self) -> None:
        # Custom fields live in crm, below this app: tell them which records are ours and how
        # a field pointing at a person or an organization checks that the reader may see it.
        from contacts.models import Organization, Person
        from contacts.selectors import organization_list, person_list
        from crm.custom_fields.registry import Reference, register_entity, register_reference
        from crm.models import FieldEntity, FieldType

        register_entity(FieldEntity.PERSON, Person)
        register_entity(FieldEntity.ORGANIZATION, Organization)

        def person_labels(user, ids):
            return dict(person_list(user=user).filter(pk__in=list(ids)).values_list("pk", "name"))

        def organization_labels(user, ids):
            rows = organization_list(user=user).filter(pk__in=list(ids))
            return dict(rows.values_list("pk", "name"))

        def choices(selector):
            def pick(user, limit):
                return list(selector(user=user).order_by("name").values_list("pk", "name")[:limit])

            return pick

        register_reference(
            FieldType.PERSON, Reference(labels=person_labels, choices=choices(person_list))
        )
        register_reference(
            FieldType.ORGANIZATION,
            Reference(labels=organization_labels, choices=choices(organization_list)),
        )
