"""Writes through the API: the same services as the browser, each audited as
API_WRITE (with the token's prefix) in the same transaction; bad input is a 400
that says what is wrong, field by field, and changes nothing."""

from django.urls import reverse

from api.models import ApiToken
from audit.models import AuditEvent
from common.models import OutboxEntry
from matching.models import Match, MatchRun
from programmes.models import ApplicationQuestion, Participant

from .conftest import Api, make_token


def _api_writes():
    return AuditEvent.objects.filter(action=AuditEvent.Action.API_WRITE)


def test_a_coordinator_publishes_a_run_through_the_consoles_service(world):
    key = make_token(world.carol, ["matching:read", "matching:write"])
    api = Api(key)
    run = api.get(reverse("api:run", args=[world.p1.pk, world.run_1.pk])).json()
    assert (run["status"], run["proposals"]) == ("ready", 1)
    response = api.post(reverse("api:run_publish", args=[world.p1.pk, world.run_1.pk]), {"expected_matches": 1})
    assert response.status_code == 200, response.content
    assert response.json()["published"] == 1 and response.json()["run"]["status"] == "published"
    match = Match.objects.get(run=world.run_1)
    assert (match.mentee, match.mentor) == (world.finn_p1, world.gus_p1)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MATCHES_PUBLISHED, actor=world.carol).count() == 1
    event = _api_writes().get()
    assert event.actor == world.carol and event.detail["token"] == ApiToken.objects.get().prefix
    assert OutboxEntry.objects.filter(handler__endswith="matches_notify").count() == 1  # the pairs' mails, later


def test_a_run_changed_since_it_was_read_publishes_nothing(world):
    api = Api(make_token(world.carol))
    response = api.post(reverse("api:run_publish", args=[world.p1.pk, world.run_1.pk]), {"expected_matches": 2})
    assert response.status_code == 409
    assert "1 proposals" in response.json()["detail"]
    assert not Match.objects.filter(run=world.run_1).exists() and not _api_writes().exists()
    world.run_1.refresh_from_db()
    assert world.run_1.status == MatchRun.Status.READY


def test_publishing_refused_by_the_service_says_why_and_changes_nothing(world):
    api = Api(make_token(world.carol))
    url = reverse("api:run_publish", args=[world.p1.pk, world.run_1.pk])
    world.p1.status = "draft"
    world.p1.save()
    response = api.post(url, {"expected_matches": 1})
    assert response.status_code == 400 and "draft" in response.json()["detail"]
    assert api.post(url, {}).json() == {"expected_matches": ["This field is required."]}
    assert api.post(url, {"expected_matches": "many"}).status_code == 400
    assert not Match.objects.filter(run=world.run_1).exists() and not _api_writes().exists()


def test_a_coordinator_starts_a_run(world):
    response = Api(make_token(world.carol)).post(reverse("api:runs", args=[world.p1.pk]))
    assert response.status_code == 202
    assert response.json()["status"] == "queued" and response.json()["number"] == 2
    assert _api_writes().get().target_id == response.json()["id"]


def test_a_person_applies_and_withdraws(world):
    api = Api(make_token(world.finn, ["programmes:write", "programmes:read"]))
    url = reverse("api:enrolment", args=[world.p_open.pk])
    response = api.post(url, {"role": "mentor", "capacity": 2})
    assert response.status_code == 201, response.content
    assert response.json() == {"role": "mentor", "status": "applied"}
    participant = Participant.objects.get(programme=world.p_open, user=world.finn)
    assert participant.capacity == 2
    again = api.post(url, {"role": "mentee"})
    assert again.status_code == 400 and "already enrolled" in again.json()["detail"]
    assert api.delete(url).json() == {"role": "mentor", "status": "withdrawn"}
    assert _api_writes().filter(actor=world.finn).count() == 2


def test_bad_applications_are_refused_field_by_field_and_change_nothing(world):
    ApplicationQuestion.objects.create(programme=world.p_open, text="Why now?", required=True)
    api = Api(make_token(world.finn))
    url = reverse("api:enrolment", args=[world.p_open.pk])
    assert "role" in api.post(url, {"role": "boss"}).json()
    assert "capacity" in api.post(url, {"role": "mentor"}).json()
    question = world.p_open.questions.get()
    missing = api.post(url, {"role": "mentee"})
    assert missing.status_code == 400 and f"question_{question.pk}" in missing.json()
    closed = api.post(reverse("api:enrolment", args=[world.p1.pk]), {"role": "mentee"})
    assert closed.status_code == 400  # finn applied to P1 already: the service refuses
    assert not Participant.objects.filter(programme=world.p_open, user=world.finn).exists()
    assert not _api_writes().exists()
    answered = api.post(url, {"role": "mentee", "answers": {str(question.pk): "Because."}})
    assert answered.status_code == 201
    assert Participant.objects.get(programme=world.p_open, user=world.finn).answers == {"Why now?": "Because."}


def test_a_coordinator_decides_an_application(world):
    api = Api(make_token(world.carol))
    url = reverse("api:participant_decision", args=[world.p1.pk, world.finn_p1.pk])
    assert api.post(url, {"status": "withdrawn"}).status_code == 400
    world.finn_p1.refresh_from_db()
    assert world.finn_p1.status == "applied" and not _api_writes().exists()
    response = api.post(url, {"status": "approved"})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    event = _api_writes().get()
    assert (event.actor, event.person) == (world.carol, world.finn)


def test_reads_and_refusals_write_nothing_to_the_audit_log(world, api_as):
    api = api_as("alice")
    api.get(reverse("api:programmes"))
    api.post(reverse("api:run_publish", args=[world.p1.pk, world.run_1.pk]), {"expected_matches": 1})
    assert not _api_writes().exists()


def test_the_audit_log_filters_like_the_page(world, api_as):
    api = api_as("sam")
    Api(make_token(world.carol)).post(reverse("api:runs", args=[world.p1.pk]))
    events = api.get(reverse("api:audit_events"), {"action": "api_write"}).json()
    assert [event["action"] for event in events["results"]] == ["api_write"]
    assert events["results"][0]["actor_email"] == "carol@example.org"
    bad = api.get(reverse("api:audit_events"), {"since": "2027-02-02", "until": "2027-01-01"})
    assert bad.status_code == 400
    assert api.get(reverse("api:audit_events"), {"action": "nothing"}).status_code == 400


def test_pages_are_bounded(world, api_as, settings):
    api = api_as("sam")
    page = api.get(reverse("api:people"), {"page_size": 2}).json()
    assert len(page["results"]) == 2 and page["count"] == 12 and page["next"]
    settings.API_MAX_PAGE_SIZE = 5
    assert len(api.get(reverse("api:people"), {"page_size": 1000}).json()["results"]) == 5
    assert api.get(reverse("api:people"), {"page": 99}).status_code == 404
