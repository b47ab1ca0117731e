"""The helper side's periodic jobs: their schedules come with the migrations and
name real tasks; the nightly reconcile heals a stale record and changes nothing
on a second run; the daily extension and the hourly reminder are safe to repeat."""

from datetime import date, time, timedelta
from importlib import import_module

import pytest
from celery import Task
from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import import_string
from django_celery_beat.models import PeriodicTask

from notifications.models import Notification
from sessions_log.models import Meeting, OfficeHourSlot

from .. import tasks
from ..availability import availability_add
from ..models import HelperOffer, SessionRequest
from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _schedules_as_the_migration_made_them():
    import_module("dropin.migrations.0003_offer_schedules").create_schedules(apps, None)


def test_each_schedule_exists_and_points_at_an_importable_task():
    schedules = import_module("dropin.migrations.0003_offer_schedules").SCHEDULES
    assert {s.task for s in schedules} == {
        "dropin.tasks.availability_extend", "dropin.tasks.helper_records_reconcile",
        "dropin.tasks.remind_help_requests_waiting",
    }  # fmt: skip
    for schedule in schedules:
        task = PeriodicTask.objects.get(name=schedule.name)
        assert task.enabled and isinstance(import_string(task.task), Task)


def test_the_reconcile_heals_a_stale_record_and_is_idempotent(carol, alice, bob, monkeypatch):
    drop_in = factories.make_drop_in(carol)
    helper = factories.make_helper(drop_in, user=bob)
    factories.make_one_off(helper, factories.enrol(alice, drop_in), status=Meeting.Status.HELD,
                           starts_at=timezone.now() - timedelta(days=3))  # fmt: skip
    HelperOffer.objects.filter(user=bob).update(sessions_held=0, last_helped_at=None)  # a missed refresh
    monkeypatch.setattr(tasks, "RECONCILE_CHUNK", 1)  # chunks of one: the loop walks every offer
    factories.make_helper(drop_in)
    assert tasks.helper_records_reconcile() == 2
    offer = HelperOffer.objects.get(user=bob)
    assert offer.sessions_held == 1 and offer.last_helped_at is not None
    assert tasks.helper_records_reconcile() == 2
    assert HelperOffer.objects.get(user=bob).sessions_held == 1


def test_the_daily_extension_makes_nothing_twice(carol, bob):
    helper = factories.make_helper(factories.make_drop_in(carol), user=bob)
    availability_add(helper=helper, by=bob, weekday=2, starts_at=time(9), ends_at=time(10),
                     until=date.today() + timedelta(days=90))  # fmt: skip
    before = OfficeHourSlot.objects.count()
    assert tasks.availability_extend() == 0
    assert OfficeHourSlot.objects.count() == before


def test_the_hourly_reminder_records_each_waiting_request_once(carol, alice, bob):
    drop_in = factories.make_drop_in(carol)
    meeting = factories.make_one_off(factories.make_helper(drop_in, user=bob), factories.enrol(alice, drop_in),
                                     answer=SessionRequest.Answer.PENDING)  # fmt: skip
    SessionRequest.objects.filter(meeting=meeting).update(requested_at=timezone.now() - timedelta(days=1, hours=1))
    assert tasks.remind_help_requests_waiting() == 1
    assert tasks.remind_help_requests_waiting() == 0
    assert Notification.objects.get().kind == "help_request_waiting"
