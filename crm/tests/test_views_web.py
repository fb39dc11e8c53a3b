"""Log in, profile, the global search and the home page."""

import pytest
from django.urls import reverse

from contacts.services import organization_create, person_create
from crm.models import Visibility
from crm.templatetags.crm_format import safe_url
from leads.services import lead_create


def test_pages_need_a_login(client, db):
    response = client.get(reverse("leads:inbox"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_form_signs_in_and_lands_in_the_inbox(client, owner):
    response = client.post(
        reverse("login"), {"username": "owner", "password": "pass-word-123"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("leads:inbox")
    assert response.status_code == 200


def test_wrong_password_shows_the_form_again(client, owner):
    response = client.post(reverse("login"), {"username": "owner", "password": "nope"})

    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_profile_saves_the_language_and_answers_in_it(client, owner):
    client.force_login(owner)

    response = client.post(
        reverse("profile"),
        {"first_name": "Olivia", "last_name": "Owner", "email": "o@example.com", "language": "de"},
        follow=True,
    )

    owner.refresh_from_db()
    assert owner.language == "de"
    assert 'lang="de"' in response.content.decode()


def test_profile_refuses_an_unknown_language(client, owner):
    client.force_login(owner)

    response = client.post(
        reverse("profile"), {"first_name": "O", "last_name": "O", "email": "", "language": "xx"}
    )

    owner.refresh_from_db()
    assert response.status_code == 200 and owner.language == ""


def test_search_finds_visible_people_organizations_and_leads(client, owner):
    person = person_create(actor=owner, name="Greta Sommer")
    organization_create(actor=owner, name="Sommer Solar")
    lead_create(actor=owner, title="Sommer roof", person=person)
    client.force_login(owner)

    data = client.get(reverse("search"), {"q": "sommer"}, HTTP_ACCEPT="application/json").json()

    names = {group["label"]: [i["name"] for i in group["items"]] for group in data["groups"]}
    assert names == {
        "People": ["Greta Sommer"],
        "Organizations": ["Sommer Solar"],
        "Leads": ["Sommer roof"],
    }


def test_search_never_finds_another_teams_private_records(client, owner, outsider):
    person_create(actor=outsider, name="Hidden Sommer", visible_to=Visibility.TEAM)
    client.force_login(owner)

    data = client.get(reverse("search"), {"q": "sommer"}, HTTP_ACCEPT="application/json").json()

    assert data["groups"] == []


def test_search_partial_escapes_names(client, owner):
    person_create(actor=owner, name="<img src=x onerror=alert(1)> Evil")
    client.force_login(owner)

    page = client.get(reverse("search"), {"q": "evil", "partial": "1"}).content.decode()

    assert "<img" not in page and "&lt;img" in page


def test_home_redirects_to_the_leads_inbox(client, owner):
    client.force_login(owner)

    assert client.get(reverse("home")).url == reverse("leads:inbox")


def test_javascript_catalog_is_served_without_login(client, db):
    assert client.get(reverse("javascript-catalog")).status_code == 200


def search_names(client, query: str) -> list[str]:
    response = client.get(reverse("search"), {"q": query}, HTTP_ACCEPT="application/json")
    return [item["name"] for group in response.json()["groups"] for item in group["items"]]


def test_search_finds_a_person_by_email_address(client, owner):
    person_create(actor=owner, name="Greta Sommer", emails=["greta@sommer.example"])
    client.force_login(owner)

    assert search_names(client, "greta@somm") == ["Greta Sommer"]


def test_search_finds_a_person_by_phone_number_as_written_nationally(client, owner):
    person_create(actor=owner, name="Greta Sommer", phones=["+49 30 1234567"])
    client.force_login(owner)

    assert search_names(client, "030 1234567") == ["Greta Sommer"]


def test_search_finds_a_name_without_its_accents(client, owner):
    person_create(actor=owner, name="Jürgen Müller")
    client.force_login(owner)

    assert search_names(client, "jurgen mull") == ["Jürgen Müller"]


def test_search_finds_an_organization_by_its_domain(client, owner):
    organization_create(actor=owner, name="Nordwind", website="https://www.nordwind.example/")
    client.force_login(owner)

    assert search_names(client, "nordwind.example") == ["Nordwind"]


def test_search_by_email_never_finds_another_teams_private_person(client, owner, outsider):
    person_create(
        actor=outsider, name="Hidden", emails=["hidden@x.example"], visible_to=Visibility.TEAM
    )
    client.force_login(owner)

    assert search_names(client, "hidden@x.example") == []


@pytest.mark.parametrize(
    ("website", "url"),
    [
        ("acme.example", "https://acme.example"),
        ("http://acme.example/a", "http://acme.example/a"),
        ("javascript:alert(1)", ""),
        ("data:text/html,hi", ""),
        ("//evil.example", ""),
        ("ftp://files.example", ""),
    ],
)
def test_safe_url_lets_only_http_and_https_become_links(website, url):
    assert safe_url(website) == url


def test_every_page_has_a_favicon(client, owner):
    client.force_login(owner)

    assert (
        '<link rel="icon" href="data:image/svg+xml'
        in client.get(reverse("profile")).content.decode()
    )
