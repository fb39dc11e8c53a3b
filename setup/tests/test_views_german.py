"""The Settings pages speak the user's language."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_pipeline_page_speaks_german(client, admin_user, pipeline):
    admin_user.language = "de"
    admin_user.save()
    client.force_login(admin_user)

    page = client.get(reverse("setup:pipeline", args=[pipeline.pk])).content.decode()

    assert "Einstellungen" in page
    assert "Phase hinzufügen" in page
    assert "Qualified nach oben" in page
