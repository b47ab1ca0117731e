"""The test suite's settings (pytest.ini): the development set-up of
mentoring/settings.py, whose own default is production (DEBUG off).

DEBUG is put in the environment, not only in these settings, so the processes
the tests start (a Celery worker, `manage.py` children) read the same; the tests
of production's settings start their children with DEBUG=0 explicitly
(people/tests/test_settings.py, mentoring/tests/test_security.py).
"""

import os

os.environ["DEBUG"] = "1"

from mentoring.settings import *  # noqa: F403
