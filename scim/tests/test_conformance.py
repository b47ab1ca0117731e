"""scim2-tester, a published SCIM conformance suite, against the live endpoint.

It reads the discovery documents, then creates, reads, filters, lists, replaces,
patches (add, replace, remove of every attribute published) and deletes Users
with random values, through HTTP, with a staff service account's token."""

from urllib.parse import urlsplit

import pytest
import requests
from scim2_client import BaseSyncSCIMClient
from scim2_tester import Status, check_server

from .conftest import make_token

pytestmark = pytest.mark.django_db(transaction=True)

PASSED = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE}

# Checks that do not apply to this server, and why; every other check must pass.
NOT_APPLICABLE = {
    # An account is active or not: removing the attribute has no meaning, so the
    # server answers 400 (replace it with false to deactivate).
    "check_remove_attribute: Failed to remove attribute 'active': active cannot be removed",
}


class RequestsSCIMClient(BaseSyncSCIMClient):
    """scim2-client's engine interface over `requests` (already a dependency),
    for a server reached over the network such as live_server."""

    def __init__(self, base_url: str, key: str, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {key}"

    def _url(self, endpoint: str) -> str:
        return endpoint if urlsplit(endpoint).scheme else f"{self.base_url}/{endpoint.lstrip('/')}"

    def _stays_under_base_url(self, endpoint: str) -> bool:
        return f"{self._url(endpoint).rstrip('/')}/".startswith(f"{self.base_url}/")

    def request(self, method, url, *, params=None, json=None, content=None, headers=None):
        return self.session.request(
            method, self._url(url), params=params, json=json, data=content, headers=headers, timeout=30
        )


def test_scim2_tester_passes_against_the_endpoint(live_server, service_account):
    client = RequestsSCIMClient(f"{live_server.url}/scim/v2", make_token(service_account))
    try:
        results = check_server(client)
    finally:
        client.session.close()  # the live server's thread lets its database connection go

    not_passed = [
        f"{result.status.name}: {result.title}: {result.reason}" for result in results if result.status not in PASSED
    ]
    not_applicable = [line for line in not_passed if any(reason in line for reason in NOT_APPLICABLE)]
    assert sorted(set(not_passed) - set(not_applicable)) == []
    assert len(not_applicable) == len(NOT_APPLICABLE)  # and they were tried: the suite covered them
    passed = {result.title for result in results if result.status in PASSED}
    assert {
        "object_creation", "object_query", "object_query_without_id", "object_replacement", "object_deletion",
        "check_add_attribute", "check_replace_attribute", "check_remove_attribute", "search_with_attributes",
        "random_url", "access_schema_by_id", "query_all_resource_types",
    } <= passed  # fmt: skip
    assert sum(result.status in PASSED for result in results) >= 55
