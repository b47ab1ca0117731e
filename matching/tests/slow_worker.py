"""A Celery app for tests only: the project's app, with the matching engine made
slow in the worker's pool processes, so a test can kill the worker while a run is
computing. Started as `celery -A matching.tests.slow_worker worker`; production
never imports it, so nothing here reaches a real deployment.

MATCHING_TEST_ENGINE_SECONDS (in the worker's environment) is how long each call
of the engine sleeps first."""

import os
import time

from celery.signals import worker_process_init

from mentoring.celery import app

__all__ = ["app"]


@worker_process_init.connect
def _slow_down_the_engine(**kwargs) -> None:
    # In each pool process, after Django is set up: services call cohorts.run_engine by attribute.
    from matching import cohorts

    seconds = float(os.environ.get("MATCHING_TEST_ENGINE_SECONDS", "0"))
    run_engine = cohorts.run_engine

    def slow_run_engine(*args, **kwargs):
        time.sleep(seconds)
        return run_engine(*args, **kwargs)

    cohorts.run_engine = slow_run_engine
