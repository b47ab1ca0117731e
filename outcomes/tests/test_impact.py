"""The impact report: its figures (checked exactly on a programme built by hand),
k >= 5 in every cell with complementary suppression where cells add up, who may
open it, a fixed query count at two sizes, no private text anywhere, and HR's
all-programmes view and its choice to attach the PDFs to the monthly mail."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import Match
from matching.tests.factories import enrol, make_person
from outcomes import catalogue, impact, measures, themes
from outcomes.tests.impact_world import MARKER, build
from programmes.tests.factories import make_programme
from reports.disclosure import MIN_GROUP
from reports.models import ExportAudit, ReportScope, ReportSubscription
from reports.tasks import send_monthly_reports

pytestmark = pytest.mark.django_db


def goal_selector(programmes, *, objective=None, today=None):
    return catalogue.MeasureValue(value=72.0, n=12)


def retention_selector(programmes, *, objective=None, today=None):
    comparison = catalogue.MeasureValue(value=85.0, n=120, interval=(78.0, 90.0))
    return catalogue.MeasureValue(value=92.0, n=40, interval=(84.0, 96.0), comparison=comparison)


@pytest.fixture
def selectors(monkeypatch):
    monkeypatch.setitem(measures.SELECTORS, catalogue.GOAL_ACHIEVED, goal_selector)
    monkeypatch.setitem(measures.SELECTORS, catalogue.RETENTION_12M, retention_selector)


def shown(cell) -> bool:
    return not cell.hidden


# -- the figures, exactly ----------------------------------------------------------------------------------------


def test_the_figures_of_a_programme_built_by_hand(carol, selectors):
    world = build(carol, pairs=6, keep_text="Keep the monthly meetings", change_text="Better matching please")
    report = impact.build_report(world.programme)

    goal, nps = report.objectives
    assert (goal.current.value, goal.status) == (72.0, "met")
    assert (nps.current.value, nps.status) == (100.0, "met")  # every closing answer scores 9: all promoters
    skills = {row.group: row for row in report.skills}
    assert (skills["skill"].start.value, skills["skill"].end.value, skills["skill"].people.value) == (2.0, 4.0, 12)
    assert (skills["statement"].start.value, skills["statement"].end.value, skills["statement"].change) == (3, 4, 1)
    assert [(point.label, point.average.value, point.people.value) for point in report.quality] == [
        ("Apr 2026", 3.5, 12), ("Jun 2026", 4.5, 12),
    ]  # fmt: skip
    rows = {row.key: row for row in report.themes}
    assert rows["meetings"].keep.value == 12 and rows["matching"].change.value == 12
    assert rows["goals"].keep.value == 0 and rows["other"].keep.value == 0
    assert report.keep_people.value == report.change_people.value == 12
    assert report.retention.participants.value == 92.0 and report.retention.comparison.value == 85.0
    assert report.commitments.made.value == 6 and report.commitments.people.value == 6


def test_the_exit_survey_and_why_pairs_ended(carol):
    world = build(carol, pairs=6, ended=6)
    report = impact.build_report(world.programme)
    assert report.exits.people.value == 12
    assert report.exits.goals_reached.value == 50  # every other answer reached its goals
    assert report.exits.would_recommend.value == 100
    reasons = {row.key: row.pairs for row in report.reasons}
    assert reasons["goals_met"].value == 6 and report.pairs_ended.value == 6
    assert all(cell.value == 0 for key, cell in reasons.items() if key != "goals_met")


def test_themes_are_counted_by_the_database_as_classify_reads_them():
    assert themes.classify("More time to meet, and better matching") == {"meetings", "matching"}
    assert themes.classify("Everything was great") == {"other"}
    assert themes.classify("   ") == set()


def test_theme_counting_in_the_database_agrees_with_classify(carol):
    world = build(carol, pairs=5, keep_text="The workshop on goals", change_text="nothing at all")
    rows = {row.key: row for row in impact.build_report(world.programme).themes}
    expected = themes.classify(f"The workshop on goals {MARKER}")
    assert {key for key, row in rows.items() if row.keep.value} == expected == {"resources", "goals"}
    assert {key for key, row in rows.items() if row.change.value} == themes.classify(f"nothing at all {MARKER}")


# -- k >= 5 -----------------------------------------------------------------------------------------------------


def test_a_small_programme_hides_every_figure_resting_on_fewer_than_five(carol, selectors):
    world = build(carol, pairs=2, ended=2, kept=1, keep_text="meetings")  # 4 people, 2 pairs
    report = impact.build_report(world.programme)
    cells = [cell for row in report.skills for cell in (row.start, row.end, row.people)]
    cells += [cell for point in report.quality for cell in (point.average, point.people)]
    cells += [report.exits.people, report.exits.goals_reached, report.exits.would_recommend, report.pairs_ended]
    cells += [row.keep for row in report.themes if row.keep.value] + [report.keep_people]
    c = report.commitments
    cells += [c.made, c.people, c.followed_up, c.kept, c.not_yet]
    assert cells and all(cell.hidden for cell in cells)


def _walk(report):
    """Every count cell of the report with the people or pairs it rests on."""
    cells = [cell for row in report.skills for cell in (row.start, row.end, row.people)]
    cells += [cell for point in report.quality for cell in (point.average, point.people)]
    cells += [cell for row in report.themes for cell in (row.keep, row.change)]
    cells += [report.keep_people, report.change_people, report.exits.people, report.exits.goals_reached,
              report.exits.would_recommend, report.pairs_ended, *[row.pairs for row in report.reasons]]  # fmt: skip
    c = report.commitments
    return [*cells, c.made, c.people, c.followed_up, c.kept, c.partly, c.not_yet]


@pytest.mark.parametrize("pairs, ended, kept", [(3, 2, 2), (5, 5, 3), (7, 6, 5), (9, 1, 8)])
def test_no_cell_shown_rests_on_one_to_four(carol, pairs, ended, kept):
    world = build(carol, pairs=pairs, ended=ended, kept=kept, keep_text="matching", change_text="time")
    report = impact.build_report(world.programme)
    for cell in _walk(report):
        if shown(cell) and cell.value is not None:
            assert cell.support == 0 or cell.support >= MIN_GROUP, cell


def test_a_hidden_reason_cannot_be_worked_out_from_the_total(carol):
    world = build(carol, pairs=7, ended=7)
    Match.objects.filter(pk__in=[m.pk for m in world.matches[:2]]).update(end_reason=Match.EndReason.NO_TIME)
    report = impact.build_report(world.programme)
    reasons = {row.key: row.pairs for row in report.reasons}
    assert reasons["no_time"].hidden  # 2 pairs
    # 5 goals met + 2 hidden = 7: were both the 5 and the 7 shown, the 2 would follow.
    assert reasons["goals_met"].hidden or report.pairs_ended.hidden


def test_a_hidden_kept_count_cannot_be_worked_out_from_the_follow_ups(carol):
    world = build(carol, pairs=8, kept=6)  # 6 kept, 2 not yet (hidden)
    c = impact.build_report(world.programme).commitments
    assert c.not_yet.hidden and shown(c.partly) and c.partly.value == 0
    assert c.kept.hidden or c.followed_up.hidden


# -- the page: who, what, how many queries -------------------------------------------------------------------------


def url(world) -> str:
    return reverse("outcomes_impact:programme", args=[world.programme.pk])


def test_the_page_shows_objectives_charts_retention_and_the_association_sentence(client, carol, selectors):
    world = build(carol, pairs=6, keep_text="meetings")
    client.force_login(carol)
    page = client.get(url(world))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Grow leaders who stay with us." in html
    assert "72%" in html and "Target met" in html and "+100" in html  # NPS: every closing answer scores 9
    assert "95% interval 84% to 96%" in html and "95% interval 78% to 90%" in html
    assert impact.ASSOCIATION in html
    assert html.count('<svg class="chart"') == 3
    assert reverse("outcomes_impact:programme_pdf", args=[world.programme.pk]) in html


def test_who_may_open_the_impact_report(client, carol, alice, hana, sam):
    world = build(carol, pairs=5)
    olga = make_person("Olga Other", is_coordinator=True)
    other = make_programme(olga, status="running", name="Other")
    enrol(world.programme, alice, "mentee")
    expected = {None: 302, carol: 200, sam: 200, hana: 200, alice: 404, olga: 404,
                world.mentees[0].user: 404, world.mentors[0].user: 404}  # fmt: skip
    for user, status in expected.items():
        client.logout()
        if user:
            client.force_login(user)
        for name in ("outcomes_impact:programme", "outcomes_impact:programme_pdf"):
            response = client.get(reverse(name, args=[world.programme.pk]))
            assert response.status_code == status, (user, name)
    # HR scoped to another programme does not see this one, and does not see it in the list either.
    ReportScope.objects.create(user=hana, programme=other)
    client.force_login(hana)
    assert client.get(url(world)).status_code == 404
    assert "Leaders" not in client.get(reverse("outcomes_impact:all")).content.decode()
    for user in (carol, alice, olga):  # the all-programmes view is HR's
        client.force_login(user)
        assert client.get(reverse("outcomes_impact:all")).status_code == 404


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


def test_the_page_costs_the_same_queries_at_two_sizes(client, carol, hana, selectors):
    small, large = build(carol, pairs=5, ended=3, kept=2), build(carol, pairs=30, ended=12, kept=20, name="Big")
    for user in (carol, hana):
        client.force_login(user)
        assert _queries(client, url(small)) == _queries(client, url(large))


def test_hrs_view_costs_the_same_queries_at_two_sizes(client, carol, hana, selectors, monkeypatch):
    from outcomes import views_impact

    monkeypatch.setattr(views_impact, "PROGRAMMES_PER_PAGE", 2)
    build(carol, pairs=5, ended=3, kept=2, name="Small one"), build(carol, pairs=5, ended=1, kept=0, name="Small two")
    client.force_login(hana)
    small = _queries(client, reverse("outcomes_impact:all"))
    # Two larger programmes, first by name: the page now shows them.
    build(carol, pairs=30, ended=12, kept=20, name="Big one"), build(carol, pairs=25, ended=5, kept=9, name="Big two")
    page = client.get(reverse("outcomes_impact:all")).content.decode()
    assert "Big one" in page and "Small one" not in page  # names no random token can hold
    assert _queries(client, reverse("outcomes_impact:all")) == small


def test_hr_sees_why_pairs_ended_as_the_reports_show_it(client, carol, hana):
    """The reports page filtered on the programme and the impact report show the same cells,
    hidden alike: read together, they give nothing away that either hides."""
    from reports import figures

    world = build(carol, pairs=9, ended=9)
    Match.objects.filter(pk__in=[m.pk for m in world.matches[:2]]).update(end_reason=Match.EndReason.NO_TIME)
    Match.objects.filter(pk__in=[m.pk for m in world.matches[2:4]]).update(end_reason=Match.EndReason.OTHER)
    mine = impact.build_report(world.programme, viewer=hana)
    theirs = figures.build_report(hana, figures.ReportFilter(programme_ids=(world.programme.pk,))).tables["reasons"]
    assert [(row.label, row.pairs.value, bool(row.pairs.hidden)) for row in mine.reasons] == [
        (row.label, row.cells["n"].value, bool(row.cells["n"].hidden)) for row in theirs.rows if not row.total
    ]
    assert (mine.pairs_ended.value, bool(mine.pairs_ended.hidden)) == (
        theirs.total.cells["n"].value,
        bool(theirs.total.cells["n"].hidden),
    )
    assert {row.key for row in mine.reasons if row.pairs.hidden} >= {"no_time", "other"}
    # A coordinator (no reports) gets the impact report's own protection: the two small reasons
    # hidden, 9 - 5 = 4 shared between them, neither pinned (each 1 to 3).
    coordinator_view = impact.build_report(world.programme, viewer=carol)
    assert {row.key for row in coordinator_view.reasons if row.pairs.hidden} == {"no_time", "other"}


def test_no_private_text_reaches_the_page_the_pdf_or_the_mail(client, carol, hana, selectors):
    world = build(carol, pairs=6, ended=3, kept=4, keep_text="meetings", change_text="goals")
    for user in (carol, hana):
        client.force_login(user)
        for path in (url(world), reverse("outcomes_impact:all")):
            assert MARKER not in client.get(path).content.decode()
    pdf = client.get(reverse("outcomes_impact:programme_pdf", args=[world.programme.pk]))
    assert MARKER.encode() not in pdf.content
    from outcomes.tests.test_pdf import pdf_text

    assert MARKER not in pdf_text(pdf.content)
    ReportSubscription.objects.create(user=hana, attach_impact=True)
    with time_machine.travel(datetime(2026, 12, 1, 7, 30, tzinfo=UTC), tick=False), committed():
        send_monthly_reports.delay()
    [message] = mail.outbox
    assert MARKER not in message.body and all(MARKER not in pdf_text(c) for _n, c, m in message.attachments
                                              if m == "application/pdf")  # fmt: skip


def committed():
    return TestCase.captureOnCommitCallbacks(execute=True)


def test_the_monthly_mail_attaches_the_impact_pdfs_when_asked(client, carol, hana, selectors):
    world = build(carol, pairs=5)
    make_programme(carol, status="draft", name="Not started")  # a draft has no impact yet
    client.force_login(hana)
    client.post(reverse("reports:subscription"), {"subscribe": "1"})
    with time_machine.travel(datetime(2026, 7, 1, 7, 30, tzinfo=UTC), tick=False), committed():
        send_monthly_reports.delay()
    assert [name for name, _c, _m in mail.outbox[0].attachments] == ["mentoring-report-2026-06.xlsx"]

    response = client.post(reverse("outcomes_impact:monthly_attachment"), {"attach": "1"})
    assert response.status_code == 302 and ReportSubscription.objects.get(user=hana).attach_impact
    with time_machine.travel(datetime(2026, 8, 1, 7, 30, tzinfo=UTC), tick=False), committed():
        send_monthly_reports.delay()
    names = [(name, mimetype) for name, _c, mimetype in mail.outbox[1].attachments]
    assert names == [("mentoring-report-2026-07.xlsx", names[0][1]),
                     (f"impact-{world.programme.pk}-2026-07.pdf", "application/pdf")]  # fmt: skip
    from outcomes.tests.test_pdf import pdf_text

    assert "72%" in pdf_text(mail.outbox[1].attachments[1][1])
    assert "attached too, as a PDF" in mail.outbox[1].body and "as a PDF" not in mail.outbox[0].body


def test_the_attachment_choice_needs_a_subscription_and_changes_nothing_without_one(client, hana, carol):
    client.force_login(hana)
    response = client.post(reverse("outcomes_impact:monthly_attachment"), {"attach": "1"}, follow=True)
    assert "Ask for the monthly report first" in response.content.decode()
    assert not ReportSubscription.objects.exists()
    client.force_login(carol)
    assert client.post(reverse("outcomes_impact:monthly_attachment"), {"attach": "1"}).status_code == 404


def test_downloading_the_pdf_is_logged_as_an_export(client, hana, carol):
    world = build(carol, pairs=5)
    client.force_login(hana)
    response = client.get(reverse("outcomes_impact:programme_pdf", args=[world.programme.pk]))
    assert response["Content-Type"] == "application/pdf"
    log = ExportAudit.objects.get()
    assert (log.user, log.kind, log.file_format, log.filters) == (hana, "impact", "pdf",
                                                                  {"programmes": [world.programme.pk]})  # fmt: skip


def test_an_objectives_trend_shows_beside_it_hidden_points_hidden(client, carol, monkeypatch):
    hidden = catalogue.MeasureValue(value=None, n=0, hidden=True)
    points = [measures.TrendPoint("Spring 2025", None, catalogue.MeasureValue(value=61.0, n=20)),
              measures.TrendPoint("Autumn 2025", None, hidden)]  # fmt: skip
    monkeypatch.setitem(measures.SELECTORS, catalogue.GOAL_ACHIEVED, lambda programmes, **kw: catalogue.MeasureValue(
        value=72.0, n=12, detail={"trend": points}))  # fmt: skip
    world = build(carol, pairs=5)
    client.force_login(carol)
    html = client.get(url(world)).content.decode()
    assert 'Trend: Spring 2025 61% · Autumn 2025 <span class="fst-italic">hidden</span>' in html


def test_a_programme_with_nothing_yet_says_so(client, carol, hana):
    programme = make_programme(carol, status="open", name="Brand new")
    for user in (carol, hana):
        client.force_login(user)
        html = client.get(reverse("outcomes_impact:programme", args=[programme.pk])).content.decode()
        assert "No objectives are set for this programme yet." in html
        assert "No one has rated themselves at both the start and the end yet." in html
        assert "Not measured yet." in html and "None made yet" in html
    assert client.get(reverse("outcomes_impact:programme_pdf", args=[programme.pk])).status_code == 200
