"""The start page gathers from every app; its cost must not grow with them."""

import pytest
from django.urls import reverse

from matching.models import Match
from people.tests.factories import UserFactory
from programmes.models import Participant
from programmes.tests.factories import enrol_many, make_programme

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("viewer", ["carol", "alice"])
def test_the_home_page_costs_the_same_queries_with_more_programmes_and_pairs(
    client, carol, alice, viewer, request, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(viewer))

    def add_programmes(count):
        for i in range(count):
            programme = make_programme(carol, name=f"Programme {i}", status="open" if i % 2 else "running")
            mentee = Participant.objects.create(programme=programme, user=alice, role="mentee", status="approved")
            mentor = Participant.objects.create(
                programme=programme, user=UserFactory(), role="mentor", status="approved", capacity=1
            )
            Match.objects.create(programme=programme, mentee=mentee, mentor=mentor, reasons=["same timezone"])
            enrol_many(programme, 3)

    add_programmes(2)
    url = reverse("home")
    client.get(url)
    # A coordinator's home also judges the stale stored health of their live programmes' pairs and
    # counts it (thirteen queries: engagement.stored);
    # every page counts the navigation's unread messages (one); the nominations line reads its figures (one).
    with django_assert_max_num_queries(23 if viewer == "carol" else 9) as few:
        client.get(url)
    add_programmes(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    # alice is the mentee of every pair; carol only coordinates.
    assert ("Open your workspace" in response.content.decode()) == (viewer == "alice")
