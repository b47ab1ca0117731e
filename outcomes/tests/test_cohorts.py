"""Iterating between cohorts (outcomes/cohorts.py, docs/cohorts.md): "Run it
again" carries over what the coordinator chose and nothing else; the next
cohort's page shows what the last one taught us and each objective cohort
over cohort, under k >= 5, in a fixed number of queries however long the line.

carol coordinates the programme; alice is a mentee in it; dave coordinates
another programme; hana is HR; sam is staff."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from circles.models import Circle, Post
from engagement.health import Framework, PairFacts, Status, assess
from matching.models import Match, MatchingSettings, PairRule
from outcomes import cohorts
from outcomes.catalogue import CUSTOM_QUESTION, NPS, MeasureValue
from outcomes.cohorts import CARRY, CohortError, cohort_chain, cohort_lessons, cohort_line, cohort_run_again
from outcomes.measures import SELECTORS
from outcomes.models import AssessmentStatement, CohortFigure, CompletionCriteria, Objective
from people.tests.factories import UserFactory
from programmes.forms import RunAgainForm
from programmes.models import MeetingGuide, Participant, Programme
from programmes.tests.factories import make_programme
from sessions_log.models import ActionItem, Resource, ResourceTag, SharedResource
from surveys.models import ProgrammeFeedback, PulseResponse

pytestmark = pytest.mark.django_db

MARKER = "PRIVATE-KEEP-TEXT-7f3a"


# -- building blocks ---------------------------------------------------------------------


def make_pairs(programme: Programme, count: int, *, created_days_ago: int = 120) -> list[Match]:
    """`count` pairs of new people, made `created_days_ago` days ago, in bulk."""
    User = UserFactory._meta.model
    start = User.objects.count()
    users = User.objects.bulk_create(
        UserFactory.build(email=f"p{programme.pk}-{start + i}@example.org", full_name=f"Person {start + i}")
        for i in range(2 * count)
    )
    people = Participant.objects.bulk_create(
        Participant(programme=programme, user=user, role="mentee" if i % 2 == 0 else "mentor", status="approved")
        for i, user in enumerate(users)
    )
    created = timezone.now() - timedelta(days=created_days_ago)
    return Match.objects.bulk_create(
        Match(programme=programme, mentee=people[i], mentor=people[i + 1], created_at=created)
        for i in range(0, 2 * count, 2)
    )


def feedback(programme: Programme, pairs: list[Match], *, keep: int, change: int, scores=()) -> None:
    """Closing feedback by each pair's mentee: the first `keep` say what to keep, the first `change` what to change."""
    ProgrammeFeedback.objects.bulk_create(
        ProgrammeFeedback(
            programme=programme, participant_id=pair.mentee_id, stage="close", overall=4, matching=4, support=4,
            would_recommend=True, recommend_score=scores[i] if i < len(scores) else None,
            keep=f"{MARKER} the meetings" if i < keep else "  ", change="More time" if i < change else "",
        )
        for i, pair in enumerate(pairs)
    )  # fmt: skip


def nps_selector(programmes, *, objective=None, today=None) -> MeasureValue:
    """A stand-in for the measures helper's NPS selector: one query, hidden under 5 answers."""
    row = ProgrammeFeedback.objects.filter(
        programme__in=programmes, stage="close", recommend_score__isnull=False
    ).aggregate(
        n=Count("pk"), promoters=Count("pk", filter=Q(recommend_score__gte=9)),
        detractors=Count("pk", filter=Q(recommend_score__lte=6)),
    )  # fmt: skip
    if row["n"] == 0:
        return MeasureValue(value=None, n=0)
    if row["n"] < 5:
        return MeasureValue(value=None, n=row["n"], hidden=True)
    return MeasureValue(value=100 * (row["promoters"] - row["detractors"]) / row["n"], n=row["n"])


@pytest.fixture
def nps(monkeypatch):
    monkeypatch.setitem(SELECTORS, NPS, nps_selector)


@pytest.fixture
def source(carol):
    """A reverse programme with something in every part "Run it again" may carry."""
    programme = make_programme(
        carol, kind="reverse", cadence="monthly", meeting_minutes=90, goals_expected=3, goals_due_by_meeting=3,
        matching_mode="both", demographics_use="prefer_difference", default_mentor_capacity=2,
        asked_profile_fields=["department", "seniority"], rolling_enrolment=True,
        questions=["What do you hope to learn?", "What will you bring?"], status="running", cohort="Spring 2026",
    )  # fmt: skip
    Objective.objects.create(programme=programme, measure=NPS, target=Decimal(30), position=0)
    Objective.objects.create(
        programme=programme, measure=CUSTOM_QUESTION, target=Decimal("4.2"), question="Do you listen better?",
        position=1,
    )  # fmt: skip
    AssessmentStatement.objects.create(programme=programme, text="I give feedback to leaders", position=0)
    CompletionCriteria.objects.create(programme=programme, meetings_held=6, goals_reviewed=False)
    MatchingSettings.objects.create(programme=programme, weights={"goals": 3.0}, max_choices=5, request_days=9)
    MeetingGuide.objects.create(programme=programme, kind="first", prompts=["Who are you?"])
    theme = ResourceTag.objects.create(name="Listening")
    book = Resource.objects.create(programme=programme, title="Radical Candor", kind="book", added_by=carol)
    book.tags.set([theme])
    Resource.objects.create(programme=programme, title="A talk", url="https://example.org/talk", added_by=carol)
    Circle.objects.create(programme=programme, audience="mentors")
    mentees = Circle.objects.create(programme=programme, audience="mentees", is_open=True, opened_by=carol)
    Post.objects.create(circle=mentees, author=carol, title="Welcome", body="Hello all")
    [pair] = make_pairs(programme, 1)
    PairRule.objects.create(programme=programme, mentee=pair.mentee, mentor=pair.mentor, kind="forbid")
    SharedResource.objects.create(match=pair, resource=book, note="Read chapter 2")
    return programme


def observe(item: str, programme: Programme):
    """What a programme holds of one item that "Run it again" may carry."""
    if item == "objectives":
        return (
            list(programme.objectives.values_list("measure", "target", "question", "position")),
            list(programme.assessment_statements.values_list("text", flat=True)),
            list(CompletionCriteria.objects.filter(programme=programme).values_list(
                "meetings_held", "goals_reviewed", "closing_survey")),
        )  # fmt: skip
    if item == "framework":
        return (
            programme.cadence, programme.meeting_minutes, programme.goals_expected, programme.goals_due_by_meeting,
            programme.rolling_enrolment, list(programme.meeting_guides.values_list("kind", "prompts")),
        )  # fmt: skip
    if item == "matching":
        return (
            programme.matching_mode, programme.demographics_use, programme.default_mentor_capacity,
            list(MatchingSettings.objects.filter(programme=programme).values_list("weights", "max_choices",
                                                                                  "request_days")),
        )  # fmt: skip
    if item == "application":
        return programme.asked_profile_fields, list(programme.questions.values_list("text", flat=True))
    if item == "library":
        return sorted(
            (resource.title, resource.kind, resource.url, [tag.name for tag in resource.tags.all()])
            for resource in programme.resources.prefetch_related("tags")
        )
    if item == "circle":
        return sorted(programme.circles.values_list("audience", "is_open"))
    raise AssertionError(item)


# What a new cohort holds of an item that was not carried: a new reverse programme's defaults, or nothing.
NOT_CARRIED = {
    "objectives": ([], [], []),
    "framework": ("fortnightly", 60, 2, 2, False, []),
    "matching": ("coordinator", "ignore", 1, []),
    "application": (
        ["department", "job_title", "seniority", "skills", "topics", "languages", "meeting_format", "bio"],
        [],
    ),
    "library": [],
    "circle": [],
}


# -- run it again -----------------------------------------------------------------------


@pytest.mark.parametrize("item", list(CARRY))
def test_carrying_over_only_one_item_copies_it_and_nothing_else(source, carol, item):
    new = cohort_run_again(programme=source, by=carol, cohort="Autumn 2026", carry=[item])

    new.refresh_from_db()
    assert observe(item, new) == observe(item, source)
    for other in set(CARRY) - {item}:
        assert observe(other, new) == NOT_CARRIED[other], f"{other} was not chosen"


@pytest.mark.parametrize("item", list(CARRY))
def test_leaving_one_item_unticked_copies_everything_else(source, carol, item):
    new = cohort_run_again(programme=source, by=carol, cohort="Autumn 2026", carry=set(CARRY) - {item})

    new.refresh_from_db()
    assert observe(item, new) == NOT_CARRIED[item]
    for other in set(CARRY) - {item}:
        assert observe(other, new) == observe(other, source), f"{other} was chosen"


def test_the_new_cohort_is_a_linked_draft_with_the_same_name_purpose_and_coordinators(source, carol, bob):
    source.coordinators.create(user=bob)

    new = cohort_run_again(programme=source, by=carol, cohort="  Autumn 2026 ", carry=CARRY)

    assert (new.status, new.cohort, new.previous_cohort, new.name, new.kind, new.purpose) == (
        "draft", "Autumn 2026", source, source.name, "reverse", source.purpose,
    )  # fmt: skip
    assert set(new.coordinators.values_list("user", flat=True)) == {carol.pk, bob.pk}
    assert (new.starts_on, new.ends_on) == (None, None)


def test_people_pairs_rules_shared_resources_and_posts_never_carry_over(source, carol):
    new = cohort_run_again(programme=source, by=carol, cohort="Autumn 2026", carry=CARRY)

    assert not Participant.objects.filter(programme=new).exists()
    assert not Match.objects.filter(programme=new).exists()
    assert not PairRule.objects.filter(programme=new).exists()
    assert not SharedResource.objects.filter(resource__programme=new).exists()
    assert not Post.objects.filter(circle__programme=new).exists()
    # the old cohort keeps its own
    assert Post.objects.filter(circle__programme=source).count() == 1
    assert SharedResource.objects.filter(resource__programme=source).count() == 1


def test_running_again_is_audited_with_what_was_carried(source, carol):
    new = cohort_run_again(programme=source, by=carol, cohort="Autumn 2026", carry=["library", "objectives"])

    event = AuditEvent.objects.get(action=AuditEvent.Action.PROGRAMME_RUN_AGAIN)
    assert (event.actor, event.target_type, event.target_id) == (carol, "programmes.programme", new.pk)
    assert event.detail == {"previous_cohort": source.pk, "carried": ["objectives", "library"]}


@pytest.mark.parametrize(
    ("cohort", "carry", "message"),
    [
        ("   ", ["objectives"], "Name the new cohort"),
        ("x" * 61, ["objectives"], "at most 60 characters"),
        ("Autumn", ["objectives", "pairs"], "Nothing called pairs can be carried over"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(source, carol, cohort, carry, message):
    before = (Programme.objects.count(), Objective.objects.count(), Resource.objects.count())

    with pytest.raises(CohortError if "pairs" in carry else Exception, match=message):
        cohort_run_again(programme=source, by=carol, cohort=cohort, carry=carry)

    assert (Programme.objects.count(), Objective.objects.count(), Resource.objects.count()) == before
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PROGRAMME_RUN_AGAIN).exists()


def test_only_the_programmes_coordinators_may_run_it_again(source, alice):
    with pytest.raises(CohortError, match="Only the programme's coordinators"):
        cohort_run_again(programme=source, by=alice, cohort="Autumn 2026", carry=CARRY)
    assert not Programme.objects.filter(previous_cohort=source).exists()


def test_the_forms_choices_are_the_services_and_all_but_the_circle_start_ticked():
    form = RunAgainForm()

    assert list(RunAgainForm.CARRY_FIELDS) == list(CARRY)
    assert {name: form.fields[name].initial for name in RunAgainForm.CARRY_FIELDS} == CARRY


# -- the page -------------------------------------------------------------------------------


def test_the_coordinator_chooses_on_one_form_and_lands_on_the_new_cohort(client, source, carol):
    client.force_login(carol)
    url = reverse("cohorts:run_again", args=[source.pk])

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="circle"' in html and 'id="id_circle" aria-describedby="id_circle_help">' in html  # unticked
    assert 'id="id_library" aria-describedby="id_library_help" checked>' in html
    assert "2 resources" in html and "2 objectives, 1 self-assessment statement, completion criteria" in html

    response = client.post(url, {"cohort": "Autumn 2026", "objectives": "on", "library": "on"})

    new = Programme.objects.get(previous_cohort=source)
    assert response.status_code == 302 and response.url == new.get_absolute_url()
    assert observe("library", new) == observe("library", source)
    assert observe("application", new) == NOT_CARRIED["application"]


def test_a_form_without_a_name_says_so_and_creates_nothing(client, source, carol):
    client.force_login(carol)

    response = client.post(reverse("cohorts:run_again", args=[source.pk]), {"cohort": "", "library": "on"})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Programme.objects.filter(previous_cohort=source).exists()


@pytest.mark.parametrize("who", ["alice", "dave", "hana", "anonymous"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_nobody_but_its_coordinators_finds_the_form(client, source, alice, hana, who, method):
    Participant.objects.create(programme=source, user=alice, role="mentee", status="approved")
    dave = UserFactory(email="dave@example.org", is_coordinator=True)
    make_programme(dave, name="Other")
    person = {"alice": alice, "dave": dave, "hana": hana}.get(who)
    if person:
        client.force_login(person)

    response = getattr(client, method)(reverse("cohorts:run_again", args=[source.pk]), {"cohort": "Sneaky"})

    assert response.status_code == (302 if who == "anonymous" else 404)
    if who == "anonymous":
        assert "/accounts/login/" in response.url
    assert not Programme.objects.filter(previous_cohort=source).exists()


def test_the_manage_page_links_to_the_form(client, source, carol):
    client.force_login(carol)

    html = client.get(source.get_absolute_url()).content.decode()

    assert reverse("cohorts:run_again", args=[source.pk]) in html


# -- the line of cohorts ---------------------------------------------------------------------


def line_of(carol, length: int) -> list[Programme]:
    """`length` cohorts, each run again from the one before, oldest first."""
    first = make_programme(carol, cohort="Cohort 1", status="closed")
    Objective.objects.create(programme=first, measure=NPS, target=Decimal(30))
    line = [first]
    for number in range(2, length + 1):
        line.append(cohort_run_again(programme=line[-1], by=carol, cohort=f"Cohort {number}", carry=CARRY))
    return line


def test_the_line_is_read_oldest_first_in_one_query(carol, django_assert_num_queries):
    line = line_of(carol, 4)

    with django_assert_num_queries(1):
        chain = cohort_chain(line[-1])

    assert [cohort.cohort for cohort in chain] == ["Cohort 1", "Cohort 2", "Cohort 3", "Cohort 4"]
    assert [cohort.cohort for cohort in cohort_chain(line[1])] == ["Cohort 1", "Cohort 2"]


def test_a_line_looped_in_the_admin_is_walked_once(carol):
    first, second = line_of(carol, 2)
    Programme.objects.filter(pk=first.pk).update(previous_cohort=second)

    assert [cohort.pk for cohort in cohort_chain(second)] == [first.pk, second.pk]


def test_each_cohorts_figure_is_recorded_when_a_later_cohort_starts(carol, nps):
    first = make_programme(carol, cohort="Cohort 1", status="closed")
    Objective.objects.create(programme=first, measure=NPS, target=Decimal(30))
    feedback(first, make_pairs(first, 6), keep=0, change=0, scores=[10, 10, 10, 9, 7, 3])

    cohort_run_again(programme=first, by=carol, cohort="Cohort 2", carry=CARRY)

    figure = CohortFigure.objects.get(programme=first)
    assert (figure.measure, figure.target, figure.value, figure.n, figure.hidden) == (NPS, 30, 50.0, 6, False)


def test_a_hidden_figure_is_recorded_without_its_value(carol, nps):
    first = make_programme(carol, cohort="Cohort 1", status="closed")
    Objective.objects.create(programme=first, measure=NPS, target=Decimal(30))
    feedback(first, make_pairs(first, 4), keep=0, change=0, scores=[10, 10, 10, 10])

    cohort_run_again(programme=first, by=carol, cohort="Cohort 2", carry=CARRY)

    figure = CohortFigure.objects.get(programme=first)
    assert (figure.value, figure.n, figure.hidden) == (None, 0, True)


def test_the_chart_shows_each_objective_per_cohort_with_older_cohorts_as_recorded(carol, nps):
    first = make_programme(carol, cohort="Cohort 1", status="closed")
    Objective.objects.create(programme=first, measure=NPS, target=Decimal(30))
    feedback(first, make_pairs(first, 5), keep=0, change=0, scores=[10, 10, 9, 8, 2])  # NPS 40
    second = cohort_run_again(programme=first, by=carol, cohort="Cohort 2", carry=CARRY)
    feedback(second, make_pairs(second, 3), keep=0, change=0, scores=[10, 10, 10])  # hidden: 3 answers
    third = cohort_run_again(programme=second, by=carol, cohort="Cohort 3", carry=CARRY)
    Objective.objects.filter(programme=third).update(target=Decimal(40))
    ProgrammeFeedback.objects.filter(programme=first).update(recommend_score=0)  # after it was recorded

    line = cohort_line(third)

    [series] = line.series
    assert [cohort.cohort for cohort in line.cohorts] == ["Cohort 1", "Cohort 2", "Cohort 3"]
    assert series.target == 40.0
    assert [(p.value, p.hidden, p.measured) for p in series.points] == [
        (40.0, False, True),  # as recorded when cohort 2 started, not the later change
        (None, True, True),
        (None, False, True),  # nothing measured yet
    ]
    svg = str(series.svg)
    assert svg.startswith('<svg class="chart"') and "+40" in svg and "hidden" in svg and "target" in svg


# -- what the last cohort taught us ------------------------------------------------------------


def test_the_lessons_count_keep_and_change_and_hide_counts_under_five(carol, nps):
    previous = make_programme(carol, cohort="Cohort 1", status="closed")
    Objective.objects.create(programme=previous, measure=NPS, target=Decimal(30))
    feedback(previous, make_pairs(previous, 9), keep=6, change=3, scores=[10, 10, 10, 10, 9, 9, 8, 5, 6])
    new = cohort_run_again(programme=previous, by=carol, cohort="Cohort 2", carry=CARRY)

    lessons = cohort_lessons(new)

    assert (lessons.previous, lessons.answers, lessons.keep, lessons.change) == (previous, 9, 6, None)
    [result] = lessons.objectives
    assert (result.current.value, result.status) == (pytest.approx(100 * (6 - 2) / 9), "met")


def test_the_three_weakest_health_reasons_are_the_most_frequent_of_five_or_more_pairs(carol):
    previous = make_programme(carol, cohort="Cohort 1", status="closed", cadence="fortnightly")
    pairs = make_pairs(previous, 12, created_days_ago=120)  # no meeting in 120 days: 12 pairs
    overdue = timezone.localdate() - timedelta(days=10)
    for pair in pairs[:7]:  # 7 pairs with two actions past their date
        for description in ("Read", "Write"):
            ActionItem.objects.create(match=pair, description=description, due_on=overdue, owner=pair.mentee)
    for pair in pairs[:3]:  # 3 pairs rated their latest check-in 1 of 5: too few to be named
        PulseResponse.objects.create(
            match=pair, author=pair.mentee.user, due_on=overdue, rating=1, meeting_as_planned=False
        )
    new = cohort_run_again(programme=previous, by=carol, cohort="Cohort 2", carry=CARRY)

    lessons = cohort_lessons(new)

    assert lessons.pairs == 12
    assert [(reason.key, reason.pairs) for reason in lessons.reasons] == [
        ("meeting_gap", 12), ("few_meetings", 12), ("actions_overdue", 7),
    ]  # fmt: skip


def test_every_weakness_the_health_rules_give_has_a_kind():
    framework = Framework(cadence_days=14, goals_expected=2, goals_due_by_meeting=2)
    today = timezone.localdate()
    started = today - timedelta(days=100)
    facts = PairFacts(
        created_on=started, held=2, last_held_on=today - timedelta(days=40), recapped=0, goals=0,
        overdue_actions=3, ratings=3, average_rating=2.0, latest_pulse=1,
    )  # fmt: skip
    health = assess(facts, framework, today)
    never_met = assess(PairFacts(created_on=started), framework, today)

    assert health.status == Status.STALLED
    kinds = [cohorts.reason_kind(reason) for reason in [*health.reasons, *never_met.reasons]]
    assert None not in kinds
    assert {key for key, _label in kinds} == {key for key, _label, _pattern in cohorts.REASON_KINDS}


def test_a_first_cohort_has_no_lessons_and_no_line(carol):
    programme = make_programme(carol)

    assert cohort_lessons(programme) is None
    assert cohort_line(programme) is None


# -- the programme page ----------------------------------------------------------------------


def test_the_next_cohorts_page_shows_the_lessons_and_the_chart_but_no_text_anyone_wrote(client, carol, nps):
    previous = make_programme(carol, cohort="Cohort 1", status="closed")
    Objective.objects.create(programme=previous, measure=NPS, target=Decimal(30))
    feedback(previous, make_pairs(previous, 6), keep=5, change=6, scores=[10, 10, 10, 9, 7, 3])
    new = cohort_run_again(programme=previous, by=carol, cohort="Cohort 2", carry=CARRY)
    client.force_login(carol)

    html = client.get(new.get_absolute_url()).content.decode()

    assert "What the last cohort taught us" in html and "Cohort over cohort" in html
    assert "+50" in html and "+30" in html  # NPS 50 against its target 30
    assert "5 answers said something to keep" in html and "6 answers said something to change" in html
    assert MARKER not in html and "More time" not in html
    assert '<svg class="chart"' in html


def test_a_first_cohorts_page_has_no_panel(client, carol):
    programme = make_programme(carol)
    client.force_login(carol)

    html = client.get(programme.get_absolute_url()).content.decode()

    assert "What the last cohort taught us" not in html


def test_the_page_costs_the_same_queries_whatever_the_lines_length(client, carol, nps, django_assert_num_queries):
    short, long = line_of(carol, 2), line_of(carol, 6)
    for line in (short, long):
        for cohort in line:
            feedback(cohort, make_pairs(cohort, 5), keep=5, change=5, scores=[10, 9, 8, 7, 1])
    client.force_login(carol)

    client.get(short[-1].get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        assert client.get(short[-1].get_absolute_url()).status_code == 200
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(long[-1].get_absolute_url())

    assert response.content.decode().count("<svg") == 1  # one objective: one chart, all six cohorts on it
    assert "Cohort 6" in response.content.decode()


def test_participants_of_the_next_cohort_do_not_see_the_panel(client, carol, alice, nps):
    previous = make_programme(carol, cohort="Cohort 1", status="closed")
    Objective.objects.create(programme=previous, measure=NPS, target=Decimal(30))
    feedback(previous, make_pairs(previous, 6), keep=5, change=6, scores=[10, 10, 10, 9, 7, 3])
    new = cohort_run_again(programme=previous, by=carol, cohort="Cohort 2", carry=CARRY)
    Programme.objects.filter(pk=new.pk).update(status="open")
    Participant.objects.create(programme=new, user=alice, role="mentee", status="approved")
    client.force_login(alice)

    html = client.get(new.get_absolute_url()).content.decode()

    assert "What the last cohort taught us" not in html and "Cohort over cohort" not in html
