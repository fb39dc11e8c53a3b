"""Persons and organizations with their stored keys set, as the contact services set them."""

import factory
from django.conf import settings

from contacts.models import Organization, Person, PersonEmail, PersonPhone
from contacts.normalize import (
    email_key,
    organization_index_fields,
    person_index_fields,
    phone_key,
)
from crm.models import Visibility
from crm.tests.factories import UserFactory


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    website = ""
    owner = factory.SubFactory(UserFactory)
    visible_to = Visibility.COMPANY

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        kwargs.update(organization_index_fields(kwargs["name"], kwargs["website"]))
        return kwargs


class PersonFactory(factory.django.DjangoModelFactory):
    """`PersonFactory(name=..., emails=[...], phones=[...])`, first address primary."""

    class Meta:
        model = Person
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Person {n}")
    owner = factory.SubFactory(UserFactory)
    visible_to = Visibility.COMPANY

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        kwargs.update(person_index_fields(kwargs["name"]))
        return kwargs

    @factory.post_generation
    def emails(obj, create, extracted, **kwargs):
        if create and extracted:
            PersonEmail.objects.bulk_create(
                PersonEmail(person=obj, email=raw, key=email_key(raw), position=i)
                for i, raw in enumerate(extracted)
            )

    @factory.post_generation
    def phones(obj, create, extracted, **kwargs):
        if create and extracted:
            PersonPhone.objects.bulk_create(
                PersonPhone(
                    person=obj,
                    number=raw,
                    key=phone_key(raw, settings.CRM_DEFAULT_COUNTRY),
                    position=i,
                )
                for i, raw in enumerate(extracted)
            )
