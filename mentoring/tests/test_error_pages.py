"""`make run` runs with DEBUG on, yet a page a person may not see answers with
the product's own 404 and 403 pages, as in production (PRODUCT_ERROR_PAGES);
a server error still shows Django's technical page there, which is what DEBUG
is for."""

import pytest
from django.test import Client
from django.urls import reverse

from sessions_log.tests.test_workspace import make_pair

pytestmark = pytest.mark.django_db

PRODUCT_404 = "The page you asked for doesn't exist, or you don't have access to it."
PRODUCT_403 = "You don't have access to this page"
TECHNICAL_404 = "Django tried these URL patterns"


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    return settings


@pytest.fixture
def pair(carol, alice, bob):
    return make_pair(carol, alice, bob)


def test_someone_elses_pair_shows_the_products_404_page_with_debug_on(client, debug, pair):
    from people.tests.factories import UserFactory

    client.force_login(UserFactory(email="dan@example.org"))

    response = client.get(reverse("sessions_log:workspace", args=[pair.pk]))

    assert response.status_code == 404
    page = response.content.decode()
    assert PRODUCT_404 in page and "Your profile" in page, "the product's page, in the site's layout"
    assert "Raised by" not in page and TECHNICAL_404 not in page


def test_an_unknown_address_shows_the_products_404_page_with_debug_on(client, debug, alice):
    client.force_login(alice)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert PRODUCT_404 in page and TECHNICAL_404 not in page


def test_a_signed_out_visitor_gets_the_products_404_page_too(client, debug):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert PRODUCT_404 in response.content.decode()


def test_a_page_the_coordinator_may_only_read_shows_the_products_403_page_with_debug_on(client, debug, pair, carol):
    client.force_login(carol)  # reads the pair's workspace, but only the pair schedules its meetings

    response = client.get(reverse("sessions_log:meeting_schedule", args=[pair.pk]))

    assert response.status_code == 403
    assert PRODUCT_403 in response.content.decode()


def test_the_technical_404_page_comes_back_when_asked_for(client, debug, alice):
    debug.PRODUCT_ERROR_PAGES = False
    client.force_login(alice)

    assert TECHNICAL_404 in client.get("/no-such-page/").content.decode()


def test_a_server_error_still_shows_djangos_technical_page_with_debug_on(debug, alice, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the home page broke")

    monkeypatch.setattr("mentoring.views.render", broken)
    client = Client(raise_request_exception=False)
    client.force_login(alice)

    response = client.get(reverse("home"))

    assert response.status_code == 500
    assert "the home page broke" in response.content.decode() and "Traceback" in response.content.decode()
