"""The settings module reads the environment and fails loudly on bad values."""

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import skip_or_fail

REPO = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run_python("manage.py", *args, **env)


def start_app(**env: str) -> subprocess.CompletedProcess:
    """Load the WSGI app, as gunicorn and runserver do: where a production process refuses to start."""
    return run_python("-c", "import mentoring.wsgi", **env)


def run_python(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        # Not the test run's own: its settings module (mentoring.settings_test turns DEBUG on),
        # DEBUG and conftest's async escape hatch.
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checklist():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="0", SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="mentoring.example.org",
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ALLOWED_HOSTS": "x.org"}, "SECRET_KEY must be set"),  # no DEBUG at all: production
        ({"DEBUG": "0", "ALLOWED_HOSTS": "x.org"}, "SECRET_KEY must be set"),
        ({"DEBUG": "0", "SECRET_KEY": "short", "ALLOWED_HOSTS": "x.org"}, "SECRET_KEY must be set"),
        ({"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60)}, "ALLOWED_HOSTS must be set"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": "1", "ACCOUNT_EMAIL_VERIFICATION": "sometimes"}, "ACCOUNT_EMAIL_VERIFICATION must be"),
    ],
)
def test_bad_settings_stop_the_app_with_a_clear_message(env, message):
    result = start_app(**env)

    assert result.returncode != 0
    assert message in result.stderr


# -- production is the default (issue 13, item 5) ----------------------------------------

OLD_COMMITTED_KEY = "dev-insecure-key-do-not-use-in-production"


def setting(name: str, **env: str) -> str:
    result = run_manage("shell", "-c", f"from django.conf import settings; print(settings.{name})", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after shell's "N objects imported automatically"


def test_with_no_environment_the_app_runs_as_production_and_refuses_to_start_without_a_key():
    result = start_app()

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert setting("DEBUG", SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="x.org") == "False"


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(OLD_COMMITTED_KEY, id="the-formerly-committed-development-key"),
        pytest.param("production-like-" + "k" * 60, id="the-formerly-committed-test-key"),
        pytest.param("k" * 60, id="too-few-different-characters"),
        pytest.param("django-insecure-" + secrets.token_urlsafe(50), id="startproject-development-key"),
        pytest.param(secrets.token_urlsafe(30), id="shorter-than-50"),
        pytest.param("", id="empty"),
    ],
)
def test_with_debug_off_a_known_or_weak_key_stops_the_app_naming_the_variable(key):
    result = start_app(DEBUG="0", SECRET_KEY=key, ALLOWED_HOSTS="x.org")

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set to a random value of 50+ characters" in result.stderr


def test_tools_that_serve_nothing_run_in_a_bare_checkout_and_the_deployment_check_names_what_is_missing():
    """Settings collect what production lacks instead of refusing to load, so
    `makemigrations --check` runs with no environment (CI's migration check);
    `check --deploy`, the WSGI app and Celery's worker refuse (mentoring/startup.py)."""
    assert run_manage("makemigrations", "--check", "--dry-run").returncode == 0
    result = run_manage("check", "--deploy")
    assert result.returncode != 0
    assert "(mentoring.E001) SECRET_KEY must be set" in result.stderr
    assert "(mentoring.E001) ALLOWED_HOSTS must be set when DEBUG=0." in result.stderr


def test_a_committed_key_is_refused_with_debug_on_too():
    result = run_manage("check", DEBUG="1", SECRET_KEY=OLD_COMMITTED_KEY)

    assert result.returncode != 0
    assert "published in the project's repository" in result.stderr


def test_with_debug_on_and_no_key_the_install_uses_its_own_generated_key():
    key = setting("SECRET_KEY", DEBUG="1")

    assert key == (REPO / "var" / "secret_key").read_text().strip()
    assert len(key) >= 50 and key != OLD_COMMITTED_KEY
    assert oct((REPO / "var" / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_the_development_key_is_made_once_per_install_readable_by_its_owner_only(tmp_path):
    from mentoring.secret_key import development_secret_key, secret_key_problem

    first = development_secret_key(tmp_path / "one" / "var" / "secret_key")
    again = development_secret_key(tmp_path / "one" / "var" / "secret_key")
    other = development_secret_key(tmp_path / "two" / "var" / "secret_key")

    assert first == again != other
    assert secret_key_problem(first) is None
    assert (tmp_path / "one" / "var" / "secret_key").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in (tmp_path / "one" / "var").iterdir()) == ["secret_key"]  # no temporary left


def test_the_development_key_file_is_kept_out_of_git():
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        skip_or_fail("the repository's git metadata is not beside the code")
    result = subprocess.run(["git", "check-ignore", "-q", "var/secret_key"], cwd=REPO, check=False)

    assert result.returncode == 0  # ignored
