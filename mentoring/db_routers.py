"""HR's reports and exports may read from a PostgreSQL replica (REPORTS_DATABASE_URL,
docs/deployment.md); everything else, and every write, stays on the primary.

Reads go to the replica only inside an explicit scope, never by model: a view or
job opts in with `reads_from_reports_database` (views) or
`reading_from_reports_database()` (a block or a plain function). The router consults
a context variable set by that scope, so the same query elsewhere (a coordinator's
page, a service that has just written) reads the primary, and a request never reads
back from the replica what it has just written. A replica lags the primary by
seconds: the report pages say how fresh their figures are.

With REPORTS_DATABASE_URL unset, settings.REPORTS_DATABASE is "default" and the
router answers nothing, so Django's own routing is unchanged."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.http import HttpResponseBase

_reports_scope: ContextVar[bool] = ContextVar("reads_from_reports_database", default=False)

# Read from the primary even inside the scope: the session is written on every
# sign-in and read back by the next request, which a lagging replica would not know.
PRIMARY_ONLY_APPS = frozenset({"sessions"})


def reports_database() -> str:
    """The alias report reads use now: the replica inside the scope, if one is set."""
    return settings.REPORTS_DATABASE if _reports_scope.get() else DEFAULT_DB_ALIAS


@contextmanager
def reading_from_reports_database() -> Iterator[None]:
    """Within this block (or function, as a decorator), reads go to the reports
    database, if one is configured."""
    token = _reports_scope.set(True)
    try:
        yield
    finally:
        _reports_scope.reset(token)


def reads_from_reports_database(view: Callable) -> Callable:
    """A report view's reads go to the reports database: the view itself and, for a
    streamed download, each chunk of its body (produced after the view returns).
    The signed-in user is loaded first, from the primary, as every other page does."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        getattr(request.user, "pk", None)  # resolve the lazy user (and its session) outside the scope
        with reading_from_reports_database():
            response = view(request, *args, **kwargs)
        if _streamed_by_our_code(response):
            response.streaming_content = _chunks_in_scope(response.streaming_content)
        return response

    return wrapper


def _streamed_by_our_code(response) -> bool:
    """A body made while it is sent (not a file already made, which reads nothing)."""
    return (
        isinstance(response, HttpResponseBase)
        and response.streaming
        and not response.is_async
        and getattr(response, "file_to_stream", None) is None
    )


def _chunks_in_scope(chunks) -> Iterator:
    """Each chunk is made inside the scope; between chunks (the server writing) it is left."""
    chunks = iter(chunks)
    while True:
        with reading_from_reports_database():
            try:
                chunk = next(chunks)
            except StopIteration:
                return
        yield chunk


class ReportsReplicaRouter:
    """Reads in the scope go to settings.REPORTS_DATABASE; writes always to default.

    With a replica configured, both answers are explicit: otherwise Django would
    follow a row read from the replica (`instance._state.db`) and write it back there."""

    def _enabled(self) -> bool:
        return settings.REPORTS_DATABASE != DEFAULT_DB_ALIAS

    def db_for_read(self, model, **hints) -> str | None:
        if not self._enabled():
            return None
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        return reports_database()

    def db_for_write(self, model, **hints) -> str | None:
        return DEFAULT_DB_ALIAS if self._enabled() else None

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica is a copy of the primary: a row from either may point at a row from the other.
        return True if self._enabled() else None

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool | None:
        # A replica is migrated by replication, never by `migrate --database=reports`.
        return False if db == settings.REPORTS_DATABASE != DEFAULT_DB_ALIAS else None
