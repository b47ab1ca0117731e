"""Webhooks sit just above common and audit (docs/architecture.md): every app's
services call `emit`, so webhooks may import no app above it, or the imports
would run in a circle."""

import ast
from pathlib import Path

from django.conf import settings

APP = Path(__file__).resolve().parent.parent
BELOW = {"common", "audit", "webhooks"}


def test_webhooks_imports_no_app_above_it():
    project_apps = {name for name in settings.INSTALLED_APPS if (APP.parent / name / "apps.py").exists()}
    found = {}
    for path in APP.rglob("*.py"):
        if "tests" in path.relative_to(APP).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in project_apps - BELOW:
                    found.setdefault(str(path.relative_to(APP)), []).append(name)
    assert found == {}
