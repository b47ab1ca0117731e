"""The registry of notice kinds. Each app registers its own kinds (in its
`notices.py`, imported from its AppConfig.ready): what the notice says, how it
is built from its object at send time, and whether a person may turn it off."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Notification


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # on the preferences page: "A day before a meeting"
    group: str  # the heading it is listed under: "Meetings"
    template: str  # mail templates <template>_subject.txt, <template>.txt, <template>.html
    # Loads the notice's object when the mail is sent and returns the template
    # context, or None when the notice no longer applies (the meeting was
    # cancelled, the recap written): it is then skipped, not sent.
    context: Callable[["Notification"], dict | None]
    optional: bool = True  # may be turned off (and unsubscribed from)
    digestible: bool = True  # may wait for the weekly digest
    # Extra parts of the mail, e.g. a meeting's .ics: (filename, content, mimetype).
    attachments: Callable[["Notification", dict], list[tuple[str, bytes, str]]] | None = None
    # Runs in the delivery's transaction after the mail is handed over (the digest
    # marks its items sent here, so they go out once with it).
    after_send: Callable[["Notification", dict], None] | None = None
    # Who sees it on the preferences page: "participants" (everyone), "coordinators",
    # or "hr" (never listed: the monthly report is asked for on the reports page).
    audience: str = field(default="participants")


_KINDS: dict[str, Kind] = {}

# The order of the groups on the preferences page; a group not listed comes last.
GROUP_ORDER = ["Meetings", "Goals and actions", "Your pair", "Check-ins", "Your programmes", "Circles",
               "Coordinating", "Reports", "Digest"]  # fmt: skip


def group_position(group: str) -> int:
    return GROUP_ORDER.index(group) if group in GROUP_ORDER else len(GROUP_ORDER)


def register(kind: Kind) -> Kind:
    if kind.key in _KINDS and _KINDS[kind.key] != kind:
        raise ValueError(f"Notice kind {kind.key!r} is registered twice")
    _KINDS[kind.key] = kind
    return kind


def get(key: str) -> Kind:
    return _KINDS[key]


def all_kinds() -> list[Kind]:
    return list(_KINDS.values())
