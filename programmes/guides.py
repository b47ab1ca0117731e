"""The programme's guides for mentors and mentees: their texts (a coordinator's
copy or the default of programmes/guide_defaults.py), who may read them, the
coordinator's edit, and the moments a pair is pointed at them.

Guides are plain text, escaped when shown: `guide_blocks` turns a text into
paragraphs and bullet lists for the template, so a coordinator's edit can never
become markup (no HTML, no script, no links other than the text itself)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from people.models import User

from .guide_defaults import DEFAULT_GUIDES, GuideDefault, guides_for_kind
from .models import Participant, Programme, ProgrammeGuide
from .permissions import is_coordinator_of
from .services import ProgrammeError

GUIDE_MAX_CHARS = 6000
# Programmes without dates: the mid-point review is this long after the pair was matched
# (the default framework runs six months).
MIDPOINT_WITHOUT_DATES = timedelta(days=91)
# The workspace points at the mid-point guide this long before the mid-point.
MIDPOINT_NOTICE = timedelta(days=14)


@dataclass
class Guide:
    slug: str
    title: str
    audience: str
    text: str
    edited: bool  # the coordinators changed it from the default

    @property
    def blocks(self) -> list[tuple[str, list[str]]]:
        return guide_blocks(self.text)


def guide_blocks(text: str) -> list[tuple[str, list[str]]]:
    """("p", [lines]) for a paragraph, its lines kept as line breaks, and
    ("ul", [items]) for a run of "- " lines; a blank line ends a block."""
    blocks: list[tuple[str, list[str]]] = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        current: tuple[str, list[str]] | None = None
        for line in (line.strip() for line in chunk.split("\n")):
            if not line:
                continue
            kind, body = ("ul", line[2:].strip()) if line.startswith("- ") else ("p", line)
            if current is None or current[0] != kind:
                current = (kind, [])
                blocks.append(current)
            current[1].append(body)
    return blocks


def guides_of(programme: Programme) -> list[Guide]:
    """Every guide the programme offers, in reading order (1 query)."""
    edited = {row.slug: row.text for row in ProgrammeGuide.objects.filter(programme=programme)}
    return [_guide(programme, default, edited.get(default.slug)) for default in guides_for_kind(programme.kind)]


def guide_of(programme: Programme, slug: str) -> Guide:
    default = DEFAULT_GUIDES.get(slug)
    if default is None or programme.kind not in default.kinds:
        raise Http404("No such guide.")
    row = ProgrammeGuide.objects.filter(programme=programme, slug=slug).first()
    return _guide(programme, default, row.text if row else None)


def _guide(programme: Programme, default: GuideDefault, text: str | None) -> Guide:
    # "{kind}" in a title is the kind as the programme's people know it ("Two-way mentoring").
    title = default.title.replace("{kind}", programme.kind_name_for_participants)
    return Guide(slug=default.slug, title=title, audience=default.audience, text=text or default.text,
                 edited=text is not None)  # fmt: skip


def may_read_guides(user: User, programme: Programme) -> bool:
    """The programme's coordinators (staff too) and its people, unless declined or withdrawn."""
    if not user.is_authenticated or not user.is_active:
        return False
    taking_part = Participant.objects.filter(programme=programme, user=user).filter(
        ~Q(status__in=[Participant.Status.DECLINED, Participant.Status.WITHDRAWN])
    )
    return taking_part.exists() or is_coordinator_of(user, programme)


def get_programme_for_guide_reader(user: User, programme_pk: int) -> Programme:
    programme = Programme.objects.filter(pk=programme_pk).first()
    if programme is None or not may_read_guides(user, programme):
        raise Http404("No such programme.")
    return programme


@transaction.atomic
def guide_save(*, programme: Programme, slug: str, text: str, by: User) -> ProgrammeGuide | None:
    """Keep the coordinators' copy of a guide; the default's own text (or an
    empty one) puts the default back."""
    default = DEFAULT_GUIDES.get(slug)
    if default is None or programme.kind not in default.kinds:
        raise ProgrammeError("This programme has no such guide.")
    text = text.replace("\r\n", "\n").strip()
    if len(text) > GUIDE_MAX_CHARS:
        raise ProgrammeError(f"Keep the guide under {GUIDE_MAX_CHARS} characters (it has {len(text)}).")
    if not text or text == default.text:
        ProgrammeGuide.objects.filter(programme=programme, slug=slug).delete()
        return None
    row, _ = ProgrammeGuide.objects.update_or_create(
        programme=programme, slug=slug, defaults={"text": text, "updated_by": by, "updated_at": timezone.now()}
    )
    return row


def midpoint_of(programme: Programme, matched_on: date) -> date:
    """The pair's mid-point review: halfway between the programme's start and
    end when it has both dates, else MIDPOINT_WITHOUT_DATES after the match."""
    if programme.starts_on and programme.ends_on:
        return programme.starts_on + (programme.ends_on - programme.starts_on) / 2
    return matched_on + MIDPOINT_WITHOUT_DATES


def moment_guides(*, programme: Programme, role: str, held_meetings: int, matched_on: date, today: date) -> dict:
    """Which guides the workspace points a person at now, and why:
    before the first meeting, the guides for their role; in the fortnight
    before the mid-point review, the one on challenge (mentors) or on being a
    mentee (mentees). Returns {"first": [...], "midpoint": date | None, "mid": [...]}."""
    slugs = [guide.slug for guide in guides_for_kind(programme.kind)]
    if programme.kind == Programme.Kind.REVERSE:
        first = ["reverse-mentor"] if role == "mentor" else ["reverse-mentee"]
        mid = ["reverse-mentor", "challenge-not-validate"] if role == "mentor" else ["reverse-mentee"]
    else:
        first = ["asking-questions"] if role == "mentor" else ["being-a-mentee"]
        mid = ["challenge-not-validate"] if role == "mentor" else ["being-a-mentee"]
    midpoint = midpoint_of(programme, matched_on)
    before_mid = midpoint - MIDPOINT_NOTICE <= today <= midpoint
    return {
        "first": [DEFAULT_GUIDES[s] for s in first if s in slugs] if held_meetings == 0 else [],
        "midpoint": midpoint if before_mid else None,
        "mid": [DEFAULT_GUIDES[s] for s in mid if s in slugs] if before_mid else [],
    }
