"""Hostile input in URLs (issue 13, item 9): a NUL character (%00) anywhere in a
URL's path or query is answered 400 by mentoring.middleware, never 500, on
every URL of the URL table (each argument, each path segment, the query),
allauth's pages (single sign-on's SAML and OIDC paths included), the admin and
static files, for anonymous and signed-in people alike."""

import pytest
from django.test import Client

from .test_every_url import account_urls, clients_for, fetch, world  # noqa: F401 (world: the shared fixture)
from .url_table import ROWS

pytestmark = pytest.mark.django_db


def with_nul(url: str) -> list[str]:
    """`url` with %00 put into each path segment in turn (inside it, and at its
    end), and into its query string."""
    path, _, query = url.partition("?")
    segments = path.split("/")
    variants = []
    for i, segment in enumerate(segments):
        if not segment:
            continue
        middle = len(segment) // 2
        for changed in (segment[:middle] + "%00" + segment[middle:], segment + "%00"):
            variants.append("/".join([*segments[:i], changed, *segments[i + 1 :]]) + (f"?{query}" if query else ""))
    variants.append(f"{url}{'&' if query else '?'}next=%2F%00")
    variants.append(path + "?%00=1")
    return variants


def test_with_nul_puts_a_nul_into_every_argument_and_the_query():
    assert with_nul("/pairs/calendar/abc.ics") == [
        "/pa%00irs/calendar/abc.ics", "/pairs%00/calendar/abc.ics",
        "/pairs/cale%00ndar/abc.ics", "/pairs/calendar%00/abc.ics",
        "/pairs/calendar/abc%00.ics", "/pairs/calendar/abc.ics%00",
        "/pairs/calendar/abc.ics?next=%2F%00", "/pairs/calendar/abc.ics?%00=1",
    ]  # fmt: skip


def nul_problems(client: Client, who: str, urls: list[str], method: str = "get") -> list[str]:
    problems = []
    for url in urls:
        for variant in with_nul(url):
            response = fetch(client, method, variant)
            if response.status_code != 400:
                problems.append(f"{method.upper()} {variant} as {who}: {response.status_code}")
    return problems


def test_a_nul_anywhere_in_any_url_of_the_table_is_a_400_for_everyone(world):  # noqa: F811
    clients = clients_for(world, [None, "alice", "carol", "sam"])
    problems = []
    for who, client in clients.items():
        get_urls = sorted({row.url(world) for row in ROWS})
        post_urls = sorted({row.url(world) for row in ROWS if row.post is not None})
        problems += nul_problems(client, who or "nobody", get_urls)
        problems += nul_problems(client, who or "nobody", post_urls, method="post")
    assert not problems, "\n".join(problems[:50])


def test_a_nul_in_allauths_single_sign_on_admin_and_static_urls_is_a_400(world):  # noqa: F811
    urls = [url for _, url in account_urls()] + [
        "/admin/", "/admin/programmes/programme/", "/static/css/app.css", "/no-such-page/",
    ]  # fmt: skip
    problems = []
    for who, client in clients_for(world, [None, "alice"]).items():
        problems += nul_problems(client, who or "nobody", urls)
    assert not problems, "\n".join(problems[:50])


@pytest.mark.parametrize(
    "url",
    [
        "/pairs/calendar/abc%00def.ics",  # the issue's probes
        "/programmes/invitations/abc%00def/",
        "/accounts/saml/acme%00/login/",
        "/accounts/oidc/acme%00/login/",
        "/accounts/break-glass/abc%00def/",
    ],
)
def test_the_issues_probes_get_the_400_page(client, url):
    response = client.get(url)

    assert response.status_code == 400
    assert "This address cannot be opened" in response.content.decode()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin" and response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_percent_sign_that_only_looks_like_a_nul_is_not_refused(client):
    response = client.get("/accounts/login/?next=%2500")

    assert response.status_code == 200
