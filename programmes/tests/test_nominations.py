"""Nominations (docs/nominations.md): a network lead or a line manager puts a
colleague forward; the colleague decides privately. What the coordinators and
the nominator learn depends only on what the nominee chose."""

import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from matching.tests.factories import enrol, make_person
from networks.tests.factories import make_network
from people.tests.factories import UserFactory
from programmes import nominations, services
from programmes.models import Nomination, Participant, Programme
from programmes.nominations import NominationError
from programmes.tests.factories import make_nomination, make_programme

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def world(db, carol):
    """maya leads the Women in Tech network, which co-sponsors P; nina is a member
    who lets leads see her; mo manages rita; P is open."""
    w = type("World", (), {})()
    w.carol = carol
    w.maya = make_person("Maya Lead", email="maya@example.org")
    w.nina = make_person("Nina Member", email="nina@example.org", seniority=2)
    w.mo = make_person("Mo Manager", email="mo@example.org", seniority=5)
    w.rita = make_person("Rita Report", email="rita@example.org", seniority=2, manager=w.mo)
    w.network = make_network("Women in Tech", leads=[w.maya], members=[w.nina])
    w.programme = make_programme(carol, name="Reverse", purpose="Leaders learn from juniors.")
    w.programme.sponsor_networks.add(w.network)
    return w


def login(client, user):
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    client.force_login(user)
    return client


def participants_page(client, w) -> str:
    login(client, w.carol)
    return client.get(reverse("programmes:participants", args=[w.programme.pk])).content.decode()


def without_csrf(html: bytes) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.decode())
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


# -- a network lead --------------------------------------------------------------


def test_a_lead_nominates_a_member_who_is_mailed_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        nomination = nominations.nomination_create(
            programme=world.programme, nominee=world.nina, by=world.maya, role="mentor", note="You'd be great.",
            network=world.network,
        )  # fmt: skip
    assert (nomination.status, nomination.source, nomination.network) == ("pending", "network", world.network)
    assert nomination.expires_at - nomination.created_at == timedelta(days=14)
    assert [m.to for m in mail.outbox] == [["nina@example.org"]]
    assert "Women in Tech network" in mail.outbox[0].body and "Reverse" in mail.outbox[0].subject
    nominations.nomination_mail_send(nomination_id=nomination.pk)  # run again: nothing more
    assert len(mail.outbox) == 1


def test_accepting_and_sharing_shows_the_network_to_the_coordinator(world, client):
    nomination = make_nomination(world.programme, world.nina, by=world.maya, network=world.network)
    participant = nominations.nomination_accept(nomination=nomination, by=world.nina, share_with_coordinator=True)
    assert (participant.source, participant.source_network) == ("network", world.network)
    assert participant.status == Participant.Status.APPLIED
    page = participants_page(client, world)
    assert "Nominated by the Women in Tech network" in page
    detail = client.get(reverse("programmes:participant", args=[world.programme.pk, participant.pk]))
    assert "Nominated by the Women in Tech network" in detail.content.decode()


def test_accepting_without_sharing_reads_as_an_own_application(world, client):
    nomination = make_nomination(world.programme, world.nina, by=world.maya, network=world.network, note="Secret")
    participant = nominations.nomination_accept(nomination=nomination, by=world.nina)
    assert (participant.source, participant.source_network) == ("own", None)
    page = participants_page(client, world)
    assert "Own application" in page
    assert "Women in Tech" not in page and "Secret" not in page
    detail = client.get(reverse("programmes:participant", args=[world.programme.pk, participant.pk])).content.decode()
    assert "Own application" in detail and "Women in Tech" not in detail and "Secret" not in detail


def test_declining_leaves_no_application_and_the_coordinator_sees_nothing(world, client):
    nomination = make_nomination(world.programme, world.nina, by=world.maya, network=world.network)
    nominations.nomination_decline(nomination=nomination, by=world.nina)
    assert not Participant.objects.filter(programme=world.programme).exists()
    assert "Nina" not in participants_page(client, world)


def test_a_lead_of_another_network_or_a_network_not_sponsoring_is_refused(world):
    other = make_network("Pride", leads=[UserFactory()], members=[world.nina])
    with pytest.raises(NominationError, match="Only the leads of the Women in Tech network"):
        nominations.nomination_create(programme=world.programme, nominee=world.nina, by=other.leads.get(),
                                      role="mentee", network=world.network)  # fmt: skip
    with pytest.raises(NominationError, match="does not co-sponsor"):
        nominations.nomination_create(programme=world.programme, nominee=world.nina, by=other.leads.get(),
                                      role="mentee", network=other)  # fmt: skip
    assert not Nomination.objects.exists()


def test_each_refusal_has_a_reason_and_saves_nothing(world):
    def create(**kw):
        args = {"programme": world.programme, "nominee": world.nina, "by": world.maya, "role": "mentee",
                "network": world.network} | kw  # fmt: skip
        return nominations.nomination_create(**args)

    with pytest.raises(NominationError, match="yourself"):
        create(nominee=world.maya)
    with pytest.raises(NominationError, match="1000 characters"):
        create(note="x" * 1001)
    with pytest.raises(NominationError, match="mentor or as a mentee"):
        create(role="boss")
    guest = UserFactory(is_guest=True)
    with pytest.raises(NominationError, match="current colleagues"):
        create(nominee=guest)
    assert not Nomination.objects.exists()
    create()
    with pytest.raises(NominationError, match="already has a nomination"):
        create()
    enrol(world.programme, world.rita, "mentee")
    with pytest.raises(NominationError, match="already enrolled"):
        create(nominee=world.rita)
    Programme.objects.filter(pk=world.programme.pk).update(status="draft")
    world.programme.refresh_from_db()
    with pytest.raises(NominationError, match="not taking people"):
        create(nominee=world.mo)
    assert Nomination.objects.count() == 1


# -- a manager -------------------------------------------------------------------


def test_only_the_line_manager_may_suggest_and_not_where_forbidden(world):
    with pytest.raises(NominationError, match="own direct reports"):
        nominations.nomination_create(programme=world.programme, nominee=world.nina, by=world.mo, role="mentee")
    Programme.objects.filter(pk=world.programme.pk).update(manager_nomination="forbidden")
    world.programme.refresh_from_db()
    with pytest.raises(NominationError, match="Managers do not suggest"):
        nominations.nomination_create(programme=world.programme, nominee=world.rita, by=world.mo, role="mentee")
    assert world.programme not in nominations.programmes_for_managers()


def test_a_report_who_declines_tells_their_manager_nothing(world, client, django_capture_on_commit_callbacks):
    """The manager's pages read the same after a decline, an acceptance the report
    kept to themselves, and an expiry; no notice or mail reaches the manager."""
    from notifications.models import Notification

    pages = {}
    for outcome in ("declined", "accepted quietly", "expired"):
        Nomination.objects.all().delete()
        Participant.objects.filter(user=world.rita).delete()
        with django_capture_on_commit_callbacks(execute=True):
            nomination = nominations.nomination_create(programme=world.programme, nominee=world.rita, by=world.mo,
                                                       role="mentee", note="Think about it")  # fmt: skip
            Nomination.objects.filter(pk=nomination.pk).update(created_at=timezone.now().replace(hour=9, minute=0))
            if outcome == "declined":
                nominations.nomination_decline(nomination=nomination, by=world.rita)
            elif outcome == "accepted quietly":
                nominations.nomination_accept(nomination=nomination, by=world.rita)
            else:
                with time_machine.travel(timezone.now() + timedelta(days=15)):
                    assert nominations.nominations_expire() == 1
                    assert nominations.nominations_expire() == 0
        login(client, world.mo)
        pages[outcome] = (without_csrf(client.get(reverse("nominations:sent")).content),
                          without_csrf(client.get(reverse("home")).content))  # fmt: skip
    assert pages["declined"] == pages["accepted quietly"] == pages["expired"]
    assert "Sent on" in pages["declined"][0] and ">Joined<" not in pages["declined"][0]
    assert not any("mo@example.org" in m.to for m in mail.outbox)
    assert not Notification.objects.filter(recipient=world.mo).exists()


def test_the_manager_hears_only_when_the_report_says_so(world, client, django_capture_on_commit_callbacks):
    nomination = make_nomination(world.programme, world.rita, by=world.mo)
    with django_capture_on_commit_callbacks(execute=True):
        participant = nominations.nomination_accept(nomination=nomination, by=world.rita, tell_nominator=True)
    assert participant.source == "own"  # told the manager, not the coordinators
    assert [m.to for m in mail.outbox] == [["mo@example.org"]]
    login(client, world.mo)
    assert ">Joined<" in client.get(reverse("nominations:sent")).content.decode()


def test_sharing_a_managers_suggestion_shows_it_to_the_coordinator(world, client):
    nomination = make_nomination(world.programme, world.rita, by=world.mo)
    nominations.nomination_accept(nomination=nomination, by=world.rita, share_with_coordinator=True)
    assert "Suggested by their manager" in participants_page(client, world)


def test_a_programme_requiring_a_manager_refuses_other_applications(world, client):
    Programme.objects.filter(pk=world.programme.pk).update(manager_nomination="required")
    world.programme.refresh_from_db()
    with pytest.raises(services.ProgrammeError, match="line manager suggests it"):
        services.participant_apply(programme=world.programme, user=world.nina, role="mentee")
    login(client, world.nina)
    page = client.get(world.programme.get_absolute_url()).content.decode()
    assert "ask your manager to put you forward" in page
    # Through the network: still refused; through the manager: in.
    network_nomination = make_nomination(world.programme, world.nina, by=world.maya, network=world.network)
    with pytest.raises(services.ProgrammeError, match="line manager suggests it"):
        nominations.nomination_accept(nomination=network_nomination, by=world.nina)
    assert Nomination.objects.get(pk=network_nomination.pk).status == "pending"
    nomination = make_nomination(world.programme, world.rita, by=world.mo)
    assert nominations.nomination_accept(nomination=nomination, by=world.rita).pk


# -- answering ---------------------------------------------------------------------


def test_only_the_nominee_answers_and_only_once(world):
    nomination = make_nomination(world.programme, world.nina, by=world.maya, network=world.network)
    with pytest.raises(NominationError, match="Only the person put forward"):
        nominations.nomination_accept(nomination=nomination, by=world.maya)
    with pytest.raises(NominationError, match="Only the person put forward"):
        nominations.nomination_decline(nomination=nomination, by=world.rita)
    nominations.nomination_decline(nomination=nomination, by=world.nina)
    with pytest.raises(NominationError, match="already been answered"):
        nominations.nomination_accept(nomination=nomination, by=world.nina)


def test_an_expired_nomination_can_no_longer_be_accepted(world):
    nomination = make_nomination(world.programme, world.nina, by=world.maya, network=world.network)
    with time_machine.travel(timezone.now() + timedelta(days=14, minutes=1)):
        with pytest.raises(NominationError, match="expired"):
            nominations.nomination_accept(nomination=nomination, by=world.nina)
        from programmes.tasks import expire_nominations

        assert expire_nominations.delay().get() == 1
    assert Nomination.objects.get(pk=nomination.pk).status == "expired"
    assert not Participant.objects.filter(user=world.nina).exists()


def test_the_nominator_withdraws_while_it_waits(world):
    nomination = make_nomination(world.programme, world.nina, by=world.maya, network=world.network)
    with pytest.raises(NominationError, match="Only the person who made"):
        nominations.nomination_withdraw(nomination=nomination, by=world.nina)
    nominations.nomination_withdraw(nomination=nomination, by=world.maya)
    with pytest.raises(NominationError, match="answered or has closed"):
        nominations.nomination_accept(nomination=nomination, by=world.nina)
    with pytest.raises(NominationError, match="no longer be withdrawn"):
        nominations.nomination_withdraw(nomination=nomination, by=world.maya)


@pytest.mark.django_db
def test_the_expiry_job_has_a_schedule():
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.filter(task="programmes.tasks.expire_nominations", enabled=True).exists()


@pytest.mark.django_db(transaction=True)
def test_two_accepts_at_once_make_one_application():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    coordinator = UserFactory(is_coordinator=True)
    nominee, lead = make_person("Nia", email="nia@example.org"), make_person("Lee", email="lee@example.org")
    network = make_network("Race network", leads=[lead], members=[nominee])
    programme = make_programme(coordinator)
    programme.sponsor_networks.add(network)
    nomination = make_nomination(programme, nominee, by=lead, network=network)
    barrier, outcomes = threading.Barrier(2), []

    def accept():
        try:
            barrier.wait()
            nominations.nomination_accept(nomination=nomination, by=nominee)
            outcomes.append("ok")
        except NominationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Participant.objects.filter(programme=programme, user=nominee).count() == 1


# -- pages -------------------------------------------------------------------------


def test_the_nominee_sees_who_put_them_forward_and_answers_on_the_page(world, client):
    nomination = make_nomination(world.programme, world.rita, by=world.mo, note="You'd enjoy it")
    login(client, world.rita)
    home = client.get(reverse("home")).content.decode()
    assert "You were put forward for 1 programme." in home
    inbox = client.get(reverse("nominations:inbox")).content.decode()
    assert "your manager, Mo Manager" in inbox and "You&#x27;d enjoy it" not in inbox
    page = client.get(reverse("nominations:detail", args=[nomination.pk])).content.decode()
    assert "Leaders learn from juniors." in page and "You&#x27;d enjoy it" in page and "<strong>mentee</strong>" in page
    assert 'name="share_with_coordinator"' in page and "checked" not in page  # both choices off by default
    response = client.post(reverse("nominations:detail", args=[nomination.pk]), {"share_with_coordinator": "on"})
    assert response.status_code == 302
    participant = Participant.objects.get(user=world.rita)
    assert participant.source == "manager"
    assert "You were put forward" not in client.get(reverse("home")).content.decode()


def test_the_decline_button_declines(world, client):
    nomination = make_nomination(world.programme, world.nina, by=world.maya, network=world.network)
    login(client, world.nina)
    response = client.post(reverse("nominations:decline", args=[nomination.pk]), follow=True)
    assert "Nobody is told" in response.content.decode()
    assert Nomination.objects.get(pk=nomination.pk).status == "declined"


def test_a_lead_nominates_from_the_networks_page(world, client, django_capture_on_commit_callbacks):
    login(client, world.maya)
    url = reverse("nominations:nominate_from_network", args=[world.network.pk])
    page = client.get(url).content.decode()
    assert "Nina Member" in page and "Reverse" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"member": world.nina.pk, "programme": world.programme.pk, "role": "mentee",
                                     "note": "Go for it"})  # fmt: skip
    assert response.status_code == 302
    assert Nomination.objects.get().network == world.network
    # by email, a colleague who is not a visible member
    response = client.post(url, {"email": "RITA@example.org", "programme": world.programme.pk, "role": "mentee"})
    assert response.status_code == 302
    assert Nomination.objects.filter(nominee=world.rita).exists()
    bad = client.post(url, {"email": "nobody@example.org", "programme": world.programme.pk, "role": "mentee"})
    assert bad.status_code == 200 and "No current colleague" in bad.content.decode()


def test_a_manager_suggests_from_the_team_page_and_non_managers_get_404(world, client):
    login(client, world.nina)
    assert client.get(reverse("nominations:nominate_from_manager")).status_code == 404
    login(client, world.mo)
    url = reverse("nominations:nominate_from_manager")
    assert "Rita Report" in client.get(url).content.decode()
    response = client.post(url, {"person": world.rita.pk, "programme": world.programme.pk, "role": "mentee"})
    assert response.status_code == 302
    assert Nomination.objects.get().source == "manager"


def test_others_cannot_open_answer_or_withdraw_a_nomination(world, client):
    nomination = make_nomination(world.programme, world.nina, by=world.maya, network=world.network, note="Private")
    for person in (world.rita, world.mo, world.carol):
        login(client, person)
        assert client.get(reverse("nominations:detail", args=[nomination.pk])).status_code == 404
        assert client.post(reverse("nominations:decline", args=[nomination.pk])).status_code == 404
        assert client.post(reverse("nominations:withdraw", args=[nomination.pk])).status_code == 404
        assert "Private" not in client.get(reverse("nominations:inbox")).content.decode()
        assert client.get(reverse("nominations:nominate_from_network", args=[world.network.pk])).status_code == 404
    assert Nomination.objects.get(pk=nomination.pk).status == "pending"


def test_the_sent_list_costs_the_same_queries_however_many(world, client, django_assert_max_num_queries):
    login(client, world.mo)
    make_nomination(world.programme, world.rita, by=world.mo)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("nominations:sent"))
    for i in range(5):
        person = make_person(f"Report {i}", email=f"r{i}@example.org", manager=world.mo)
        make_nomination(world.programme, person, by=world.mo)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("nominations:sent"))


def test_a_nominations_note_reaches_no_export_api_or_webhook(world, client, hana, sam):
    """The note is private text from the nominator to the nominee: HR's exports,
    the API and webhook payloads never carry it (nor the nominee's reply)."""
    from api.services import token_create
    from reports import exports
    from reports.tests.exported import body as exported_body
    from reports.tests.exported import text_of
    from webhooks.models import Event

    secret = "NOTE-SECRET-9Z"
    nomination = make_nomination(world.programme, world.nina, by=world.maya, network=world.network, note=secret)
    nominations.nomination_accept(nomination=nomination, by=world.nina, share_with_coordinator=True,
                                  motivation="MOTIVE-SECRET-9Z")  # fmt: skip
    client.force_login(hana)
    for kind in exports.SHEETS:
        response = client.get(reverse("reports:export", args=[kind, "csv"]))
        assert response.status_code == 200, kind
        body = text_of(exported_body(response))
        assert secret not in body and "MOTIVE-SECRET" not in body, kind
    _token, key = token_create(user=sam, name="All", scopes=["programmes:read", "people:read", "reports:read"],
                               expires_at=timezone.now() + timedelta(days=1))  # fmt: skip
    for name, args in (("api:participants", [world.programme.pk]), ("api:programme", [world.programme.pk]),
                       ("api:people", []), ("api:person", [world.nina.pk])):  # fmt: skip
        response = client.get(reverse(name, args=args), headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 200, name
        assert secret not in response.content.decode() and "MOTIVE-SECRET" not in response.content.decode(), name
    assert not any(secret in str(event.payload) for event in Event.objects.all())


def test_a_network_named_network_is_not_called_the_x_network_network(db):
    assert nominations.network_phrase(make_network("Pride network")) == "the Pride network"
    assert nominations.network_phrase(make_network("Women in Tech")) == "the Women in Tech network"
