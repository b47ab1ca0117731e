"""A fresh install has a beat schedule for every reminder job, each naming a
task the worker knows."""

from django_celery_beat.models import PeriodicTask

from engagement.tasks import PERIODIC_JOBS
from mentoring.celery import app


def test_every_periodic_job_has_a_schedule_naming_a_known_task(db):
    app.loader.import_default_modules()
    scheduled = {task.task: task for task in PeriodicTask.objects.filter(task__startswith="engagement.")}
    assert set(scheduled) == {job.name for job in PERIODIC_JOBS}
    for name, task in scheduled.items():
        assert name in app.tasks, name
        assert task.enabled and task.crontab is not None
