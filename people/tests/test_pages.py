"""The layout every page uses: navigation by role, messages, error pages."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_visitors_see_a_welcome_with_sign_in_and_sign_up(client):
    page = client.get(reverse("home")).content.decode()

    assert 'href="/accounts/login/"' in page
    assert 'href="/accounts/signup/"' in page
    assert "Admin" not in page


def test_a_participant_sees_their_name_and_no_admin_link(client, alice):
    client.force_login(alice)

    page = client.get(reverse("home")).content.decode()

    assert "Welcome, Alice" in page
    assert "Participant" in page
    assert reverse("admin:index") not in page


def test_staff_see_the_admin_link(client, sam):
    client.force_login(sam)

    page = client.get(reverse("home")).content.decode()

    assert reverse("admin:index") in page
    assert "Staff" in page


def test_roles_are_named_on_the_home_page(client, carol, hana):
    client.force_login(carol)
    assert "Coordinator" in client.get(reverse("home")).content.decode()
    client.force_login(hana)
    assert "HR viewer" in client.get(reverse("home")).content.decode()


def test_pages_load_bootstrap_and_htmx_from_our_own_static_files(client):
    page = client.get(reverse("home")).content.decode()

    assert "/static/bootstrap/css/bootstrap.min.css" in page
    assert "/static/django_htmx/htmx" in page
    assert "cdn" not in page.lower()
    assert "<main" in page and "<nav" in page and 'lang="en"' in page


def test_an_unknown_page_shows_the_site_404(client, alice, settings):
    settings.DEBUG = False
    client.force_login(alice)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Welcome" not in response.content.decode()


def test_the_500_page_renders_without_a_request_context():
    page = render_to_string("500.html")

    assert "Something went wrong" in page


def test_the_admin_is_closed_to_participants(client, alice):
    client.force_login(alice)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert "/admin/login/" in response.url
