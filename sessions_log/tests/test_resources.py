"""The programme library: participants read, coordinators and mentors keep it,
outsiders (HR included) get 404; mentors share resources into their own pairs.

carol coordinates; bob mentors alice; dan mentors erin; hana (HR) and the
outsider have nothing to do with the programme."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from audit.models import AuditEvent
from matching.models import Match
from matching.tests.factories import enrol
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme
from sessions_log.models import Resource, ResourceTag, SharedResource
from sessions_log.resources import (
    ResourceError,
    resource_create,
    resource_delete,
    resource_share,
    resource_update,
    shared_resources_for_match,
    tag_create,
)

pytestmark = pytest.mark.django_db
DEFAULT_THEMES = ["First job and interviews", "Career development", "Confidence", "Prioritising and decision making"]


@pytest.fixture(autouse=True)
def themes(db):
    """Migration 0002 makes these, but a transactional test run earlier flushes them."""
    return [ResourceTag.objects.get_or_create(name=name)[0] for name in DEFAULT_THEMES]


@pytest.fixture
def programme(carol):
    return make_programme(carol, status="running")


@pytest.fixture
def pair(programme, alice, bob):
    return Match.objects.create(programme=programme, mentee=enrol(programme, alice, "mentee"),
                                mentor=enrol(programme, bob, "mentor"))  # fmt: skip


@pytest.fixture
def other_pair(programme):
    dan, erin = UserFactory(full_name="Dan Dale"), UserFactory(full_name="Erin Eve")
    return Match.objects.create(programme=programme, mentee=enrol(programme, erin, "mentee"),
                                mentor=enrol(programme, dan, "mentor"))  # fmt: skip


@pytest.fixture
def book(programme, carol):
    return resource_create(
        programme=programme, by=carol, title="The First 90 Days", kind=Resource.Kind.BOOK,
        author_or_source="Michael D. Watkins", tags=ResourceTag.objects.filter(name="Career development"),
    )  # fmt: skip


def library_url(programme) -> str:
    return reverse("sessions_log:resources", args=[programme.pk])


# -- who may read and change ---------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("carol", 200), ("bob", 200), ("alice", 200), ("hana", 404), ("outsider", 404)],
)
def test_who_may_read_the_library(client, request, pair, book, who, status):
    user = UserFactory() if who == "outsider" else request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(library_url(pair.programme))
    assert response.status_code == status
    if status == 200:
        assert "The First 90 Days" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("carol", 200), ("bob", 200), ("alice", 403), ("hana", 404), ("outsider", 404)],
)
def test_who_may_open_the_add_form(client, request, pair, who, status):
    user = UserFactory() if who == "outsider" else request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse("sessions_log:resource_add", args=[pair.programme.pk])).status_code == status


def test_a_mentor_adds_a_resource_with_themes(client, pair, bob):
    confidence = ResourceTag.objects.get(name="Confidence")
    client.force_login(bob)
    response = client.post(reverse("sessions_log:resource_add", args=[pair.programme.pk]), {
        "title": "Impostor syndrome", "kind": "link", "url": "https://en.wikipedia.org/wiki/Impostor_syndrome",
        "author_or_source": "Wikipedia", "description": "", "tags": [confidence.pk],
    })  # fmt: skip
    assert response.status_code == 302
    resource = Resource.objects.get(title="Impostor syndrome")
    assert resource.added_by == bob
    assert list(resource.tags.all()) == [confidence]


def test_a_link_needs_its_address(client, pair, bob):
    client.force_login(bob)
    response = client.post(reverse("sessions_log:resource_add", args=[pair.programme.pk]),
                           {"title": "Somewhere", "kind": "link", "url": ""})  # fmt: skip
    assert response.status_code == 200
    assert "Links and articles need their address." in response.content.decode()
    assert not Resource.objects.exists()


def test_a_mentee_cannot_add_edit_or_remove(client, pair, book, alice):
    client.force_login(alice)
    programme = pair.programme
    assert client.post(reverse("sessions_log:resource_add", args=[programme.pk]),
                       {"title": "Mine", "kind": "book"}).status_code == 403  # fmt: skip
    assert client.post(reverse("sessions_log:resource_edit", args=[programme.pk, book.pk]),
                       {"title": "Changed", "kind": "book"}).status_code == 403  # fmt: skip
    assert client.post(reverse("sessions_log:resource_delete", args=[programme.pk, book.pk])).status_code == 403
    with pytest.raises(ResourceError):
        resource_create(programme=programme, by=alice, title="Mine", kind="book")
    book.refresh_from_db()
    assert book.title == "The First 90 Days"


def test_hr_gets_404_even_on_the_pages_that_change_things(client, pair, book, hana):
    client.force_login(hana)
    assert client.post(reverse("sessions_log:resource_delete", args=[pair.programme.pk, book.pk])).status_code == 404
    assert Resource.objects.filter(pk=book.pk).exists()


def test_a_mentor_edits_and_removes_their_own_resource(client, pair, bob):
    book = resource_create(programme=pair.programme, by=bob, title="The First 90 Days", kind=Resource.Kind.BOOK)
    client.force_login(bob)
    programme = pair.programme
    response = client.post(reverse("sessions_log:resource_edit", args=[programme.pk, book.pk]), {
        "title": "The First 90 Days (updated edition)", "kind": "book", "url": "",
        "author_or_source": "Michael D. Watkins", "description": "Transitions.", "tags": [],
    })  # fmt: skip
    assert response.status_code == 302
    book.refresh_from_db()
    assert book.title == "The First 90 Days (updated edition)"
    assert not book.tags.exists()
    assert client.post(reverse("sessions_log:resource_delete", args=[programme.pk, book.pk])).status_code == 302
    assert not Resource.objects.filter(pk=book.pk).exists()


def test_the_library_filters_by_theme(client, pair, book, carol):
    resource_create(programme=pair.programme, by=carol, title="Confident presenting", kind="article",
                    url="https://example.org/a", tags=ResourceTag.objects.filter(name="Confidence"))  # fmt: skip
    confidence = ResourceTag.objects.get(name="Confidence")
    client.force_login(carol)
    page = client.get(library_url(pair.programme), {"tag": confidence.pk}).content.decode()
    assert "Confident presenting" in page
    assert "The First 90 Days" not in page


def test_only_coordinators_add_themes(client, pair, carol, bob):
    url = reverse("sessions_log:resource_tag_add", args=[pair.programme.pk])
    client.force_login(bob)
    assert client.post(url, {"name": "Leadership"}).status_code == 403
    client.force_login(carol)
    assert client.post(url, {"name": "Leadership"}).status_code == 302
    assert ResourceTag.objects.filter(name="Leadership").count() == 1
    # The same name again, in another case, is the same theme.
    assert tag_create(programme=pair.programme, by=carol, name="  leadership ").name == "Leadership"
    assert ResourceTag.objects.filter(name__iexact="leadership").count() == 1


# -- sharing with a mentee ------------------------------------------------


def test_a_mentor_shares_with_their_mentee_and_it_shows_in_the_partial(client, pair, book, bob):
    client.force_login(bob)
    response = client.post(reverse("sessions_log:resource_share", args=[pair.programme.pk, book.pk]),
                           {"match": pair.pk, "note": "Chapter 3 is about your situation."})  # fmt: skip
    assert response.status_code == 302
    shared = SharedResource.objects.get()
    assert (shared.match, shared.resource, shared.shared_by) == (pair, book, bob)

    html = render_to_string("sessions_log/_shared_resources.html",
                            {"shared_resources": shared_resources_for_match(pair)})  # fmt: skip
    assert "The First 90 Days" in html
    assert "Chapter 3 is about your situation." in html


def test_sharing_twice_is_refused_politely(client, pair, book, bob):
    resource_share(resource=book, match=pair, by=bob)
    client.force_login(bob)
    response = client.post(reverse("sessions_log:resource_share", args=[pair.programme.pk, book.pk]),
                           {"match": pair.pk}, follow=True)  # fmt: skip
    assert "You have already shared “The First 90 Days” with Alice Adams." in response.content.decode()
    assert SharedResource.objects.count() == 1


def test_sharing_into_another_mentors_pair_is_refused(client, pair, other_pair, book, bob):
    client.force_login(bob)
    response = client.post(reverse("sessions_log:resource_share", args=[pair.programme.pk, book.pk]),
                           {"match": other_pair.pk}, follow=True)  # fmt: skip
    assert "only with your own current mentees and mentors" in response.content.decode()
    assert not SharedResource.objects.exists()
    with pytest.raises(ResourceError, match="only with your own mentees and mentors"):
        resource_share(resource=book, match=other_pair, by=bob)


def test_the_mentee_shares_with_her_mentor(client, pair, book, alice, bob):
    """Two-way learning: "share with my mentor"."""
    client.force_login(alice)
    assert "Share with my mentor" in client.get(library_url(pair.programme)).text
    url = reverse("sessions_log:resource_share", args=[pair.programme.pk, book.pk])
    response = client.post(url, {"match": pair.pk, "note": "For your team offsite"}, follow=True)
    assert "Shared “The First 90 Days” with Bob Brown." in response.text
    shared = SharedResource.objects.get()
    assert (shared.match, shared.shared_by) == (pair, alice)
    client.force_login(bob)
    response = client.post(url, {"match": pair.pk}, follow=True)
    assert "Alice Adams has already shared “The First 90 Days” with you." in response.text
    assert SharedResource.objects.count() == 1


def test_a_mentee_cannot_share_into_another_pair_and_a_coordinator_cannot_share(
    client, pair, other_pair, book, alice, carol
):
    client.force_login(alice)
    url = reverse("sessions_log:resource_share", args=[pair.programme.pk, book.pk])
    assert client.post(url, {"match": other_pair.pk}).status_code == 302
    client.force_login(carol)
    assert client.post(url, {"match": pair.pk}).status_code == 403
    assert not SharedResource.objects.exists()


def test_an_ended_pair_cannot_receive_shares(pair, book, bob):
    from django.utils import timezone

    Match.objects.filter(pk=pair.pk).update(status=Match.Status.ENDED, ended_at=timezone.now())
    pair.refresh_from_db()
    with pytest.raises(ResourceError, match="ended"):
        resource_share(resource=book, match=pair, by=bob)


def test_the_mentor_sees_a_select_of_their_active_mentees(client, pair, other_pair, book, bob):
    client.force_login(bob)
    page = client.get(library_url(pair.programme)).content.decode()
    assert "Share with my mentee" in page
    assert "Alice Adams" in page
    assert "Erin Eve" not in page


# -- only the author or a coordinator changes a resource, audited (issue 13, item 8) ----


def phishing_edit(resource) -> dict:
    return {"title": resource.title, "kind": "link", "url": "https://evil.example/login", "author_or_source": "",
            "description": "", "tags": []}  # fmt: skip


@pytest.mark.parametrize(
    ("who", "status"),
    [("bob", 403), ("dan", 403), ("alice", 403), ("hana", 404), ("outsider", 404), ("other_coordinator", 404)],
)
def test_nobody_but_the_author_and_coordinators_may_edit_or_remove_a_resource(
    client, request, pair, other_pair, carol, who, status
):
    """The issue's attack: a mentor repointed the coordinator's resource to a phishing URL."""
    guide = resource_create(programme=pair.programme, by=carol, title="Onboarding guide", kind="link",
                            url="https://intranet.example.org/guide")  # fmt: skip
    users = {"dan": other_pair.mentor.user, "outsider": UserFactory(),
             "other_coordinator": UserFactory(is_coordinator=True)}  # fmt: skip
    user = users[who] if who in users else request.getfixturevalue(who)
    client.force_login(user)
    edit = reverse("sessions_log:resource_edit", args=[pair.programme.pk, guide.pk])
    delete = reverse("sessions_log:resource_delete", args=[pair.programme.pk, guide.pk])

    assert client.get(edit).status_code == status
    assert client.post(edit, phishing_edit(guide)).status_code == status
    assert client.post(delete).status_code == status

    guide.refresh_from_db()
    assert guide.url == "https://intranet.example.org/guide"
    with pytest.raises(ResourceError):
        resource_update(resource=guide, by=user, url="https://evil.example/login")
    with pytest.raises(ResourceError):
        resource_delete(resource=guide, by=user)
    assert Resource.objects.filter(pk=guide.pk, url="https://intranet.example.org/guide").exists()
    assert not AuditEvent.objects.filter(action__startswith="resource_").exists()


@pytest.mark.parametrize("who", ["carol", "sam", "bob"])
def test_the_author_coordinators_and_staff_edit_and_remove_and_each_is_audited_without_names(
    client, request, pair, bob, who
):
    resource = resource_create(programme=pair.programme, by=bob, title="Alice's reading list", kind="link",
                               url="https://example.org/list")  # fmt: skip
    user = request.getfixturevalue(who)
    client.force_login(user)

    edited = client.post(reverse("sessions_log:resource_edit", args=[pair.programme.pk, resource.pk]),
                         phishing_edit(resource) | {"url": "https://example.org/list-2"})  # fmt: skip
    removed = client.post(reverse("sessions_log:resource_delete", args=[pair.programme.pk, resource.pk]))

    assert (edited.status_code, removed.status_code) == (302, 302)
    edit_event, remove_event = AuditEvent.objects.filter(action__startswith="resource_").order_by("pk")
    assert (edit_event.action, edit_event.actor, edit_event.person) == ("resource_edited", user, bob)
    assert (edit_event.target_type, edit_event.target_id) == ("sessions_log.resource", resource.pk)
    assert edit_event.summary == f"Library resource of {pair.programme.name} edited: url"
    assert edit_event.detail == {"programme": pair.programme.pk, "changed": ["url"]}
    assert (remove_event.action, remove_event.actor, remove_event.person) == ("resource_removed", user, bob)
    assert remove_event.summary == f"Library resource of {pair.programme.name} removed"
    for event in (edit_event, remove_event):  # no names, nothing anyone wrote
        text = event.summary + str(event.detail)
        assert "Alice" not in text and "Bob" not in text and "example.org" not in text


def test_a_mentor_sees_edit_and_remove_only_on_their_own_resources(client, pair, book, bob, carol):
    resource_create(programme=pair.programme, by=bob, title="Bob's pick", kind="book")
    client.force_login(bob)

    page = client.get(library_url(pair.programme)).content.decode()

    assert 'Edit<span class="visually-hidden"> Bob&#x27;s pick</span>' in page
    assert 'Remove<span class="visually-hidden"> Bob&#x27;s pick</span>' in page
    assert "The First 90 Days</span>" not in page  # carol's book: neither edit nor remove
    client.force_login(carol)
    page = client.get(library_url(pair.programme)).content.decode()
    assert page.count("Edit<span") == 2 and page.count("Remove<span") == 2


def test_a_former_mentor_can_no_longer_change_what_they_added(pair, bob):
    resource = resource_create(programme=pair.programme, by=bob, title="Mine", kind="book")
    pair.mentor.status = "withdrawn"
    pair.mentor.save(update_fields=["status"])

    with pytest.raises(ResourceError):
        resource_update(resource=resource, by=bob, title="Still mine")
