"""A world of three programmes built to hold groups of 1-4 people and pairs
beside groups of 5 or more, and an oracle that counts, by brute force over the
rows, what each figure of HR's reports rests on. The disclosure tests compare
what the reports show with the oracle; the oracle shares no code with reports/.

- "Mentoring" (traditional, cohort 2026): 6 pairs with a Sales mentee, 5 with an
  Engineering mentee, 1 with a "Legal Ops" mentee (3 meetings: the subtraction
  trap of the department view), 2 Legal Ops mentees waiting, 1 applicant from
  "Tiny team". Legal Ops (3 people) and Tiny team (1) are small free-text labels.
- "Pilot" (traditional, cohort 2025): 3 people and one pair with 3 meetings
  (the subtraction trap of the programme and cohort views); its mentor also
  enrolled in Mentoring as a mentee and withdrew (one person in two programmes).
- Mentoring also holds 2 mentees who withdrew or were declined and 1 on the
  waiting list (small groups of the columns beside People).
- "Reverse" (reverse, cohort 2026): 7 pairs whose people answered consented
  attributes from the organisation's lists (people.AttributeAnswer): small
  groups (a self-description "Agender", whose text is never shown, "Non-binary",
  "Prefer not to say", the Pride and Disability networks), a disabled mentee
  with one meeting of 0.8 hours and a rating of 1, a waiting mentee, one person
  who did not consent, and one enrolled after the attribute views' cut-off (the
  end of last month). Staff networks are memberships (one network a person here).
- "Drop-in" (office hours, cohort 2026): 2 helpers (Engineering) and 8 bookers:
  7 from Sales, each with one held one-off session of 30 minutes (3 in March, 4
  in April: small months), and 1 from Legal Ops with one held session in May
  (a small department); one more session, scheduled, never held. Its bookers
  are "Drop-in" people, never mentees waiting; the sessions are one-off
  sessions and hours, never a pair's meetings.
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from django.utils import timezone

from engagement.health import Framework, Status, assess, pair_facts
from matching.models import Match
from matching.tests.factories import enrol, make_person
from networks.models import Network, NetworkMembership
from people.attributes import PREFER_NOT_TO_SAY, default_lists_add
from people.models import Attribute, AttributeAnswer, AttributeOption
from people.tests.factories import answer
from programmes.models import Participant, Programme
from programmes.tests.factories import make_programme
from sessions_log.models import ActionItem, Feedback, Goal, Meeting, Recap
from surveys.models import PulseResponse

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
CUTOFF = date(2026, 5, 31)  # the attribute views' cut-off: the end of the month before NOW
# Labels people typed that no page may show: small departments, and a self-description (never shown at all).
SMALL_LABELS = ["Legal Ops", "Tiny team", "Agender"]
BIG_LABELS = ["Sales", "Engineering", "Woman", "Man", "Women's network", "White"]

COUNTS = {"people", "mentors", "mentees", "awaiting", "withdrawn", "joined", "matched", "unmatched", "active",
          "stalled", "ended", "met", "enrolments", "mentors_enrolled", "mentees_enrolled", "matches_made",
          "drop_in"}  # fmt: skip
ENROLMENTS = {"enrolments", "mentors_enrolled", "mentees_enrolled"}  # counts of enrolments, resting on their people
EVENTS = {"meetings_held", "oneoff_sessions", "recaps", "goals_set", "goals_achieved"}
AMOUNTS = {"hours", "oneoff_hours"}
AVERAGES = {"actions_done_percent", "feedback_average", "pulse_average"}
ATTRIBUTES = ("gender_identity", "ethnic_group", "disability", "generation", "staff_network")
FREE_TEXT = {"department"}
SELF_DESCRIBED = "Self-described"
# The old free-text answers of this world, as the organisation's lists have them (part A's migration folds them so).
LISTED = {
    "gender_identity": {"woman": "Woman", "man": "Man", "non-binary": "Non-binary"},
    "ethnic_group": {"white british": "White", "black british": "Black, Black British, Caribbean or African",
                     "mixed heritage": "Mixed or multiple ethnic groups"},
    "disability": {"yes": "Yes", "no": "No"},
    "generation": {"gen_z": "Generation Z (1997-2012)", "millennial": "Millennial (1981-96)",
                   "gen_x": "Generation X (1965-80)", "boomer": "Baby boomer (1946-64)"},
}  # fmt: skip


def give_answers(user, given: tuple) -> None:
    """One person's consented answers, (gender, ethnicity, disability, generation, network):
    "" is no answer, "prefer_not" is "Prefer not to say", text off the list a self-description."""
    *answers, network = given
    for key, text in zip(("gender_identity", "ethnic_group", "disability", "generation"), answers, strict=True):
        folded = " ".join(text.split()).lower()
        if not folded:
            continue
        if folded == "prefer_not":
            answer(user, key, prefer_not=True)
        elif folded in LISTED[key]:
            answer(user, key, LISTED[key][folded])
        else:
            answer(user, key, text=text.strip())
    if network.strip():
        found = Network.objects.filter(name__iexact=network.strip()).first() or Network.objects.create(
            name=network.strip()
        )
        NetworkMembership.objects.create(network=found, user=user)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@dataclass
class World:
    mentoring: Programme
    reverse: Programme
    pilot: Programme
    drop_in: Programme | None = None


def build_world(carol) -> World:
    default_lists_add(Attribute, AttributeOption)  # a flushed test database has lost the lists
    mentoring = make_programme(carol, name="Mentoring", cohort="2026", status="running")
    reverse = make_programme(carol, name="Reverse", kind="reverse", cohort="2026", status="running")
    pilot = make_programme(carol, name="Pilot", cohort="2025", status="running")
    Participant.objects.filter(programme__in=[mentoring, reverse, pilot]).delete()

    def person(name, department, applied, programme, role, status="approved"):
        participant = enrol(programme, make_person(name, department=department), role, status=status)
        Participant.objects.filter(pk=participant.pk).update(applied_at=at(applied))
        participant.refresh_from_db()
        return participant

    def pair(programme, mentee, mentor, made, *, meetings=(), minutes=60, ended=None, reason=""):
        match = Match.objects.create(programme=programme, mentee=mentee, mentor=mentor, created_at=at(made))
        if ended:
            Match.objects.filter(pk=match.pk).update(status="ended", ended_at=at(ended), end_reason=reason)
        held = [Meeting.objects.create(match=match, programme=programme, mentor=mentor, mentee=mentee,
                                       starts_at=at(day), minutes=minutes, status="held")
                for day in meetings]  # fmt: skip
        return match, held

    def extras(match, held, *, rating=None, goals=0, achieved=0, action=None, pulse=None, recaps=False):
        if rating is not None:
            Feedback.objects.create(meeting=held[-1], author=match.mentee.user, rating=rating,
                                    created_at=held[-1].starts_at)  # fmt: skip
        for number in range(goals):
            Goal.objects.create(match=match, owner=match.mentee, objective=f"Goal {number}", measure="M",
                                status="achieved" if number < achieved else "in_progress",
                                created_at=at(date(2026, 3, 12)))  # fmt: skip
        if action is not None:
            ActionItem.objects.create(match=match, owner=match.mentee, description="Do it", due_on=date(2026, 4, 20),
                                      status="done" if action else "open",
                                      done_at=at(date(2026, 4, 19)) if action else None)  # fmt: skip
        if pulse is not None:
            PulseResponse.objects.create(match=match, author=match.mentee.user, due_on=date(2026, 5, 1), rating=pulse,
                                         meeting_as_planned=True)  # fmt: skip
        if recaps:
            for meeting in held:
                Recap.objects.create(meeting=meeting, author=match.mentee.user, discussed="Private words",
                                     created_at=meeting.starts_at)  # fmt: skip

    january, spring = date(2026, 1, 10), (date(2026, 3, 10), date(2026, 4, 10))
    # Mentoring: Sales mentees with Engineering mentors, and the other way round.
    for number in range(6):
        mentee = person(f"Sales Mentee {number}", "Sales", january, mentoring, "mentee")
        mentor = person(f"Engineering Mentor {number}", "Engineering", january, mentoring, "mentor")
        days = (*spring, date(2026, 5, 10)) if number <= 2 else spring
        ended = date(2026, 5, 10) if number == 5 else None
        match, held = pair(mentoring, mentee, mentor, date(2026, 2, 1), meetings=days, ended=ended, reason="no_time")
        extras(match, held, rating=4, goals=2, achieved=1 if number <= 1 else 0, action=number <= 1 if number <= 3
               else None, pulse=(5, 3, 4, 4, 4, 4)[number], recaps=number <= 1)  # fmt: skip
    for number in range(5):
        mentee = person(f"Engineering Mentee {number}", "Engineering", january, mentoring, "mentee")
        mentor = person(f"Sales Mentor {number}", "Sales", january, mentoring, "mentor")
        ended = date(2026, 4, 20) if number == 4 else None
        match, held = pair(mentoring, mentee, mentor, date(2026, 2, 1), meetings=spring, ended=ended,
                           reason="goals_met")  # fmt: skip
        extras(match, held, rating=(5, 5, 5, 2, 4)[number], goals=2, achieved=1 if number == 0 else 0,
               action=number <= 2 if number <= 3 else None, pulse=(4, 4, 2, 3, 3)[number],
               recaps=number == 0)  # fmt: skip
    legal = person("Legal Mentee", "Legal Ops", january, mentoring, "mentee")
    legal_mentor = person("Sales Mentor Five", "Sales", january, mentoring, "mentor")
    match, held = pair(mentoring, legal, legal_mentor, date(2026, 2, 1),
                       meetings=(date(2026, 3, 12), date(2026, 4, 12), date(2026, 5, 12)), minutes=45)  # fmt: skip
    extras(match, held, rating=1, goals=1, achieved=1, action=True, pulse=1, recaps=True)
    for number in range(2):
        person(f"Legal Waiting {number}", "Legal Ops", date(2026, 4, 5), mentoring, "mentee")
    person("Tiny Applicant", "Tiny team", date(2026, 4, 6), mentoring, "mentee", status="applied")
    for number, status in enumerate(["withdrawn", "declined", "waitlisted"]):
        person(f"Sales Gone {number}", "Sales", date(2026, 4, 7), mentoring, "mentee", status=status)

    # Pilot: three people, one pair with three meetings.
    pilot_mentor = person("Pilot Mentor", "Sales", date(2026, 2, 20), pilot, "mentor")
    pilot_mentee = person("Pilot Mentee", "Engineering", date(2026, 2, 20), pilot, "mentee")
    person("Pilot Applicant", "Sales", date(2026, 2, 21), pilot, "mentee", status="applied")
    # The Pilot's mentor also enrolled in Mentoring as a mentee, and withdrew: one person, two programmes.
    twice = enrol(mentoring, pilot_mentor.user, "mentee", status="withdrawn")
    Participant.objects.filter(pk=twice.pk).update(applied_at=at(date(2026, 4, 8)))
    match, held = pair(pilot, pilot_mentee, pilot_mentor, date(2026, 3, 1),
                       meetings=(date(2026, 3, 5), date(2026, 4, 5), date(2026, 5, 5)), minutes=30)  # fmt: skip
    extras(match, held, rating=3, goals=1, achieved=1, action=False, pulse=2)

    # Reverse: consented attributes, junior mentors (Engineering) and senior mentees (Sales).
    answers = {
        # name: (gender, ethnicity, disability, generation, staff network); None: did not consent
        "Reverse Mentor 0": ("Woman", "White British", "no", "gen_z", "Women's network"),
        "Reverse Mentor 1": ("woman ", "White British", "no", "gen_z", "women's network"),
        "Reverse Mentor 2": ("Man", "White British", "no", "gen_z", ""),
        "Reverse Mentor 3": ("MAN", "Black British", "no", "gen_z", ""),
        "Reverse Mentor 4": ("Agender", "Mixed heritage", "yes", "gen_z", "Pride network"),
        "Reverse Mentor 5": ("", "", "", "millennial", ""),
        "Reverse Mentor 6": None,
        "Reverse Mentee 0": ("Woman", "White British", "no", "millennial", "Women's network"),
        "Reverse Mentee 1": ("Woman", "White British", "no", "millennial", "Women's network"),
        "Reverse Mentee 2": (" Woman", "Black British", "no", "millennial", ""),
        "Reverse Mentee 3": ("Man", "White British", "yes", "gen_x", "Disability network"),
        "Reverse Mentee 4": ("Man", "", "no", "gen_x", ""),
        "Reverse Mentee 5": ("Man", "", "prefer_not", "boomer", ""),
        "Reverse Mentee 6": ("Non-binary", "", "no", "millennial", ""),
        "Reverse Waiting": ("Woman", "", "no", "millennial", "Women's network"),
        "Reverse Late": ("Man", "White British", "yes", "gen_z", "Pride network"),
    }
    people = {}
    for name, given in answers.items():
        role = "mentor" if "Mentor" in name else "mentee"
        applied = date(2026, 6, 2) if name == "Reverse Late" else date(2026, 2, 1)
        people[name] = person(name, "Engineering" if role == "mentor" else "Sales", applied, reverse, role)
        if given is not None:
            give_answers(people[name].user, given)
    for number in range(7):
        mentee, mentor = people[f"Reverse Mentee {number}"], people[f"Reverse Mentor {number}"]
        if number == 3:  # the disabled mentee: one meeting of 48 minutes, rated 1
            match, held = pair(reverse, mentee, mentor, date(2026, 2, 15), meetings=(date(2026, 3, 20),), minutes=48)
            extras(match, held, rating=1, goals=1, achieved=1, action=True, pulse=1)
            continue
        match, held = pair(reverse, mentee, mentor, date(2026, 2, 15), meetings=spring)
        extras(match, held, rating=4, goals=1, action=number % 2 == 0, pulse=4)

    # Drop-in: one-off sessions, no pairs.
    drop_in = make_programme(carol, name="Drop-in", kind="office_hours", cohort="2026", status="running",
                             cadence="ad_hoc", goals_expected=0)  # fmt: skip
    Participant.objects.filter(programme=drop_in).delete()
    helpers = [person(f"Drop-in Helper {number}", "Engineering", january, drop_in, "mentor") for number in range(2)]

    def one_off(booker, day, status="held"):
        return Meeting.objects.create(programme=drop_in, mentor=helpers[day.day % 2], mentee=booker,
                                      starts_at=at(day), minutes=30, status=status)  # fmt: skip

    for number in range(7):
        booker = person(f"Drop-in Booker {number}", "Sales", date(2026, 2, 5), drop_in, "mentee")
        one_off(booker, date(2026, 3, 18) if number < 3 else date(2026, 4, 16))
    legal_booker = person("Drop-in Legal", "Legal Ops", date(2026, 4, 1), drop_in, "mentee")
    one_off(legal_booker, date(2026, 5, 14))
    one_off(legal_booker, date(2026, 6, 20), status="scheduled")
    return World(mentoring, reverse, pilot, drop_in)


# -- the oracle ---------------------------------------------------------------


def _day(moment: datetime) -> date:
    return timezone.localdate(moment)


def _within(day, start, end) -> bool:
    return day is not None and (start is None or day >= start) and (end is None or day <= end)


def _by_end(day, end) -> bool:
    return end is None or day <= end


def norm(text: str) -> str:
    return " ".join(text.split()).lower()


def hr_health_stalled(matches) -> set[int]:
    """Today's stalled pairs, judged without ratings or check-ins (as HR's health is)."""
    facts = pair_facts(Match.objects.filter(pk__in=[m.pk for m in matches]))
    stalled = set()
    for match in matches:
        plain = replace(facts[match.pk], ratings=0, average_rating=None, latest_pulse=None)
        if assess(plain, Framework.of(match.programme), timezone.localdate()).status == Status.STALLED:
            stalled.add(match.pk)
    return stalled


class Oracle:
    """What each figure counts and rests on, by brute force: `groups(by, programmes, start, end)`
    gives {raw group key: {column: (value, support)}} and `people_of` the people of each group."""

    def __init__(self):
        self.participants = list(Participant.objects.select_related("programme", "user__profile__department"))
        self.answers = {}  # {(user, attribute key): the row it counts in}
        for row in AttributeAnswer.objects.select_related("attribute", "option"):
            label = PREFER_NOT_TO_SAY if row.prefer_not_to_say else row.option.label if row.option else SELF_DESCRIBED
            self.answers[row.user_id, row.attribute.key] = label
        for row in NetworkMembership.objects.select_related("network"):
            self.answers[row.user_id, "staff_network"] = row.network.name
        self.matches = list(Match.objects.select_related("programme", "mentee__user__profile__department"))
        self.meetings = list(Meeting.objects.filter(status="held").select_related(
            "programme", "match", "mentee__user__profile__department", "mentor__user"))  # fmt: skip
        self.recaps = list(Recap.objects.select_related("meeting__programme", "meeting__mentee__user__profile"))
        self.goals = list(Goal.objects.select_related("match__programme", "match__mentee__user__profile"))
        self.actions = list(ActionItem.objects.select_related("match__programme", "match__mentee__user__profile"))
        self.feedback = list(Feedback.objects.select_related("meeting__programme", "meeting__mentee__user__profile"))
        self.pulses = list(PulseResponse.objects.select_related("match__programme", "match__mentee__user__profile"))
        self.stalled = hr_health_stalled([m for m in self.matches if m.status == "active"])

    def key_of(self, by: str, participant, programme, day=None):
        """The group of a participant (a pair's mentee), or None when outside the breakdown."""
        if by == "programme":
            return f"{programme.name} · {programme.cohort}" if programme.cohort else programme.name
        if by == "cohort":
            return programme.cohort or "Not recorded"
        if by == "department":
            profile = getattr(participant.user, "profile", None)
            return profile.department.name if profile and profile.department else "Not recorded"
        if by == "month":
            return day.strftime("%Y-%m") if day else None
        if by == "total":
            return "All"
        if by == "month_total":  # the month breakdown's total: what fell within the range
            return "All" if day else None
        return self.answers.get((participant.user_id, by))

    def groups(self, by: str, programme_ids: set[int], start: date | None, end: date | None) -> dict:
        month = by in ("month", "month_total")
        cells: dict = defaultdict(lambda: defaultdict(set))
        values: dict = defaultdict(lambda: defaultdict(float))

        def add(key, column, who, amount=1):
            if key is None:
                return
            cells[key][column].add(who)
            values[key][column] += amount

        has_match = defaultdict(bool)
        for match in self.matches:
            if _by_end(_day(match.created_at), end):
                has_match[match.mentee_id] = True
        for p in self.participants:
            if p.programme_id not in programme_ids:
                continue
            applied = _day(p.applied_at)
            if not (_within(applied, start, end) if month else _by_end(applied, end)):
                continue
            key = self.key_of(by, p, p.programme, applied)
            approved = p.status == "approved"
            if month:  # enrolments (a person enrolled twice counts twice), resting on their people
                add(key, "enrolments", p.user_id)
                if approved:
                    add(key, f"{p.role}s_enrolled", p.user_id)
                continue
            add(key, "people", p.user_id)
            if _within(applied, start, end):
                add(key, "joined", p.user_id)
            if p.status in ("applied", "waitlisted"):
                add(key, "awaiting", p.user_id)
            if p.status in ("withdrawn", "declined"):
                add(key, "withdrawn", p.user_id)
            if approved and p.role == "mentor":
                add(key, "mentors", p.user_id)
            if approved and p.role == "mentee":
                add(key, "mentees", p.user_id)
                if p.programme.kind == "office_hours":
                    add(key, "drop_in", p.user_id)
                else:
                    add(key, "matched" if has_match[p.pk] else "unmatched", p.user_id)
        for match in self.matches:
            if match.programme_id not in programme_ids:
                continue
            made, ended = _day(match.created_at), _day(match.ended_at) if match.ended_at else None
            who = match.mentee.user_id
            if month:
                if _within(made, start, end):
                    add(self.key_of(by, match.mentee, match.programme, made), "matches_made", who)
            else:
                key = self.key_of(by, match.mentee, match.programme)
                if _by_end(made, end) and (ended is None or (end is not None and ended > end)):
                    add(key, "active", who)
                if match.pk in self.stalled:
                    add(key, "stalled", who)
            if ended and _within(ended, start, end):
                add(self.key_of(by, match.mentee, match.programme, ended), "ended", who)
        for meeting in self.meetings:
            day = _day(meeting.starts_at)
            if meeting.programme_id not in programme_ids or not _within(day, start, end):
                continue
            key = self.key_of(by, meeting.mentee, meeting.programme, day)
            if meeting.match_id is None:
                if meeting.programme.kind == "office_hours":
                    add(key, "oneoff_sessions", meeting.mentee.user_id)
                    add(key, "oneoff_hours", meeting.mentee.user_id, meeting.minutes / 60)
                continue
            add(key, "meetings_held", meeting.mentee.user_id)
            add(key, "hours", meeting.mentee.user_id, meeting.minutes / 60)
            if month:
                add(key, "met", meeting.mentee.user_id, 0)
                add(key, "met", meeting.mentor.user_id, 0)
        for recap in self.recaps:
            day, meeting = _day(recap.created_at), recap.meeting
            if meeting.programme_id in programme_ids and _within(day, start, end):
                add(self.key_of(by, meeting.mentee, meeting.programme, day), "recaps", meeting.mentee.user_id)
        for goal in self.goals:
            day, match = _day(goal.created_at), goal.match
            if match.programme_id in programme_ids and _within(day, start, end):
                key = self.key_of(by, match.mentee, match.programme, day)
                add(key, "goals_set", match.mentee.user_id)
                if goal.status == "achieved":
                    add(key, "goals_achieved", match.mentee.user_id)
        for action in self.actions:
            match = action.match
            if match.programme_id in programme_ids and _within(action.due_on, start, end):
                key = self.key_of(by, match.mentee, match.programme, action.due_on)
                add(key, "actions_done_percent", match.mentee.user_id, 0)
        for feedback in self.feedback:
            day, meeting = _day(feedback.created_at), feedback.meeting
            if meeting.programme_id in programme_ids and _within(day, start, end):
                key = self.key_of(by, meeting.mentee, meeting.programme, day)
                add(key, "feedback_average", meeting.mentee.user_id)
        for pulse in self.pulses:
            match = pulse.match
            if match.programme_id in programme_ids and _within(pulse.due_on, start, end):
                add(self.key_of(by, match.mentee, match.programme, pulse.due_on), "pulse_average", match.mentee.user_id)
        out = {}
        for key, columns in cells.items():
            out[key] = {column: (len(who) if column in COUNTS - ENROLMENTS else values[key][column], len(who))
                        for column, who in columns.items()}  # fmt: skip
        return out

    def people_of(self, by: str, programme_ids: set[int], end: date | None) -> dict:
        """The people of each group (enrolled by `end`): whose label may be shown."""
        found = defaultdict(set)
        for p in self.participants:
            if p.programme_id in programme_ids and _by_end(_day(p.applied_at), end):
                key = self.key_of(by, p, p.programme)
                if key is not None:
                    found[key].add(p.user_id)
        return found


def merge(groups: dict, keys) -> dict:
    """The figures of several raw groups together (the "Other" row of a breakdown
    whose groups partition people and pairs, so values and supports add up)."""
    merged: dict = defaultdict(lambda: [0.0, 0])
    for key in keys:
        for column, (value, support) in groups.get(key, {}).items():
            merged[column][0] += value
            merged[column][1] += support
    return {column: tuple(pair) for column, pair in merged.items()}
