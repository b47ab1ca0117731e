"""SECRET_KEY: a per-install key for development, and the checks a production key must pass.

Imported by mentoring/settings.py before Django is set up, so it uses nothing
of Django's but the exception. docs/deployment.md and docs/security.md say why.
"""

import contextlib
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

MIN_LENGTH = 50
MIN_DISTINCT_CHARACTERS = 5  # Django's own deployment check asks the same

# Keys that were committed to the repository (its history, tests or docs):
# anyone can read them, so anything signed with them can be forged. A key is
# refused when it is one of these, whatever DEBUG says.
COMMITTED_KEYS = frozenset(
    {
        "dev-insecure-key-do-not-use-in-production",  # settings.py's development key until issue 13
        "production-like-" + "k" * 60,  # mentoring/tests/test_security.py's child processes until issue 13
    }
)


def secret_key_problem(key: str) -> str | None:
    """Why `key` may not sign anything in production, or None when it may."""
    if not key:
        return "it is not set"
    if key in COMMITTED_KEYS:
        return "it is a key published in the project's repository, so anyone can forge sessions and links with it"
    if key.startswith("django-insecure-"):
        return "it is a development key made by startproject"
    if len(key) < MIN_LENGTH:
        return f"it has {len(key)} characters"
    if len(set(key)) < MIN_DISTINCT_CHARACTERS:
        return f"it has fewer than {MIN_DISTINCT_CHARACTERS} different characters"
    return None


def secret_key_refusal(problem: str) -> str:
    """The sentence that refuses a key, naming SECRET_KEY and what is wrong with it."""
    return (
        f"SECRET_KEY must be set to a random value of {MIN_LENGTH}+ characters ({problem}). "
        "Make one with: python -c 'import secrets; print(secrets.token_urlsafe(60))'. "
        "For development, set DEBUG=1 (make run does) and a key of this install is made for you."
    )


def production_secret_key(key: str) -> str:
    """`key`, or ImproperlyConfigured naming SECRET_KEY and what is wrong with it."""
    problem = secret_key_problem(key)
    if problem:
        raise ImproperlyConfigured(secret_key_refusal(problem))
    return key


def development_secret_key(path: Path) -> str:
    """This install's development key, made at random on first use and kept in
    `path` (mode 0600, under the git-ignored var/), so no two checkouts share
    one and none is ever committed. The web server, worker and beat of
    `make run` start at once: the key is written to a temporary file and
    linked into place, so they all end up with the same one."""
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(60) + "\n")
        with contextlib.suppress(FileExistsError):  # another process got there first: its key wins
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return _read_key(path)


def _read_key(path: Path) -> str:
    key = path.read_text().strip()
    if secret_key_problem(key):
        raise ImproperlyConfigured(f"{path} does not hold a usable development key; delete it to make a new one.")
    return key
