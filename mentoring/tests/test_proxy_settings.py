"""Behind a reverse proxy (BEHIND_PROXY=1) the app trusts the proxy's
X-Forwarded-Proto and counts allauth's rate limits by the client address the
proxy appends to X-Forwarded-For; otherwise it trusts neither header."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
READ = (
    "import json; from django.conf import settings; "
    "print(json.dumps([settings.SECURE_PROXY_SSL_HEADER, settings.ALLAUTH_TRUSTED_PROXY_COUNT]))"
)


def proxy_settings(**env: str):
    clean = {k: v for k, v in os.environ.items() if k not in {"BEHIND_PROXY", "TRUSTED_PROXY_COUNT"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", READ],
        cwd=REPO, env={**clean, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, [None, 0]),  # no proxy: neither header is believed
        ({"BEHIND_PROXY": "1"}, [["HTTP_X_FORWARDED_PROTO", "https"], 1]),
        ({"BEHIND_PROXY": "1", "TRUSTED_PROXY_COUNT": "2"}, [["HTTP_X_FORWARDED_PROTO", "https"], 2]),
    ],
)
def test_behind_a_proxy_the_client_address_and_scheme_come_from_its_headers(env, expected):
    assert proxy_settings(**env) == expected


def test_a_bad_proxy_count_stops_the_app():
    clean = {k: v for k, v in os.environ.items() if k not in {"BEHIND_PROXY", "TRUSTED_PROXY_COUNT"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**clean, "BEHIND_PROXY": "1", "TRUSTED_PROXY_COUNT": "two"},
    )  # fmt: skip
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT" in result.stderr
