"""The directory never reads demographics: no query of a search touches
people_attributeanswer (nor the old people_demographics), and changing other people's answers leaves the
page's HTML exactly as it was."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import AttributeAnswer, Profile, Tag
from people.tests.factories import answer

from .factories import make_drop_in
from .test_directory import helper, slot

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
URL = reverse("dropin:directory")
SEARCHES = [
    {},
    {"q": "data", "topic": "Data analysis", "language": "English", "overlap": "on", "within": "14"},
    {"format": "in_person", "any_time": "on"},
    {"format": "video", "page": "2"},
]


@pytest.fixture
def world(alice, carol):
    with time_machine.travel(NOW, tick=False):
        drop_in = make_drop_in(carol)
        Tag.objects.create(name="Data analysis")
        Profile.objects.create(user=alice, timezone="America/New_York", location="New York", languages=["English"])
        answer(alice, "gender_identity", "Woman")
        helpers = []
        for i in range(25):
            mentor = helper(drop_in, f"Helper {i:02}", skills=["Data analysis"] if i % 2 else [],
                            zone=["Europe/London", "America/Chicago"][i % 2],
                            location=["London", "New York"][i % 2])  # fmt: skip
            slot(mentor, NOW + timedelta(days=1, hours=3 + i % 5), site=["", "new york"][i % 2])
            answer(mentor.user, "gender_identity", ["Man", "Woman"][i % 2])
            answer(mentor.user, "ethnic_group", "White")
            answer(mentor.user, "generation", "Generation X (1965-80)")
            helpers.append(mentor.user)
        yield helpers


def page(client, query) -> str:
    """The page's HTML less its per-request CSRF tokens."""
    html = client.get(URL, query).content.decode()
    assert "data-why" in html
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", html)


@pytest.mark.parametrize("query", SEARCHES)
def test_no_query_of_a_search_touches_demographics(client, alice, world, query):
    client.force_login(alice)
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
        response = client.get(URL, query)
    assert response.status_code == 200
    assert response.context["cards"]
    assert not [q["sql"] for q in queries.captured_queries
                if "people_attributeanswer" in q["sql"] or "people_demographics" in q["sql"]]  # fmt: skip


@pytest.mark.parametrize("query", SEARCHES)
def test_changing_other_peoples_demographics_changes_nothing_on_the_page(client, alice, world, query):
    client.force_login(alice)
    with time_machine.travel(NOW, tick=False):
        before = page(client, query)
        AttributeAnswer.objects.filter(user__in=world[:12]).delete()
        for user in world[12:]:
            answer(user, "gender_identity", "Non-binary")
            answer(user, "ethnic_group", text="Arab")
            answer(user, "disability", "Yes")
            answer(user, "generation", "Generation Z (1997-2012)")
        for user in world[:12]:
            answer(user, "gender_identity", prefer_not=True)
        after = page(client, query)
    assert before == after
