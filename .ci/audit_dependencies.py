"""Audit the runtime requirements for known vulnerabilities with pip-audit.

`make security` runs it; CI too. pip-audit needs a vulnerability service over the
network (OSV, or PyPI's per-version JSON API). pip-audit itself exits 0 when it
could audit nothing at all ("No known vulnerabilities found" with every
dependency skipped), so this wrapper reads its JSON report and tells the three
outcomes apart:

- a known vulnerability in a dependency: exit 1, listing each (ID, fix versions);
- every dependency audited and clean: exit 0;
- the services unreachable or unable to answer for some dependencies: a loud
  NOT AUDITED warning naming them, exit 0, or exit 2 with --require-audit
  (for a machine that must audit, e.g. a release pipeline).

Usage: python .ci/audit_dependencies.py [--require-audit] [-r requirements.txt]
"""

import argparse
import json
import subprocess  # nosec B404  # runs pip-audit, a fixed command
import sys
import tempfile
from pathlib import Path

SERVICES = ("osv", "pypi")


def run_pip_audit(requirements: str, service: str) -> tuple[dict | None, str]:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [
            sys.executable, "-m", "pip_audit", "-r", requirements, "--vulnerability-service", service,
            "--format", "json", "--output", str(report), "--progress-spinner", "off", "--timeout", "30",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
        if not report.exists():  # pip-audit stopped before writing: usually the network
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            return None, last
        return json.loads(report.read_text()), ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-r", "--requirements", default="requirements.txt")
    parser.add_argument("--require-audit", action="store_true", help="fail when nothing could be audited")
    options = parser.parse_args()

    best: dict | None = None
    for service in SERVICES:
        report, error = run_pip_audit(options.requirements, service)
        if report is None:
            print(f"pip-audit ({service}): could not run: {error}")
            continue
        dependencies = report.get("dependencies", [])
        audited = [dep for dep in dependencies if "skip_reason" not in dep]
        print(f"pip-audit ({service}): {len(audited)} of {len(dependencies)} dependencies audited")
        vulnerable = [dep for dep in audited if dep.get("vulns")]
        if vulnerable:
            print("\nKNOWN VULNERABILITIES:")
            for dep in vulnerable:
                for vuln in dep["vulns"]:
                    fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
                    print(f"  {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
            print("Upgrade the pins in requirements.txt, or explain an exception in docs/security.md.")
            return 1
        if best is None or len(audited) > len(best["audited"]):
            best = {"service": service, "audited": audited, "skipped": [d for d in dependencies if d not in audited]}
        if audited and len(audited) == len(dependencies):
            print(f"No known vulnerabilities in the {len(audited)} dependencies (service: {service}).")
            return 0

    skipped = best["skipped"] if best else []
    print("\nNOT AUDITED: no vulnerability service could answer for every dependency.")
    if skipped:
        print("  Not audited: " + ", ".join(f"{dep['name']} {dep.get('version', '')}".strip() for dep in skipped))
    print("  Run `make security` where https://api.osv.dev is reachable (see docs/security.md).")
    return 2 if options.require_audit else 0


if __name__ == "__main__":
    sys.exit(main())
