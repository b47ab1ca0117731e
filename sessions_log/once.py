"""One-time submission keys, so a create form posted twice creates one row.

A form renders a fresh key (a hidden field); the row it creates stores the key
under a unique constraint. A repeat of the same post (a double click, a retried
request, three tabs at once) finds the row the first one made and returns it,
so the person lands on the same result page without an error. Under PostgreSQL
a twin request's INSERT waits on the unique index until the first commits, then
fails; SQLite runs one writer at a time, so the twin finds the row first."""

import uuid
from typing import TypeVar

from django.db import IntegrityError, models, transaction

Row = TypeVar("Row", bound=models.Model)

REPEATED_ELSEWHERE = "This form was sent already: open it again to add another."


def new_submission_key() -> uuid.UUID:
    return uuid.uuid4()


def submitted_before(model: type[Row], key: uuid.UUID | None, **scope) -> Row | None:
    """The row an earlier post of this form created, if any. `scope` (the pair, the
    author) keeps anyone from reaching another person's row with their key."""
    if key is None:
        return None
    return model.objects.filter(submission_key=key, **scope).first()


def save_once(row: Row, *, error: type[Exception], **scope) -> tuple[Row, bool]:
    """Insert `row` (which carries its submission key) in a savepoint; if a twin
    request committed the same key first, return its row instead: (row, created).
    A key used outside `scope` raises `error`, naming nothing of the other row."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        key = getattr(row, "submission_key", None)
        if key is None:
            raise
        twin = submitted_before(type(row), key, **scope)
        if twin is not None:
            return twin, False
        if type(row).objects.filter(submission_key=key).exists():
            raise error(REPEATED_ELSEWHERE) from None
        raise
    return row, True
