"""Staff's webhooks pages: nobody else finds them, bad input changes nothing,
the secret is shown once, and every act is in the audit log."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from matching.tests.factories import enrol
from programmes.tests.factories import make_programme
from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(sam):
    return Endpoint.objects.create(url="https://hooks.example.org/in", event_kinds=["match.ended"], created_by=sam)


@pytest.fixture
def delivery(endpoint):
    event = Event.objects.create(kind="match.ended", payload={"match_id": 1})
    return Delivery.objects.create(endpoint=endpoint, event=event, status="failed", attempts=6, next_attempt_at=None)


def pages(endpoint, delivery) -> list[tuple[str, str]]:
    """(method, url) of every webhooks page."""
    e, d = endpoint.pk, delivery.pk
    return [
        ("get", reverse("webhooks:endpoints")),
        ("get", reverse("webhooks:endpoint_add")),
        ("post", reverse("webhooks:endpoint_add")),
        ("get", reverse("webhooks:endpoint", args=[e])),
        ("get", reverse("webhooks:endpoint_edit", args=[e])),
        ("post", reverse("webhooks:endpoint_edit", args=[e])),
        ("post", reverse("webhooks:endpoint_active", args=[e])),
        ("post", reverse("webhooks:endpoint_rotate", args=[e])),
        ("post", reverse("webhooks:endpoint_ping", args=[e])),
        ("get", reverse("webhooks:delivery", args=[e, d])),
        ("post", reverse("webhooks:delivery_resend", args=[e, d])),
    ]


def test_coordinators_hr_and_participants_get_404_on_every_webhooks_page(client, carol, hana, alice, endpoint,
                                                                          delivery):  # fmt: skip
    enrol(make_programme(carol), alice, "mentee")
    secret = endpoint.secret
    for user in (carol, hana, alice):
        client.force_login(user)
        for method, url in pages(endpoint, delivery):
            data = {"url": "https://evil.example.org/", "event_kinds": ["match.ended"], "active": "0"}
            response = getattr(client, method)(url, data if method == "post" else None)
            assert response.status_code == 404, (user.email, method, url)
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.secret, endpoint.is_active) == ("https://hooks.example.org/in", secret, True)
    assert Endpoint.objects.count() == 1 and Event.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(client, endpoint, delivery):
    for method, url in pages(endpoint, delivery):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"], url


def test_staff_add_an_endpoint_and_see_its_secret_once(client, sam):
    client.force_login(sam)
    response = client.post(reverse("webhooks:endpoint_add"), {
        "url": "https://hooks.example.org/mentoring", "description": "The HR system",
        "event_kinds": ["match.published", "person.erased"],
    })  # fmt: skip
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("webhooks:endpoint", args=[endpoint.pk])
    assert endpoint.event_kinds == ["match.published", "person.erased"] and endpoint.created_by == sam
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    first = client.get(response["Location"])
    assert endpoint.secret in first.content.decode()
    assert endpoint.secret not in client.get(response["Location"]).content.decode(), "shown once"
    assert endpoint.secret not in client.get(reverse("webhooks:endpoint_edit", args=[endpoint.pk])).content.decode()
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.target_id) == ("webhook_endpoint_added", sam, endpoint.pk)
    assert endpoint.secret not in str(event.detail) + event.summary


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {"url": "not a web address", "event_kinds": ["match.ended"]},
            "Enter a full web address starting with https://",
        ),
        ({"url": "ftp://hooks.example.org/in", "event_kinds": ["match.ended"]}, "Enter a full web address starting"),
        ({"url": "https://hooks.example.org/in"}, "Choose at least one kind of event."),
        ({"url": "https://hooks.example.org/in", "event_kinds": ["match.deleted"]}, "Select a valid choice"),
        ({"url": "http://hooks.example.org/in", "event_kinds": ["match.ended"]}, "must start with https://"),
        ({"url": "https://user:pw@hooks.example.org/in", "event_kinds": ["match.ended"]}, "Leave the user name"),
        ({"event_kinds": ["match.ended"]}, "This field is required."),
    ],
)
def test_bad_input_gets_a_clear_error_and_saves_nothing(client, sam, data, error):
    client.force_login(sam)
    response = client.post(reverse("webhooks:endpoint_add"), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Endpoint.objects.exists() and not AuditEvent.objects.exists()


def test_in_production_a_private_address_is_refused(client, sam, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    client.force_login(sam)
    for url in ("http://localhost:8000/in", "https://10.0.0.5/in", "https://127.0.0.1/in"):
        response = client.post(reverse("webhooks:endpoint_add"), {"url": url, "event_kinds": ["match.ended"]})
        assert response.status_code == 200, url
    assert not Endpoint.objects.exists()


def test_http_to_localhost_is_allowed_in_development(client, sam):
    client.force_login(sam)
    client.post(reverse("webhooks:endpoint_add"), {"url": "http://127.0.0.1:9000/in", "event_kinds": ["match.ended"]})
    assert Endpoint.objects.get().url == "http://127.0.0.1:9000/in"


def test_a_bad_change_saves_nothing(client, sam, endpoint):
    client.force_login(sam)
    response = client.post(reverse("webhooks:endpoint_edit", args=[endpoint.pk]), {"url": "ftp://x.example.org"})
    assert response.status_code == 200 and "Choose at least one kind of event." in response.content.decode()
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.event_kinds) == ("https://hooks.example.org/in", ["match.ended"])
    assert not AuditEvent.objects.exists()


def test_staff_change_deactivate_rotate_and_ping_each_audited(client, sam, endpoint):
    client.force_login(sam)
    old_secret = endpoint.secret
    client.post(reverse("webhooks:endpoint_edit", args=[endpoint.pk]), {
        "url": "https://hooks.example.org/new", "event_kinds": ["pair.stalled", "pair.recovered"], "description": "",
    })  # fmt: skip
    page = client.post(reverse("webhooks:endpoint_rotate", args=[endpoint.pk]), follow=True).content.decode()
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret and endpoint.secret in page
    client.post(reverse("webhooks:endpoint_ping", args=[endpoint.pk]))
    assert Delivery.objects.get(endpoint=endpoint).event.kind == "ping"
    client.post(reverse("webhooks:endpoint_active", args=[endpoint.pk]), {"active": "0"})
    client.post(reverse("webhooks:endpoint_active", args=[endpoint.pk]), {"active": "0"})  # already: nothing recorded
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.org/new" and endpoint.event_kinds == [
        "pair.stalled",
        "pair.recovered",
    ]
    assert not endpoint.is_active
    page = client.post(reverse("webhooks:endpoint_ping", args=[endpoint.pk]), follow=True).content.decode()
    assert "activate it before sending a test ping" in page
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "webhook_endpoint_changed", "webhook_secret_rotated", "webhook_ping_sent", "webhook_endpoint_deactivated",
    ]  # fmt: skip
    assert all(event.actor == sam and event.target_id == endpoint.pk for event in AuditEvent.objects.all())


def test_the_delivery_log_filters_by_status_and_shows_attempts(client, sam, endpoint, delivery):
    other = Delivery.objects.create(endpoint=endpoint, event=Event.objects.create(kind="match.ended", payload={}),
                                    status="pending")  # fmt: skip
    delivery.attempt_log.create(
        number=1, response_status=500, response_excerpt="boom", error="The receiver answered 500."
    )
    client.force_login(sam)
    log = reverse("webhooks:endpoint", args=[endpoint.pk])
    failed = client.get(log, {"status": "failed"}).content.decode()
    assert reverse("webhooks:delivery", args=[endpoint.pk, delivery.pk]) in failed
    assert reverse("webhooks:delivery", args=[endpoint.pk, other.pk]) not in failed
    detail = client.get(reverse("webhooks:delivery", args=[endpoint.pk, delivery.pk])).content.decode()
    assert "boom" in detail and "The receiver answered 500." in detail and str(delivery.uid) in detail
    assert "Re-send" in detail


def test_a_resend_from_the_page_is_audited(client, sam, endpoint, delivery):
    client.force_login(sam)
    response = client.post(reverse("webhooks:delivery_resend", args=[endpoint.pk, delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.target_id) == ("webhook_delivery_resent", sam, delivery.pk)


def test_the_endpoints_list_costs_the_same_queries_with_more_endpoints(client, sam, endpoint, delivery,
                                                                       django_assert_num_queries):  # fmt: skip
    client.force_login(sam)
    client.get(reverse("webhooks:endpoints"))
    # the session, the user, the navigation's circles and unread messages, the endpoints with their counts
    with django_assert_num_queries(5):
        client.get(reverse("webhooks:endpoints"))
    for n in range(5):
        Endpoint.objects.create(url=f"https://hooks.example.org/{n}", event_kinds=["match.ended"])
    with django_assert_num_queries(5):
        assert client.get(reverse("webhooks:endpoints")).status_code == 200


@pytest.mark.parametrize(
    ("kinds", "error"), [([], "Choose at least one kind of event."), (["match.deleted"], "Unknown kinds of event")]
)
def test_the_service_refuses_what_the_form_refuses(sam, kinds, error):
    from webhooks.services import WebhookError, endpoint_create

    with pytest.raises(WebhookError, match=error):
        endpoint_create(url="https://hooks.example.org/in", event_kinds=kinds, by=sam)
    assert not Endpoint.objects.exists() and not AuditEvent.objects.exists()
