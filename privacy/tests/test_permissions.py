"""Nobody reaches another person's data by URL: the person's own pages carry no
id, and the staff pages answer 404 to everyone but staff."""

import json

import pytest
from django.urls import reverse

from privacy.models import ErasureRequest
from privacy.services import erasure_request

OWN_PAGES = ["privacy:overview", "privacy:download", "privacy:erase"]


@pytest.mark.parametrize("name", [*OWN_PAGES, "privacy:staff_list"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_anonymous_visitors_cannot_cancel_or_erase(client, alice):
    erasure = erasure_request(user=alice)
    assert client.post(reverse("privacy:erase_cancel")).status_code == 302
    assert client.post(reverse("privacy:staff_erase", args=[erasure.pk])).status_code == 302
    erasure.refresh_from_db()
    assert erasure.is_pending


@pytest.mark.parametrize("who", ["bob", "carol", "hana", "sam"])
def test_each_role_downloads_only_their_own_data(client, world, who, request, password):
    person = request.getfixturevalue(who)
    client.login(email=person.email, password=password)
    data = json.loads(client.get(reverse("privacy:download")).content)
    assert data["account"]["email"] == person.email
    text = json.dumps(data)
    for marker in ["ALICE-RECAP-PRIVATE", "ALICE-GENDER", "ALICE-BIO", "ALICE-FEEDBACK", "alice@example.org"]:
        assert marker not in text


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "hana"])
def test_only_staff_see_the_requests_or_erase_anyone(client, world, who, request, password):
    erasure = erasure_request(user=world.frank)
    person = request.getfixturevalue(who)
    client.login(email=person.email, password=password)
    assert client.get(reverse("privacy:staff_list")).status_code == 404
    assert client.get(reverse("privacy:staff_erase", args=[erasure.pk])).status_code == 404
    assert client.post(reverse("privacy:staff_erase", args=[erasure.pk])).status_code == 404
    erasure.refresh_from_db()
    assert erasure.is_pending


def test_cancel_reaches_only_ones_own_request(client, world, bob, alice, password):
    erasure = erasure_request(user=alice)
    client.login(email=bob.email, password=password)
    response = client.post(reverse("privacy:erase_cancel"), follow=True)
    assert "There is no erasure waiting to be cancelled." in response.content.decode()
    erasure.refresh_from_db()
    assert erasure.is_pending


def test_the_cancel_service_refuses_anyone_else(world, alice, sam):
    from privacy.services import PrivacyError, erasure_cancel

    erasure = erasure_request(user=alice)
    with pytest.raises(PrivacyError):
        erasure_cancel(erasure=erasure, by=sam)
    assert ErasureRequest.objects.get().is_pending


def test_an_unknown_request_is_not_found_for_staff(client, sam, password):
    client.login(email=sam.email, password=password)
    assert client.get(reverse("privacy:staff_erase", args=[999999])).status_code == 404


def test_cancel_and_erase_need_post(client, alice, password):
    client.login(email=alice.email, password=password)
    assert client.get(reverse("privacy:erase_cancel")).status_code == 405


def test_the_staff_page_costs_the_same_queries_however_many_requests(client, sam, password):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from people.tests.factories import UserFactory

    client.login(email=sam.email, password=password)
    erasure_request(user=UserFactory())
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("privacy:staff_list"))
    for _ in range(10):
        erasure_request(user=UserFactory())
    with CaptureQueriesContext(connection) as large:
        page = client.get(reverse("privacy:staff_list")).content.decode()
    assert page.count("Erase now…") == 11
    assert len(large.captured_queries) == len(small.captured_queries)
