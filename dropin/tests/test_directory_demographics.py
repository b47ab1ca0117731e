"""The directory never reads demographics: no query of a search touches
people_demographics, and changing other people's demographics leaves the
page's HTML exactly as it was."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import Demographics, Profile, Tag

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
        Demographics.objects.create(user=alice, consented_at=NOW, gender="woman")
        helpers = []
        for i in range(25):
            mentor = helper(drop_in, f"Helper {i:02}", skills=["Data analysis"] if i % 2 else [],
                            zone=["Europe/London", "America/Chicago"][i % 2],
                            location=["London", "New York"][i % 2])  # fmt: skip
            slot(mentor, NOW + timedelta(days=1, hours=3 + i % 5), site=["", "new york"][i % 2])
            Demographics.objects.create(user=mentor.user, consented_at=NOW, gender=["man", "woman"][i % 2],
                                        ethnicity_group="A", generation="gen_x")  # fmt: skip
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
    assert not [q["sql"] for q in queries.captured_queries if "people_demographics" in q["sql"]]


@pytest.mark.parametrize("query", SEARCHES)
def test_changing_other_peoples_demographics_changes_nothing_on_the_page(client, alice, world, query):
    client.force_login(alice)
    with time_machine.travel(NOW, tick=False):
        before = page(client, query)
        Demographics.objects.filter(user__in=world[:12]).delete()
        for user in world[12:]:
            Demographics.objects.filter(user=user).update(gender="non-binary", ethnicity_group="B",
                                                          disability="yes", generation="gen_z")  # fmt: skip
        for user in world[:12]:
            Demographics.objects.create(user=user, consented_at=NOW, gender="prefer not", staff_network="Pride")
        after = page(client, query)
    assert before == after
