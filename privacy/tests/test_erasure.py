"""person_erase: nothing personal of alice's is left anywhere in the database,
the reports count the same, her pairs end, other people's data stays, and a
second run changes nothing."""

import io
from datetime import date, timedelta

import pytest
import time_machine
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from audit.models import AuditEvent
from matching.models import Match
from people.models import Profile, User
from privacy.models import ErasureRequest
from privacy.services import ERASED_NAME, erased_email, person_erase
from programmes.models import Participant, RosterImport
from reports.figures import COLUMNS, ReportFilter, figure_rows
from sessions_log.models import Feedback, Goal, GoalNote, Meeting, Recap
from surveys.models import PulseResponse

from .conftest import ALICE_TEXT, NOW

ERASED_AT = NOW + timedelta(days=1)
# Figures about the present (who is approved and waiting today, how pairs are
# doing today): an erased person has left, as if they had withdrawn.
PRESENT_TENSE = {"mentors", "mentees", "matched", "unmatched", "stalled"}


def dump() -> str:
    out = io.StringIO()
    # Stored health is a cache judged again as it is read (engagement.stored), not data erased.
    call_command("dumpdata", exclude=["engagement.pairhealth"], stdout=out)
    return out.getvalue()


def erase(alice, by=None):
    with time_machine.travel(ERASED_AT, tick=False):
        return person_erase(user=alice, by=by)


def test_nothing_of_alice_is_left_in_the_database(world, alice, sam):
    LogEntry.objects.create(user=sam, content_type=ContentType.objects.get_for_model(User), object_id=str(alice.pk),
                            object_repr=str(alice), action_flag=ADDITION)  # fmt: skip
    RosterImport.objects.create(programme=world.programme, uploaded_by=sam, filename="roster.csv", rows=[
        {"line": 2, "values": {"name": "Alice Adams", "email": "ALICE@example.org", "role": "mentee"}, "errors": []},
        {"line": 3, "values": {"name": "Gail Green", "email": "gail@example.org", "role": "mentee"}, "errors": []},
    ])  # fmt: skip
    before = dump()
    assert "alice@example.org" in before and "Alice Adams" in before and "ALICE-RECAP-PRIVATE" in before

    erase(alice, by=sam)

    after = dump()
    left = [text for text in ["alice@example.org", "Alice@Example.org", "Alice Adams", *ALICE_TEXT]
            if text.lower() in after.lower()]  # fmt: skip
    assert left == []
    # Other people's words stay, with her name taken out of them.
    assert "BOB-RECAP-PRIVATE" in after and "BOB-FEEDBACK-FOR-COORDINATORS" in after
    assert GoalNote.objects.get(text__startswith="BOB-NOTE").text == f"BOB-NOTE about {ERASED_NAME}"
    assert "gail@example.org" in after and "Bob Brown" in after


def test_the_account_is_anonymous_and_cannot_sign_in(client, world, alice, password):
    client.login(email=alice.email, password=password)
    assert client.get("/my-data/").status_code == 200
    erase(alice)
    alice.refresh_from_db()
    assert alice.full_name == ERASED_NAME
    assert alice.email == erased_email(alice.pk) == f"erased-{alice.pk}@erased.invalid"
    assert not alice.is_active and not alice.has_usable_password()
    assert client.get("/my-data/").status_code == 302  # her session is gone
    assert not client.login(email="alice@example.org", password=password)
    assert not Profile.objects.filter(user=alice).exists()
    assert not alice.emailaddress_set.exists()
    assert Profile.objects.get(user__email="bob@example.org").manager is None


def test_the_reports_count_the_same_before_and_after(world, alice, hana):
    with time_machine.travel(ERASED_AT, tick=False):
        report_filter = ReportFilter(date_to=date(2026, 3, 31))  # the history, up to the erasure
        before = {by: figure_rows(hana, report_filter, by=by) for by in ("programme", "month", "cohort")}
        person_erase(user=alice, by=None)
        after = {by: figure_rows(hana, report_filter, by=by) for by in ("programme", "month", "cohort")}
    for by, rows in before.items():
        assert [row.label for row in after[by]] == [row.label for row in rows]
        for row_before, row_after in zip(rows, after[by], strict=True):
            for key, _label in COLUMNS:
                if key not in PRESENT_TENSE:
                    assert row_after.values.get(key) == row_before.values.get(key), (by, row_before.label, key)
    total = before["programme"][-1].values
    assert (total["meetings_held"], total["recaps"], total["goals_set"], total["goals_achieved"]) == (2, 4, 2, 1)
    # The rows counted are all still there.
    assert Recap.objects.count() == 4 and Meeting.objects.count() == 3 and Feedback.objects.count() == 2
    assert list(Feedback.objects.order_by("rating").values_list("rating", flat=True)) == [2, 4]
    assert Goal.objects.get(objective="(erased)").status == "achieved"
    assert PulseResponse.objects.filter(author=alice, rating=4).exists()


def test_her_pairs_end_and_her_mentee_is_matched_again(world, alice):
    erase(alice)
    world.match.refresh_from_db()
    world.reverse_match.refresh_from_db()
    assert world.match.status == world.reverse_match.status == Match.Status.ENDED
    assert world.match.ended_at == ERASED_AT
    assert world.reverse_match.rematch_requested  # frank, her mentee, waits for a new mentor
    assert not world.match.rematch_requested
    assert set(Participant.objects.filter(user=alice).values_list("status", flat=True)) == {"withdrawn"}
    world.other_match.refresh_from_db()
    assert world.other_match.status == Match.Status.ACTIVE  # nobody else's pair is touched


def test_erasing_twice_is_harmless(world, alice, sam):
    first = erase(alice, by=sam)
    snapshot = dump()
    second = erase(alice, by=sam)
    assert second.pk == first.pk
    assert dump() == snapshot
    assert ErasureRequest.objects.filter(user=alice).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ERASURE_DONE, person=alice).count() == 1


def test_the_erasure_is_logged_without_her_name(world, alice, sam):
    erase(alice, by=sam)
    event = AuditEvent.objects.get(action=AuditEvent.Action.ERASURE_DONE)
    assert (event.actor_id, event.person_id) == (sam.pk, alice.pk)
    assert "Alice" not in event.summary and "alice" not in str(event.detail)


def test_staff_may_not_erase_themselves_by_the_service(sam):
    from privacy.services import PrivacyError

    with pytest.raises(PrivacyError):
        person_erase(user=sam, by=sam)
    sam.refresh_from_db()
    assert sam.is_active


def test_the_hr_sync_no_longer_knows_her_and_brings_nothing_back(world, alice, tmp_path):
    """The HR export may still list her: without her roster entry and her address,
    the sync finds no account for the row and restores nothing."""
    import csv

    from directory.models import RosterEntry
    from directory.sync import roster_sync

    original_email = alice.email
    RosterEntry.objects.create(user=alice, employee_id="E-0042")
    erase(alice)
    assert not RosterEntry.objects.exists()

    path = tmp_path / "hr.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["employee id", "email", "full name", "department", "job title"])
        writer.writerow(["E-0042", original_email, "Alice Adams", "Finance", "Analyst"])
    roster_sync(path=path)

    alice.refresh_from_db()
    assert not alice.is_active and original_email != alice.email
    assert not RosterEntry.objects.exists()
    assert "Alice Adams" not in dump() and original_email not in dump()


# -- issue 13, item 10: mentions in any case, and her login sessions ----------------------


def test_mentions_of_her_in_any_case_are_replaced_in_other_peoples_words(world, alice, bob, sam):
    from circles.models import Reply

    goal = Goal.objects.get(objective="BOB-GOAL")
    note = GoalNote.objects.create(goal=goal, author=bob, text="BOB-NOTE2: ask alice adams, or ALICE@EXAMPLE.ORG.")
    reply = Reply.objects.get(body__startswith="OTHER-REPLY")
    Reply.objects.filter(pk=reply.pk).update(body="OTHER-REPLY to ALICE ADAMS and aLiCe AdAmS")

    erase(alice, by=sam)

    note.refresh_from_db()
    reply.refresh_from_db()
    assert note.text == f"BOB-NOTE2: ask {ERASED_NAME}, or {ERASED_NAME}."
    assert reply.body == f"OTHER-REPLY to {ERASED_NAME} and {ERASED_NAME}"
    after = dump().lower()
    assert "alice adams" not in after and "alice@example.org" not in after


def test_erasure_deletes_her_login_sessions_everywhere_and_keeps_everyone_elses(world, alice, bob):
    from django.contrib.sessions.models import Session
    from django.test import Client

    laptop, phone, bobs = Client(), Client(), Client()
    laptop.force_login(alice)
    phone.force_login(alice)
    bobs.force_login(bob)

    def signed_in() -> list[str]:
        return sorted(session.get_decoded().get("_auth_user_id") for session in Session.objects.all())

    assert signed_in() == sorted([str(alice.pk), str(alice.pk), str(bob.pk)])

    erase(alice)

    assert signed_in() == [str(bob.pk)]
    assert laptop.get("/my-data/").status_code == 302 and phone.get("/my-data/").status_code == 302
    assert bobs.get("/my-data/").status_code == 200
