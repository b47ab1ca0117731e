"""The pip-audit wrapper (.ci/audit_dependencies.py) tells a vulnerability, a clean
audit and an audit that could not happen apart. pip-audit exits 0 in the last
case, which is why the wrapper exists. The vulnerability service is the outside
world, so its answers are stood in for here; everything else is the real code."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "audit_dependencies.py"


@pytest.fixture
def audit(monkeypatch):
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    answers: dict = {}
    monkeypatch.setattr(module, "run_pip_audit", lambda requirements, service: answers[service])

    def run(*args: str, **by_service) -> int:
        answers.update(by_service)
        monkeypatch.setattr("sys.argv", ["audit_dependencies.py", *args])
        return module.main()

    return run


OFFLINE = (None, "ConnectionError: Failed to resolve 'api.osv.dev'")
ALL_SKIPPED = ({"dependencies": [{"name": "django", "skip_reason": "Dependency not found on PyPI"}]}, "")
CLEAN = ({"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}]}, "")
VULNERABLE = (
    {"dependencies": [{"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-1", "fix_versions": ["5.2.1"]}]}]},
    "",
)


def test_a_known_vulnerability_fails_and_names_the_fix(audit, capsys):
    assert audit(osv=VULNERABLE, pypi=CLEAN) == 1
    assert "django 5.2.0: PYSEC-1 (fixed in 5.2.1)" in capsys.readouterr().out


def test_a_clean_audit_passes(audit, capsys):
    assert audit(osv=CLEAN) == 0
    assert "No known vulnerabilities in the 1 dependencies (service: osv)." in capsys.readouterr().out


def test_when_no_service_answers_it_warns_not_audited_and_passes_unless_required(audit, capsys):
    assert audit(osv=OFFLINE, pypi=ALL_SKIPPED) == 0
    out = capsys.readouterr().out
    assert "NOT AUDITED" in out
    assert "Not audited: django" in out
    assert "No known vulnerabilities" not in out

    assert audit("--require-audit", osv=OFFLINE, pypi=ALL_SKIPPED) == 2


def test_the_second_service_is_asked_when_the_first_is_unreachable(audit):
    assert audit(osv=OFFLINE, pypi=VULNERABLE) == 1
    assert audit(osv=OFFLINE, pypi=CLEAN) == 0
