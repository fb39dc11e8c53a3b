"""The navigation's Import link: for admins and the users an admin allowed to import."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

pytestmark = pytest.mark.django_db
LINK = f'href="{reverse("imports:list")}"'


def test_a_user_allowed_to_import_sees_the_import_link(client, owner):
    owner.user_permissions.add(Permission.objects.get(codename="run_import"))
    client.force_login(owner)

    page = client.get(reverse("contacts:person_list")).content.decode()

    assert LINK in page


def test_a_rep_not_allowed_to_import_does_not_see_the_import_link(client, owner):
    client.force_login(owner)

    page = client.get(reverse("contacts:person_list")).content.decode()

    assert LINK not in page


def test_an_admin_sees_the_import_link(client, admin_user):
    client.force_login(admin_user)

    page = client.get(reverse("contacts:person_list")).content.decode()

    assert LINK in page


@pytest.mark.parametrize(
    "url_name,kind",
    [
        ("leads:inbox", "leads"),
        ("deals:list", "deals"),
        ("contacts:person_list", "people"),
        ("contacts:organization_list", "organizations"),
        ("activities:list", "activities"),
    ],
)
def test_every_list_links_to_its_export_with_the_current_filter(client, owner, url_name, kind):
    from django.urls import reverse

    client.force_login(owner)

    html = client.get(reverse(url_name), {"owner": "mine"}).content.decode()

    assert f'href="{reverse("imports:export", args=[kind, "csv"])}?owner=mine"' in html
    assert f'href="{reverse("imports:export", args=[kind, "xlsx"])}?owner=mine"' in html
