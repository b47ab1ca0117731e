"""Every Celery task of the project, and every outbox handler, has its queue:
notifications, mail and webhooks on "default", long jobs on "long", so a long job
never delays a notification (settings.CELERY_TASK_ROUTES, docs/deployment.md).

A new task or handler fails the first tests until it is placed, here and in the
settings: decide whether someone is waiting for it now (default) or it scans or
rewrites the organisation (long)."""

import re
from importlib import import_module
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction

from common import services as outbox
from mentoring.celery import app

REPO = Path(settings.BASE_DIR)

DEFAULT, LONG = "default", "long"
TASK_QUEUES = {
    "common.tasks.run_outbox_entry": DEFAULT,  # by the entry's handler: see HANDLER_QUEUES
    "common.tasks.sweep_outbox": DEFAULT,
    "webhooks.tasks.sweep_deliveries": DEFAULT,
    "engagement.tasks.remind_upcoming_meetings": DEFAULT,
    "engagement.tasks.remind_recaps_due": DEFAULT,
    "engagement.tasks.remind_requests_unanswered": DEFAULT,
    "dropin.tasks.remind_help_requests_waiting": DEFAULT,
    "matching.tasks.expire_match_requests": DEFAULT,
    "programmes.tasks.release_due_invitations": DEFAULT,
    "programmes.tasks.expire_nominations": DEFAULT,
    "matching.tasks.match_new_participants": LONG,
    "matching.tasks.recover_match_runs": LONG,
    "reports.tasks.send_monthly_reports": LONG,
    "reports.tasks.reconcile_figures": LONG,
    "directory.tasks.sync_roster_daily": LONG,
    "directory.tasks.purge_workforce_history": LONG,
    "privacy.tasks.erase_due_requests": LONG,
    "people.tasks.clear_expired_sessions": LONG,
    "dropin.tasks.availability_extend": LONG,
    "dropin.tasks.helper_records_reconcile": LONG,
    "notifications.tasks.queue_weekly_digests": LONG,
    "engagement.tasks.send_coordinator_digests": LONG,
    "engagement.tasks.walk_escalation_ladder": LONG,
    "engagement.tasks.judge_health_daily": LONG,
    "engagement.tasks.send_surveys_due": LONG,
    "engagement.tasks.remind_actions_due": LONG,
    "engagement.tasks.remind_goals_overdue": LONG,
    "engagement.tasks.remind_profiles_incomplete": LONG,
    "engagement.tasks.remind_applications_unmatched": LONG,
}
HANDLER_QUEUES = {
    "matching.services.match_run_execute": LONG,  # the engine: up to a minute for a large programme
    "matching.services.matches_notify": DEFAULT,
    "matching.choice.request_notify": DEFAULT,
    "dropin.requests.accept_mail_send": DEFAULT,
    "dropin.requests.decline_mail_send": DEFAULT,
    "notifications.services.deliver": DEFAULT,
    "programmes.services.invitations_send": DEFAULT,
    "programmes.nominations.nomination_mail_send": DEFAULT,
    "programmes.nominations.nomination_joined_mail_send": DEFAULT,
    "webhooks.services.delivery_send": DEFAULT,
    "sessions_log.services.meeting_notify": DEFAULT,
    "sessions_log.office_hours.booking_mails_send": DEFAULT,
    "people.services.new_device_mail": DEFAULT,
}


def project_tasks() -> set[str]:
    app.loader.import_default_modules()  # what a worker imports: every app's tasks module
    return {name for name in app.tasks if not name.startswith("celery.")}


def project_handlers() -> set[str]:
    """Every registered outbox handler: each module of the project's apps imported
    (tests and migrations aside), as the handlers register when their module loads."""
    for config in apps.get_app_configs():
        root = Path(config.path)
        if root.parent != REPO:  # the project's own apps, not the installed packages
            continue
        for path in root.rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            if {"tests", "migrations"} & set(parts):
                continue
            import_module(".".join((config.name, *parts)).removesuffix(".__init__"))
    return {name for name in outbox._HANDLERS if not name.startswith("common.tests.")}


def queue_of(name: str, headers: dict | None = None) -> str:
    """The queue Celery's router sends the task to, as it does when publishing."""
    return app.amqp.router.route({"headers": headers} if headers else {}, name, (), {})["queue"].name


def test_every_task_of_the_project_is_placed_on_a_queue():
    assert project_tasks() == set(TASK_QUEUES), "a task was added or removed: place it here and in the settings"
    table = settings.CELERY_TASK_ROUTES[1]
    assert set(table) == set(TASK_QUEUES), "each task is named in the settings, not left to the default queue"


@pytest.mark.parametrize(("name", "queue"), TASK_QUEUES.items())
def test_each_task_goes_to_its_queue(name, queue):
    assert queue_of(name) == queue


def test_every_outbox_handler_is_placed_on_a_queue():
    assert project_handlers() == set(HANDLER_QUEUES), "a handler was added or removed: place it here"
    assert {name for name, queue in HANDLER_QUEUES.items() if queue == LONG} == settings.CELERY_LONG_OUTBOX_HANDLERS


@pytest.mark.parametrize(("handler", "queue"), HANDLER_QUEUES.items())
def test_each_outbox_entry_goes_to_its_handlers_queue(handler, queue):
    assert queue_of(outbox.RUN_TASK, {outbox.HANDLER_HEADER: handler}) == queue


def test_an_outbox_message_without_its_handler_goes_to_the_default_queue():
    """A message published before the queues were split, or by hand."""
    assert queue_of(outbox.RUN_TASK) == DEFAULT


def test_a_worker_started_without_queues_consumes_both():
    assert set(app.amqp.queues) == {DEFAULT, LONG}
    assert app.conf.task_default_queue == DEFAULT


@pytest.mark.django_db(transaction=True)
def test_the_outbox_names_each_entrys_handler_when_it_hands_it_over(carol):
    """The hand-over after commit and the sweeper's both put the handler in the
    message, so a matching run goes to the long queue and a mail does not."""
    from matching.services import match_run_execute
    from people.services import new_device_mail

    task = app.tasks[outbox.RUN_TASK]
    with mock.patch.object(task, "apply_async") as publish:
        with transaction.atomic():
            run = outbox.outbox_record(match_run_execute, run_id=1)
            mail = outbox.outbox_record(new_device_mail, device_id=1)
        sent = {call.kwargs["args"][0]: call.kwargs["headers"] for call in publish.call_args_list}
        assert {pk: queue_of(outbox.RUN_TASK, headers) for pk, headers in sent.items()} == {
            run.pk: LONG,
            mail.pk: DEFAULT,
        }

        publish.reset_mock()
        outbox.OutboxEntry.objects.update(status="pending", due_at=run.created_at)
        outbox.outbox_sweep()
        resent = {call.kwargs["args"][0]: call.kwargs["headers"] for call in publish.call_args_list}
        assert resent == sent


def test_make_run_and_the_test_workers_consume_every_queue():
    """`make run`'s one worker (Procfile.dev) names every queue; the tests' workers
    (conftest.celery_workers) name none unless asked, and so consume every one."""
    (worker,) = [line for line in (REPO / "Procfile.dev").read_text().splitlines() if line.startswith("worker:")]
    (queues,) = re.findall(r" -Q (\S+)", worker)
    assert set(queues.split(",")) == set(app.amqp.queues) == set(settings.CELERY_TASK_QUEUES)
