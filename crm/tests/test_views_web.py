"""Log in, profile, the global search and the home page."""

import pytest
from django.urls import reverse

from crm.templatetags.crm_format import safe_url


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


def test_home_redirects_to_the_leads_inbox(client, owner):
    client.force_login(owner)

    assert client.get(reverse("home")).url == reverse("leads:inbox")


def test_javascript_catalog_is_served_without_login(client, db):
    assert client.get(reverse("javascript-catalog")).status_code == 200


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
