"""The demo's "getting to know each other" and two-way learning (issue 15, part A):
profile cards worth reading (bios, languages, answers shared with the match),
the traditional programme's mentoring guide edited by its coordinator, and a
goal of Maya's own in her pair with Theo, with what she learned as its note.
Safe to run again: it updates, never duplicates."""

from datetime import timedelta

from django.utils import timezone

from matching.models import Match
from people.models import Profile, User
from programmes.guides import guide_save
from programmes.models import Participant, Programme
from sessions_log.models import Goal, GoalNote, Meeting

BIOS = {
    "mentor@demo.example": "Engineering lead for the payments platform. Twelve years in software, the last five "
    "leading teams. I learned most from mentors who asked better questions than I did; I try to do the same.",
    "mentee@demo.example": "Financial analyst, two years in. I build the monthly forecasts and want to move "
    "towards leading a small team. Outside work: climbing and too many podcasts.",
}
WANTS = {
    "mentor@demo.example": "To get better at coaching rather than telling, and to see how finance sees engineering.",
    "mentee@demo.example": "Confidence to lead my first team, and a plan for the next two years.",
}
REVERSE_ANSWERS = {
    Participant.Role.MENTOR: "How it feels to be new here, and what leaders never hear about it.",
    Participant.Role.MENTEE: "What I miss from where I sit, especially about how decisions land on new joiners.",
}
EDITED_GUIDE = """In this programme, mentors help mentees make and own their decisions: ask more than you tell.

Questions our mentors found useful last cohort:
- What would you like to leave this meeting with?
- What have you tried so far, and what happened?
- What options do you see? What else?
- What is the smallest step you could take this week?
- What would you tell a friend in your place?

Share your own story when it helps, as one option among several, never as the answer.

Close by asking what they take away, and let them name the one or two actions."""
MAYA_GOAL = (
    "Coach by asking, not telling",
    "In three meetings in a row, Theo names his own actions before I suggest any.",
)
MAYA_LEARNED = "Waiting five seconds after a question gets a better answer than filling the silence."


def seed_know(traditional: Programme, reverse: Programme, *, coordinator: User, maya: User, theo: User) -> None:
    for person in (maya, theo):
        Profile.objects.filter(user=person).update(bio=BIOS[person.email])
        Participant.objects.filter(user=person, programme=traditional).update(
            motivation=WANTS[person.email], shared_answers=["motivation"]
        )
    # Everyone else in the running programme shares what they hope to get, as most people do.
    Participant.objects.filter(programme=traditional, shared_answers=[]).exclude(motivation="").update(
        shared_answers=["motivation"]
    )
    question = reverse.questions.first()
    if question is not None:
        for role, answer in REVERSE_ANSWERS.items():
            for participant in Participant.objects.filter(programme=reverse, role=role, answers={}):
                participant.answers = {question.text: answer}
                participant.shared_answers = ["motivation", question.text]
                participant.save(update_fields=["answers", "shared_answers"])
    if not traditional.guides.filter(slug="asking-questions").exists():
        guide_save(programme=traditional, slug="asking-questions", text=EDITED_GUIDE, by=coordinator)
    _maya_learns_too(traditional, maya, theo)


def _maya_learns_too(traditional: Programme, maya: User, theo: User) -> None:
    """Two-way learning in a traditional pair: the mentor owns a goal of her own."""
    match = Match.objects.filter(programme=traditional, mentor__user=maya, mentee__user=theo).first()
    if match is None:
        return
    objective, measure = MAYA_GOAL
    goal, created = Goal.objects.get_or_create(
        match=match, owner=match.mentor, objective=objective,
        defaults={"measure": measure, "status": Goal.Status.IN_PROGRESS, "created_by": maya,
                  "created_at": min(match.created_at + timedelta(days=10), timezone.now())},
    )  # fmt: skip
    if not created or goal.notes.exists():
        return
    held = Meeting.objects.filter(match=match, status=Meeting.Status.HELD).order_by("-starts_at").first()
    if held is not None:
        GoalNote.objects.create(goal=goal, author=maya, text=MAYA_LEARNED,
                                created_at=min(held.starts_at + timedelta(hours=3), timezone.now()))  # fmt: skip
