"""The themes of what participants say the programme should keep or change.

One place for the classification: each theme is a fixed list of word stems,
matched case-insensitively anywhere in the answer. The impact report counts,
per theme, the people whose answer mentions it (an answer may touch several
themes; one that touches none and is not empty counts as "other"). The text
itself never leaves the database: the counting is done there, with the same
patterns (`pattern`), so no page, export or PDF ever holds a word of it.

The stems are plain letters (no regular-expression syntax), so PostgreSQL's
`~*` and Python's `re.search(..., re.I)` read them alike."""

import re
from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class Theme:
    key: str
    label: str
    stems: tuple[str, ...]

    @property
    def pattern(self) -> str:
        return "|".join(re.escape(stem) for stem in self.stems)


OTHER = "other"

THEMES: tuple[Theme, ...] = (
    Theme("meetings", "Meetings and time",
          ("meet", "time", "schedul", "calendar", "hour", "frequen", "cadence", "session", "busy")),
    Theme("matching", "Matching", ("match", "pair", "partner", "fit", "chemistry")),
    Theme("goals", "Goals and progress", ("goal", "objective", "target", "progress", "plan", "milestone")),
    Theme("support", "Support from the coordinators",
          ("support", "coordinat", "help", "guidance", "check-in", "check in", "follow up", "follow-up")),
    Theme("resources", "Resources and training",
          ("resource", "material", "library", "training", "workshop", "book", "article", "template", "guide")),
)  # fmt: skip
LABELS = {theme.key: theme.label for theme in THEMES} | {OTHER: "Something else"}
KEYS = [theme.key for theme in THEMES] + [OTHER]


def classify(text: str) -> set[str]:
    """The themes an answer mentions; {"other"} for an answer that mentions none, set() for an empty one."""
    if not text or not text.strip():
        return set()
    found = {theme.key for theme in THEMES if re.search(theme.pattern, text, re.IGNORECASE)}
    return found or {OTHER}


def mentions(field: str, key: str) -> Q:
    """The rows whose `field` mentions the theme `key` (for a filtered Count in the database)."""
    if key == OTHER:
        return (
            ~Q(**{field: ""})
            & ~Q(**{f"{field}__regex": r"^\s*$"})
            & ~Q(*[Q(**{f"{field}__iregex": theme.pattern}) for theme in THEMES], _connector=Q.OR)
        )
    theme = next(theme for theme in THEMES if theme.key == key)
    return Q(**{f"{field}__iregex": theme.pattern})
