"""The periodic housekeeping job, run by hand, by Celery beat's schedule and by a real worker."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from conftest import wait_until
from people import services
from people.tasks import clear_expired_sessions


def make_session(expires_in: timedelta) -> str:
    store = SessionStore()
    store["visited"] = True
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() + expires_in)
    return store.session_key


@pytest.mark.django_db
def test_clearing_sessions_removes_only_the_expired_ones_and_is_safe_twice():
    expired = make_session(timedelta(days=-1))
    current = make_session(timedelta(days=1))

    assert services.sessions_clear_expired() == 1
    assert services.sessions_clear_expired() == 0
    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=current).exists()


@pytest.mark.django_db
def test_a_fresh_install_has_the_housekeeping_schedule():
    task = PeriodicTask.objects.get(task="people.tasks.clear_expired_sessions")

    assert task.enabled
    assert task.crontab.hour == "3"


@pytest.mark.worker
def test_a_real_worker_runs_the_task_and_the_database_shows_its_effect(celery_worker_process):
    expired = make_session(timedelta(days=-1))
    current = make_session(timedelta(days=1))

    clear_expired_sessions.delay()

    wait_until(lambda: not Session.objects.filter(session_key=expired).exists())
    assert Session.objects.filter(session_key=current).exists()
