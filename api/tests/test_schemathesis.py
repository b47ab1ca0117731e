"""Schemathesis over the served OpenAPI schema (/api/v1/schema/): every operation,
with a token of each role, against PostgreSQL. Each response must be no server
error, have a status, content type, headers and body the schema declares, and
keep the permission table: a token reads no pair but its person's own (or its
programmes' as a coordinator) and never any private text.

Generated ids are folded onto the world's real objects (every tenant's), so the
run asks about objects that exist and are not the caller's, not only about
numbers that find nothing. Then a stateful run per role: Schemathesis' state
machine over the links it infers between operations (a list's ids into the
detail, the runs, the publish...), with the same checks. The examples per
operation and role (API_FUZZ_EXAMPLES, default 4) and the stateful scenarios per
role (API_FUZZ_STATEFUL_EXAMPLES, default 25) keep it near two minutes in CI."""

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from matching.models import Match, MatchRun
from people.models import User
from programmes.models import Participant, Programme
from programmes.permissions import programmes_coordinated_by

from .conftest import MARKER, ROLE_PEOPLE, ROLES, make_token

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "4"))
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())

# The objects each path parameter names, to fold generated numbers onto.
OBJECTS = {"programme": Programme, "match": Match, "person": User, "run_pk": MatchRun, "participant_pk": Participant}


def _model_of(path: str, name: str):
    if name != "id":
        return OBJECTS[name]
    if path.startswith("/api/v1/programmes/"):
        return Programme
    if path.startswith("/api/v1/matches/"):
        return Match
    return User


class Caller:
    """Who calls, and the pairs they may read (their own; their programmes' as a coordinator)."""

    def __init__(self, user):
        self.user = user
        own = Match.objects.filter(mentee__user=user) | Match.objects.filter(mentor__user=user)
        coordinated = Match.objects.filter(programme__in=programmes_coordinated_by(user))
        self.pairs = set(own.values_list("pk", flat=True)) | set(coordinated.values_list("pk", flat=True))


def keeps_the_permission_table(ctx, response, case):
    """No pair but the caller's (as a person or a coordinator), and no private text."""
    caller = CALLER["current"]
    body = response.content.decode("utf-8", "replace") if isinstance(response.content, bytes) else ""
    if MARKER in body:
        raise AssertionError(f"private text in {case.method} {case.formatted_path}")
    if response.status_code != 200 or case.method.upper() != "GET" or not case.path.startswith("/api/v1/matches"):
        return None
    data = json.loads(body)
    items = data.get("results", [data]) if isinstance(data, dict) else []
    pair_ids = {item.get("match_id", item.get("id")) for item in items}
    if "{id}" in case.path:
        pair_ids.add(case.path_parameters["id"])
    foreign = pair_ids - caller.pairs
    if foreign:
        raise AssertionError(f"{caller.user} read pairs {sorted(foreign)} through {case.method} {case.formatted_path}")
    return None


CALLER: dict = {}


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    """Hundreds of calls a minute on one token: the rate (test_auth.py) would make
    answers depend on how many came before."""
    settings.API_RATE = "1000000/min"


@pytest.fixture(autouse=True)
def _connection_kept_between_requests():
    """Django closes the database connection when a request ends; the test's data
    lives in that connection's transaction. Django's test client keeps it open the
    same way, for the requests it makes."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


CHECKS = [
    not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
    response_schema_conformance, keeps_the_permission_table,
]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_every_operation_keeps_its_schema_and_the_permission_table(case, role, world):
    user = getattr(world, ROLE_PEOPLE[role])
    CALLER["current"] = Caller(user)
    key = TOKENS.setdefault((role, world.alice.pk), make_token(user))
    for name, value in list((case.path_parameters or {}).items()):
        if isinstance(value, int) and value >= 0:
            pks = sorted(_model_of(case.path, name).objects.values_list("pk", flat=True))
            case.path_parameters[name] = pks[value % len(pks)]
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)


TOKENS: dict = {}


STATEFUL_EXAMPLES = int(os.environ.get("API_FUZZ_STATEFUL_EXAMPLES", "25"))


@pytest.mark.parametrize("role", ROLES)
def test_a_stateful_run_keeps_the_permission_table(world, role):
    """Schemathesis' state machine: sequences of calls that feed the ids one
    response gives into the next operation (the links it infers from the schema),
    as each role, with the same checks."""
    user = getattr(world, ROLE_PEOPLE[role])
    CALLER["current"] = Caller(user)
    key = make_token(user)
    calls = []

    class Workflow(schema.as_state_machine()):
        # Each scenario starts from the same world: what one published or decided is
        # rolled back, so Hypothesis can replay a scenario and get the same answers.
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def before_call(self, case):
            calls.append(f"{case.method} {case.path}")

        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {key}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Workflow.run(
        settings=settings(max_examples=STATEFUL_EXAMPLES, stateful_step_count=6, deadline=None, database=None,
                          derandomize=True, suppress_health_check=list(HealthCheck))
    )  # fmt: skip
    assert len(set(calls)) >= 5, calls  # it walked several operations, ids carried from one to the next
