# ruff: noqa: E501  (the guides are prose: a paragraph is one line, as a coordinator edits it)
"""The default texts of the in-app guides, one per guide, in code so that every
programme starts with good ones. A coordinator may replace a programme's copy
(programmes.guides.guide_save); a guide without an edited copy reads as here.

Texts are plain text: a blank line starts a paragraph, a line starting with
"- " is a bullet. They are escaped when shown (programmes.guides.guide_blocks),
so nothing a coordinator types can become markup."""

from dataclasses import dataclass


@dataclass(frozen=True)
class GuideDefault:
    slug: str
    title: str
    audience: str  # who it is for, in words, shown under the title
    kinds: tuple[str, ...]  # the programme kinds that offer it
    text: str


ALL_PAIRED = ("traditional", "reverse", "peer")

ASKING_QUESTIONS = GuideDefault(
    slug="asking-questions",
    title="Mentoring by asking questions",
    audience="For mentors",
    kinds=(*ALL_PAIRED, "office_hours"),
    text="""Your mentee owns their decisions. Your job is to help them think, not to think for them: ask more than you tell, and let the silence work.

When you feel the urge to give the answer, ask one of these instead:
- What would you like to get out of our time today?
- What have you tried so far, and what happened?
- What options do you see? What else?
- What is stopping you?
- If a friend were in your place, what would you tell them?
- What would "good enough" look like?
- What will you do before we next meet, and how will I know?

Share your own experience when it helps, as one story among options ("when it happened to me, I…"), never as the answer.

Close each meeting by asking what they will take away, and let them name the one or two actions.""",
)

CHALLENGING = GuideDefault(
    slug="challenge-not-validate",
    title="Challenge rather than validate",
    audience="For mentors",
    kinds=ALL_PAIRED,
    text="""Agreeing is comfortable and teaches little. A good mentor tests the thinking behind a plan, kindly and directly.

- Ask for the evidence: "What makes you sure of that?"
- Name the assumption you hear: "It sounds as if you expect them to say no. Have you asked?"
- Offer the other side: "How would your manager describe this?"
- Point at the pattern, not the person: "This is the third time the deadline moved. What is going on?"
- Then stop, and let them answer.

Challenge lands when trust is there: agree early on that you will push back, and ask from time to time whether the balance is right.""",
)

BEING_A_MENTEE = GuideDefault(
    slug="being-a-mentee",
    title="How to be a good mentee",
    audience="For mentees",
    kinds=(*ALL_PAIRED, "office_hours"),
    text="""You drive the pairing: your mentor gives their time, you bring the agenda.

- Before each meeting, write down what you want from it (the agenda in the workspace is there for it).
- Set one or two goals in the first meetings, with how you will know you got there.
- Ask for challenge, not comfort: "What am I not seeing?"
- Do what you said you would, or say early that you could not.
- Write your recap while it is fresh: what you learned, what you will do next.
- If it is not working, say so. Your coordinator can help, and ending a pairing honestly is fine.""",
)

REVERSE_MENTOR = GuideDefault(
    slug="reverse-mentor",
    title="{kind}: you are the mentor",
    audience="For the junior colleague who mentors",
    kinds=("reverse",),
    text="""You were asked because you see the organisation from a place your mentee does not. That view is the point: do not soften it away.

Giving upward feedback:
- Describe what you saw or lived, then its effect: "When the all-hands skipped questions, people on my team felt unheard."
- Be specific and recent; one example beats a general impression.
- Ask before you advise: "Would it help if I told you how this looks from my desk?"
- It is fine to disagree with a director. Honest feedback in this programme has no comeback; if you ever feel otherwise, tell your coordinator.

You do not need to have answers. Your experience is the material; your mentee's job is to listen and decide what to do with it.""",
)

REVERSE_MENTEE = GuideDefault(
    slug="reverse-mentee",
    title="{kind}: you are the mentee",
    audience="For the senior colleague being mentored",
    kinds=("reverse",),
    text="""For this hour you are the learner. Your seniority makes listening harder, so work at it.

- Listen to understand, not to correct or explain why things are as they are.
- Do not manage the meeting: let your mentor set part of the agenda.
- Thank them for uncomfortable feedback, and never let it follow them outside the meeting.
- Ask: "What would you change if you were in my place?" and "What do people not tell me?"
- Show what you did with what you heard: it is the best sign that honesty is safe.""",
)

DEFAULT_GUIDES: dict[str, GuideDefault] = {
    guide.slug: guide for guide in (ASKING_QUESTIONS, CHALLENGING, BEING_A_MENTEE, REVERSE_MENTOR, REVERSE_MENTEE)
}


def guides_for_kind(kind: str) -> list[GuideDefault]:
    """The guides a programme of this kind offers, in reading order."""
    return [guide for guide in DEFAULT_GUIDES.values() if kind in guide.kinds]
