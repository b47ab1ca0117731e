"""Nothing private stays in a browser's or a proxy's cache (issue 13, item 10):
`Cache-Control: no-store` on every response to a signed-in person, on every
export and download, and on every page reached through a secret link; public
pages and static files stay cacheable. Checked over every URL of the URL table."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from .test_every_url import account_urls, clients_for, fetch, world  # noqa: F401 (world: the shared fixture)
from .url_table import ROLE_USERS, ROWS, SECRET_ROWS

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_every_response_to_a_signed_in_person_is_not_stored(world):  # noqa: F811
    """A private recap stayed in a shared browser's cache after sign-out: every
    URL, as every signed-in role and as the row's own user, GET and POST."""
    users = sorted(set(ROLE_USERS.values()) | {row.owner for row in ROWS})
    clients = clients_for(world, users)
    problems = []
    for row in ROWS:
        url = row.url(world)
        for user in {*ROLE_USERS.values(), row.owner}:
            for method in ("get", "post") if row.post is not None else ("get",):
                if method == "post" and user != row.owner:
                    continue  # POST: the row's own user, whose request does what it does
                response = fetch(clients[user], method, url, row.data)
                if not no_store(response):
                    problems.append(f"{method.upper()} {url} as {user}: {response.status_code}, "
                                    f"Cache-Control {response.get('Cache-Control')!r}")  # fmt: skip
    for name, url in account_urls():
        response = fetch(clients["alice"], "get", url)
        if not no_store(response):
            problems.append(f"GET {url} ({name}) as alice: Cache-Control {response.get('Cache-Control')!r}")
    assert not problems, "\n".join(problems[:40])


def test_anonymous_pages_are_not_stored_exactly_when_their_link_is_a_secret(world):  # noqa: F811
    client = Client()
    problems = []
    for row in ROWS:
        if row.get.get("anonymous") != 200:
            continue  # only what anonymous visitors are shown
        response = fetch(client, "get", row.url(world))
        secret = row in SECRET_ROWS
        if no_store(response) != secret:
            problems.append(f"{row.id}: secret link {secret}, Cache-Control {response.get('Cache-Control')!r}")
    assert not problems, "\n".join(problems)
    assert len([row for row in ROWS if row in SECRET_ROWS and row.get.get("anonymous") == 200]) >= 3


def test_the_calendar_feed_and_the_data_download_are_not_stored(client, world):  # noqa: F811
    feed = client.get(reverse("sessions_log:calendar_feed_ics", args=[world.calendar_token]))

    assert feed["Cache-Control"] == "no-store, private"  # no longer kept for 15 minutes
    client.force_login(world.alice)
    download = client.get(reverse("privacy:download"))
    assert download["Cache-Control"] == "no-store, private"
    assert "attachment" in download["Content-Disposition"]


def test_a_password_reset_link_is_not_stored(client, world):  # noqa: F811
    client.post(reverse("account_reset_password"), {"email": world.alice.email})
    from django.core import mail

    link = next(word for word in mail.outbox[0].body.split() if "/accounts/password/reset/key/" in word)
    first = client.get(link.replace("http://testserver", ""))  # allauth keeps the key and redirects
    form = client.get(first.url)

    assert (first.status_code, form.status_code) == (302, 200)
    assert no_store(first) and no_store(form)


def test_public_pages_and_static_files_stay_cacheable(client, world):  # noqa: F811
    # (allauth's own sign-in and sign-up pages are never_cache by allauth's choice.)
    for url in (reverse("home"), "/no-such-page/"):
        assert not no_store(client.get(url)), url
    with override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True):
        signed_in = Client()
        signed_in.force_login(world.alice)
        static = signed_in.get("/static/css/app.css")
        assert static.status_code == 200
        assert "max-age" in static["Cache-Control"] and not no_store(static)
