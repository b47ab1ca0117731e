"""Accessibility: axe-core's WCAG 2.1 A and AA rules over every page of every
role of the demo, in Chromium, failing on any serious or critical violation.

Each role (signed out, staff, coordinator, HR, mentor, mentee) starts at the
home page and follows every link on our own site, breadth first; a page counts
once per view (the first workspace, the first participant...), so the walk
covers every kind of page a role reaches without opening all 60 participants.
Not walked: Django's admin (Django's own markup, a support tool), the API
(JSON, and its Swagger UI documentation, that tool's own markup; the API tokens
page is walked) and downloads
(CSV, Excel, calendar files, JSON). axe-core comes from axe-playwright-python
(requirements-dev.txt), injected by Playwright; no CDN."""

from collections import deque
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import Resolver404, resolve

from demo.seed import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
FAILING = {"serious", "critical"}
ROLES = {
    "signed out": None,
    "staff": "admin@demo.example",
    "coordinator": "coordinator@demo.example",
    "HR": "hr@demo.example",
    "mentor": "mentor@demo.example",
    "mentee": "mentee@demo.example",
}
SIGNED_OUT_START = ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
NOT_WALKED = ("/admin/", "/static/", "/api/")


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base}/")


def page_kind(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return path


def walk(page, base: str, start: list[str]):
    """Yield (url, axe violations) for each kind of page reachable from `start`."""
    axe = Axe()
    queue, queued, kinds = deque(start), set(start), set()
    while queue:
        url = queue.popleft()
        kind = page_kind(urlsplit(url).path)
        if kind in kinds:
            continue
        try:
            response = page.goto(base + url)
        except Exception as error:  # a download ("Download is starting") is not a page
            if "Download" in str(error):
                continue
            raise
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        if urlsplit(page.url).path != urlsplit(url).path:
            continue  # redirected to a page of another kind: walked under its own address
        kinds.add(kind)
        yield url, axe.run(page, options=AXE_OPTIONS).response["violations"]
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            parts = urlsplit(urljoin(page.url, href))
            link = urlunsplit(("", "", parts.path, parts.query, ""))
            if parts.netloc == urlsplit(base).netloc and not parts.path.startswith(NOT_WALKED) and link not in queued:
                queued.add(link)
                queue.append(link)


def test_axe_finds_nothing_serious_on_any_page_of_any_role_of_the_demo(live_server, browser):
    call_command("seed_demo", verbosity=0)
    base = live_server.url
    pages, problems = {}, []
    for role, email in ROLES.items():
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        start = ["/"]
        if email:
            sign_in(page, base, email)
        else:
            start += SIGNED_OUT_START
        for url, violations in walk(page, base, start):
            pages[role] = pages.get(role, 0) + 1
            problems += [
                f"{role} {url}: {v['id']} ({v['impact']}) at {[node['target'] for node in v['nodes']][:3]}"
                for v in violations
                if v["impact"] in FAILING
            ]
        context.close()

    assert sum(pages.values()) >= 120 and all(count >= 4 for count in pages.values()), pages
    assert problems == [], "\n".join(problems)
