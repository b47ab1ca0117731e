"""Every URL of the project, requested as every role (url_table.py).

The world is built once for the module inside a transaction that is rolled
back at the end; each request runs in a savepoint that is rolled back too, so
rows never depend on one another. A failure names the URL, the method, the
role and what came back instead of what the row says. A request that is refused
(LOGIN, 403, 404, 405) must also leave every table as it was."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse

from mentoring.celery import app

from .url_table import (
    ACCOUNT_ARGS,
    ADMIN_ROLES,
    LOGIN,
    ROLE_USERS,
    ROLES,
    ROWS,
    build_world,
    changed,
    fingerprint,
    is_account,
    is_admin,
    url_patterns,
    watched_tables,
)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world, shared by the module's tests and rolled back after them."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # nothing reaches the broker while building
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        built.sessions = signed_in_sessions(built)
        yield built
        transaction.set_rollback(True)
    app.conf.task_always_eager = eager


def fetch(client: Client, method: str, url: str, data: dict | None = None, watch: list[str] | None = None):
    """One request in a savepoint that is rolled back: the world stays as built.
    A streamed body is read inside, so its last write happens there too. With
    `watch`, `response.changed` lists the tables the request changed."""
    with transaction.atomic():
        before = fingerprint(watch) if watch else None
        response = client.get(url) if method == "get" else client.post(url, data or {})
        if response.streaming:
            b"".join(response.streaming_content)
        response.changed = changed(before, fingerprint(watch)) if watch else []
        transaction.set_rollback(True)
    return response


def signed_in_sessions(world) -> dict:
    """A session for every user of the table, made once for the module."""
    names = set(ROLE_USERS.values()) | {row.owner for row in ROWS}
    sessions = {}
    for name in names:
        client = Client()
        client.force_login(getattr(world, name))
        sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


def clients_for(world, users) -> dict:
    """A fresh client per user name (None: anonymous), signed in with the user's session."""
    clients = {}
    for name in users:
        client = Client(raise_request_exception=False)
        if name is not None:
            client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[name]
        clients[name] = client
    return clients


def outcome(response, expected, login_url: str) -> str | None:
    """None when the response is the expected one, else what it was."""
    status = response.status_code
    location = response.get("Location", "")
    if expected == LOGIN:
        if status == 302 and location.startswith(login_url):
            return None
    elif status == expected:
        return None
    got = f"{status} to {location}" if location else str(status)
    if status == 500 and getattr(response, "exc_info", None):
        got += f" ({response.exc_info[1]!r})"
    return got


def check(world, row, method: str, profile: dict) -> list[str]:
    login_url = reverse("account_login")
    url = row.url(world)
    names = {role: (None if role == "anonymous" else (row.owner if role == "owner" else ROLE_USERS[role]))
             for role in ROLES}  # fmt: skip
    clients = clients_for(world, set(names.values()))
    tables = watched_tables()
    problems = []
    for role in ROLES:
        if role == "owner" and row.owner in ROLE_USERS.values():
            continue  # the owner is one of the roles: checked under that role
        refused = profile[role] in (LOGIN, 403, 404, 405)
        response = fetch(clients[names[role]], method, url, row.data, tables if refused else None)
        got = outcome(response, profile[role], login_url)
        if got is None and response.changed:
            got = f"{response.status_code}, but it changed {response.changed}"
        if got is not None:
            problems.append(f"{method.upper()} {url} as {role} ({names[role] or 'nobody'}): "
                            f"expected {profile[role]}, got {got}")  # fmt: skip
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_each_role_gets_what_the_table_says(world, row):
    problems = check(world, row, "get", row.get)
    if row.post is not None:
        problems += check(world, row, "post", row.post)
    assert not problems, "\n".join(problems)


# -- the meta-test ---------------------------------------------------------------------------


def test_every_url_pattern_has_a_row():
    """A URL added without a permission row fails here: add it to url_table.ROWS."""
    covered = {row.name for row in ROWS}
    missing = []
    names = set()
    for name, route, pattern in url_patterns():
        names.add(name)
        if is_admin(route) or is_account(route, pattern):
            continue
        if name is None or name not in covered:
            missing.append(f"{name or '(no name)'}: /{route}")
    assert not missing, "URLs without a row in mentoring/tests/url_table.py ROWS:\n" + "\n".join(missing)
    stale = sorted(covered - names)
    assert not stale, f"rows for URLs that no longer exist: {stale}"


# -- allauth's pages: a rule --------------------------------------------------------------


def account_urls() -> list[tuple[str, str]]:
    urls = []
    for name, route, pattern in url_patterns():
        if not is_account(route, pattern) or name is None:
            continue
        wanted = list(pattern.pattern.regex.groupindex) if hasattr(pattern.pattern, "regex") else []
        if wanted and name not in ACCOUNT_ARGS:
            pytest.fail(f"{name} (/{route}) takes arguments: give it sample ones in url_table.ACCOUNT_ARGS")
        urls.append((name, reverse(name, args=ACCOUNT_ARGS.get(name, []))))
    return urls


@pytest.mark.django_db
def test_the_account_pages_answer_without_errors(world):
    """Anonymous and signed-in people: a page or a redirect (or 405 for a POST-only
    page, 404 for a sample argument naming nothing), never an error; the pages that
    are only for the signed-in send visitors to the sign-in page."""
    clients = clients_for(world, [None, "alice"])
    problems = []
    for name, url in account_urls():
        answers = (200, 302, 405, 404) if name in ACCOUNT_ARGS else (200, 302, 405)
        if name == "socialaccount_login_error":
            answers = (401,)  # allauth's page saying a sign-in with a provider failed
        for who, client in clients.items():
            response = fetch(client, "get", url)
            if response.status_code not in answers:
                problems.append(f"GET {url} ({name}) as {who or 'nobody'}: {response.status_code}")
    assert not problems, "\n".join(problems)


# -- the admin: a rule -----------------------------------------------------------------------


def admin_expectation(world, name: str, kwargs: dict, staff_request) -> int:
    """What staff get from an admin URL: each page of a model answers according to
    the model admin's own permissions; a missing object sends them back (302)."""
    special = {"admin:login": 302, "admin:logout": 405, "admin:autocomplete": 403, "admin:view_on_site": 302}
    if name in special:
        return special[name]
    if name == "admin:auth_user_password_change":
        return 200
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if not name.startswith(prefix):
            continue
        action = name.removeprefix(prefix)
        if action == "add":
            return 200 if model_admin.has_add_permission(staff_request) else 403
        if action == "delete":
            if not model_admin.has_delete_permission(staff_request):
                return 403
            return 302 if kwargs.get("object_id") == "0" else 200
        if action in ("change", "history") and kwargs.get("object_id") == "0":
            return 302
        return 200
    return 200


def admin_urls(world) -> list[tuple[str, str, dict]]:
    """Each named admin URL with arguments from the world: a real object of its
    model where there is one (object id 0 where there is none)."""
    objects = {}
    for model in admin.site._registry:
        found = model._default_manager.order_by("pk").first()
        objects[f"{model._meta.app_label}_{model._meta.model_name}"] = str(found.pk) if found else "0"
    urls = []
    for name, route, pattern in url_patterns():
        if not is_admin(route) or name is None:
            continue
        kwargs = {}
        for arg in getattr(pattern.pattern, "converters", None) or pattern.pattern.regex.groupindex:
            if arg == "object_id" or arg == "id":
                key = name.removeprefix("admin:").rsplit("_", 1)[0]
                # The user admin's password page is named after auth's User, not people's.
                kwargs[arg] = objects["people_user"] if key == "auth_user_password" else objects.get(key, "0")
            elif arg == "app_label":
                kwargs[arg] = "programmes"
            elif arg == "content_type_id":
                kwargs[arg] = ContentType.objects.get_for_model(world.p1.__class__).pk
        if name == "admin:view_on_site":
            kwargs["object_id"] = str(world.p1.pk)
        urls.append((name, reverse(name, kwargs=kwargs), kwargs))
    return urls


@pytest.mark.django_db
def test_the_admin_is_for_staff_only(world):
    """Anonymous and signed-in people without staff status are sent to the admin's
    sign-in page from every admin URL; staff open every page that exists."""
    users = {"anonymous": None, **{role: ROLE_USERS[role] for role in ADMIN_ROLES if role != "anonymous"}}
    clients = clients_for(world, set(users.values()))
    admin_login = reverse("admin:login")
    staff_request = RequestFactory().get("/admin/")
    staff_request.user = world.sam
    problems = []
    for name, url, kwargs in admin_urls(world):
        for role, user in users.items():
            if role == "staff" and name.endswith(("_delete", "_history")):
                continue  # staff: the changelists, add and change pages (and the site's own pages)
            response = fetch(clients[user], "get", url)
            if role == "staff":
                expected = admin_expectation(world, name, kwargs, staff_request)
                ok = response.status_code == expected
            elif name == "admin:login":
                expected, ok = 200, response.status_code == 200
            elif name == "admin:logout":  # sent back to the admin, which asks them to sign in
                expected, ok = 302, response.status_code == 302
            else:
                expected = "302 to the admin sign-in"
                ok = response.status_code == 302 and response["Location"].startswith(admin_login)
            if not ok:
                problems.append(f"GET {url} ({name}) as {role}: expected {expected}, got {response.status_code}")
    # The patterns without a name: an object's short URL and the catch-all.
    for role, user in users.items():
        response = fetch(clients[user], "get", f"/admin/programmes/programme/{world.p1.pk}/")
        ok = response.status_code in (301, 302)
        if role != "staff":
            ok = ok and response["Location"].startswith(admin_login)
        if not ok:
            problems.append(f"GET the programme's short admin URL as {role}: {response.status_code}")
        response = fetch(clients[user], "get", "/admin/no-such-page/")
        if response.status_code not in ((404,) if role == "staff" else (302, 404)):
            problems.append(f"GET /admin/no-such-page/ as {role}: {response.status_code}")
    assert not problems, "\n".join(problems)
