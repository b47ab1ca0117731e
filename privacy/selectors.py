"""Everything stored about one person, as plain data: the download (JSON) and
the readable page are both made from `person_data`.

The rules of what a person may see are the apps' own, applied here rather than
rewritten: recaps through sessions_log.permissions (their own, and their pair's
recaps shared with the pair); feedback, check-ins and exit surveys only as
given by them (the other person's are read by the coordinators only, a promise
made to that person); the other person of a pair by name only. What is left out
and why is listed in privacy.coverage and docs/privacy.md.

A fixed number of queries whatever the amount of data: one per section (two for
the profile's tags), never one per row."""

from dataclasses import dataclass
from datetime import datetime

from allauth.account.models import EmailAddress
from django.apps import apps
from django.db.models import Prefetch, Q
from django.utils import timezone

from api.models import ApiToken
from audit.models import AuditEvent
from circles.models import Circle, Post, Reply
from conversations.models import Announcement, Message
from directory.models import RosterEntry, WorkforceEvent
from dropin.models import HelperOffer, SessionAttendance, SessionRequest
from engagement.models import Escalation, EscalationStep
from matching.models import Match, MatchRequest, MatchRun, MentorRanking, PairRule
from networks.models import Network, NetworkMembership
from notifications.models import Notification, NotificationPreference
from outcomes.models import Commitment, ObjectiveAnswer, SelfRating
from people.models import AttributeAnswer, ConsentEvent, KnownDevice, Profile, User
from programmes.models import (
    Coordinator,
    Guest,
    Invitation,
    Nomination,
    Participant,
    Programme,
    ProgrammeGuide,
    RosterImport,
)
from reports.models import ExportAudit, ReportScope, ReportSubscription
from scim.models import ScimIdentity
from sessions_log.models import (
    ActionItem,
    Agreement,
    AwayDay,
    CalendarFeed,
    ExitSurvey,
    Feedback,
    Goal,
    GoalNote,
    Meeting,
    OfficeHourSlot,
    Recap,
    Resource,
    SharedResource,
    WeeklyAvailability,
)
from sessions_log.permissions import recaps_visible_to
from surveys.models import ProgrammeFeedback, PulseResponse

from .models import ErasureRequest

YOU = "you"


@dataclass
class Section:
    key: str  # the key in the JSON download
    title: str
    about: str  # one sentence saying what the section holds
    rows: dict | list[dict] | None

    @property
    def is_list(self) -> bool:
        return isinstance(self.rows, list)

    @property
    def is_empty(self) -> bool:
        return self.rows is None or self.rows == []

    @property
    def columns(self) -> list[str]:
        """The keys of a list's rows, in order (every row of a section has the same keys)."""
        return list(self.rows[0]) if self.is_list and self.rows else []


def _name(user: User | None, me: User) -> str | None:
    if user is None:
        return None
    return YOU if user.pk == me.pk else user.full_name


def _participant_name(participant: Participant | None, me: User) -> str | None:
    return _name(participant.user, me) if participant is not None else None


def person_sections(user: User) -> list[Section]:
    """The sections of the person's data, in the order the page shows them."""
    sections: list[Section] = []

    def add(key: str, title: str, about: str, rows) -> None:
        sections.append(Section(key, title, about, rows))

    # -- the account ---------------------------------------------------------------
    user = User.objects.prefetch_related("groups").get(pk=user.pk)  # fresh, with its groups: 2 queries
    add("account", "Your account", "How you sign in and the roles you hold.", {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "roles": user.role_names,
        "active": user.is_active,
        "joined": user.date_joined,
        "last_sign_in": user.last_login,
        "groups": [group.name for group in user.groups.all()],
    })  # fmt: skip
    add("email_addresses", "Email addresses", "The addresses on your account and whether each is verified.", [
        {"email": address.email, "verified": address.verified, "primary": address.primary}
        for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    ])  # fmt: skip

    if apps.is_installed("allauth.socialaccount"):  # single sign-on is optional
        from allauth.socialaccount.models import SocialAccount

        add("social_accounts", "Single sign-on accounts", "The identity providers linked to your account.", [
            {"provider": account.provider, "id_at_provider": account.uid, "linked": account.date_joined,
             "last_sign_in": account.last_login}
            for account in SocialAccount.objects.filter(user=user).order_by("pk")
        ])  # fmt: skip
    add("devices", "Browsers you signed in from", "Recognised so a sign-in from a new one can be told to you.", [
        {"browser": device.user_agent, "first_seen": device.first_seen_at, "last_seen": device.last_seen_at}
        for device in KnownDevice.objects.filter(user=user).order_by("first_seen_at", "pk")
    ])  # fmt: skip

    add("api_tokens", "API tokens", "Keys that let a program act as you through the API (never the key itself).", [
        {"name": token.name, "prefix": token.prefix, "scopes": token.scopes, "created": token.created_at,
         "expires": token.expires_at, "last_used": token.last_used_at, "revoked": token.revoked_at}
        for token in ApiToken.objects.filter(user=user).order_by("created_at", "pk")
    ])  # fmt: skip

    add("hr_roster", "Your entry in the HR roster", "How the nightly sync with the HR system knows you, and the "
        "workforce history it keeps (docs/workforce-history.md).", [
        {"employee_id": entry.employee_id, "first_seen": entry.first_seen, "last_seen": entry.last_seen,
         "left": entry.left_at, "hired_on": entry.hired_on,
         "history": [
             {"event": event.get_kind_display(), "on": event.on,
              "department": event.department.name if event.department else "",
              "seniority": event.seniority.name if event.seniority else "", "job_title": event.job_title}
             for event in entry.events.all()
         ]}
        for entry in RosterEntry.objects.filter(user=user).prefetch_related(
            Prefetch("events", WorkforceEvent.objects.select_related("department", "seniority"))
        )
    ])  # fmt: skip

    add("scim_identity", "Your identity provider's record", "What the organisation's sign-in system (Okta, Entra ID) "
        "told us about you through SCIM provisioning.", [
        {"user_name": identity.user_name, "external_id": identity.external_id, "given_name": identity.given_name,
         "family_name": identity.family_name, "email_type": identity.email_type, "created": identity.created_at,
         "updated": identity.updated_at, "deleted_through_scim": identity.deprovisioned_at}
        for identity in ScimIdentity.objects.filter(user=user)
    ])  # fmt: skip

    # -- profile, self-description, consent ----------------------------------------------
    profile = (
        Profile.objects.select_related("department", "seniority", "manager")
        .prefetch_related("skills", "topics")
        .filter(user=user)
        .first()
    )  # 3 queries
    add("profile", "Your profile", "What you tell your programmes about yourself.", None if profile is None else {
        "department": str(profile.department) if profile.department else None,
        "job_title": profile.job_title,
        "seniority": str(profile.seniority) if profile.seniority else None,
        "line_manager": profile.manager.full_name if profile.manager else None,
        "location": profile.location,
        "time_zone": profile.timezone,
        "languages": list(profile.languages),
        "skills": [tag.name for tag in profile.skills.all()],
        "other_skills": profile.skills_other,
        "topics": [tag.name for tag in profile.topics.all()],
        "other_topics": profile.topics_other,
        "bio": profile.bio,
        "preferred_days": list(profile.preferred_days),
        "preferred_time": profile.get_preferred_time_display(),
        "meeting_format": profile.get_meeting_format_display(),
        "updated": profile.updated_at,
    })  # fmt: skip
    add("self_description", "How you describe yourself",
        "Your answers to the organisation's self-description questions, each kept only while you consent to it.", [
        {"attribute": answer.attribute.label, "answer": answer.display, "consented": answer.consented_at}
        for answer in AttributeAnswer.objects.filter(user=user).select_related("attribute", "option")
    ])  # fmt: skip
    add("network_memberships", "Staff networks you belong to",
        "Self-declared; private unless you let the leads see it.", [
        {"network": m.network.name, "since": m.consented_at, "visible_to_leads": m.visible_to_leads}
        for m in NetworkMembership.objects.filter(user=user).select_related("network")
    ])  # fmt: skip
    add("networks_led", "Staff networks you lead", "Networks that list you as a lead.", [
        {"network": network.name} for network in Network.objects.filter(leads=user)
    ])  # fmt: skip
    add("consent_events", "Consent", "Each time you gave or withdrew consent, and the words you saw.", [
        {"action": event.get_action_display(), "at": event.at, "wording": event.wording}
        for event in ConsentEvent.objects.filter(user=user).order_by("at", "pk")
    ])  # fmt: skip

    # -- programmes --------------------------------------------------------------
    participations = list(
        Participant.objects.filter(user=user).select_related("programme").order_by("applied_at", "pk")
    )
    add("participations", "Programmes you applied to", "Your enrolments and applications, with your answers.", [
        {"programme": str(p.programme), "role": p.get_role_display(), "status": p.get_status_display(),
         "capacity": p.capacity, "motivation": p.motivation, "answers": p.answers,
         "shared_with_match": p.shared_answers, "applied": p.applied_at, "decided": p.decided_at}
        for p in participations
    ])  # fmt: skip
    add("nominations_received", "Times you were put forward for a programme", "By a staff network or your manager, "
        "with their note and what you decided.", [
        {"programme": str(n.programme), "by": n.get_source_display(), "network": n.network.name if n.network else None,
         "role": n.get_role_display(), "note": n.note, "status": n.get_status_display(), "at": n.created_at,
         "share_with_coordinator": n.share_with_coordinator, "tell_nominator": n.tell_nominator}
        for n in Nomination.objects.filter(nominee=user).select_related("programme", "network").order_by("created_at")
    ])  # fmt: skip
    add("nominations_made", "People you put forward", "The programmes and dates only: what they decided is theirs.", [
        {"programme": str(n.programme), "at": n.created_at}
        for n in Nomination.objects.filter(nominated_by=user).select_related("programme").order_by("created_at")
    ])  # fmt: skip
    guest = Guest.objects.filter(user=user).select_related("programme").first()
    add("guest", "Your guest place", "You were invited from outside the organisation to one programme.",
        None if guest is None else {"programme": str(guest.programme), "organisation": guest.organisation,
                                    "invited": guest.invited_at})  # fmt: skip
    add("coordinating", "Programmes you coordinate", "The programmes you are in charge of.", [
        {"programme": str(c.programme), "since": c.added_at}
        for c in Coordinator.objects.filter(user=user).select_related("programme").order_by("added_at", "pk")
    ])  # fmt: skip
    add("programmes_created", "Programmes you created", "Programmes you set up.", [
        {"programme": str(p), "created": p.created_at}
        for p in Programme.objects.filter(created_by=user).order_by("created_at", "pk")
    ])  # fmt: skip
    add("invitations_received", "Invitations to you", "Invitations sent to your email address.", [
        {"programme": str(i.programme), "role": i.get_role_display(), "sent": i.sent_at, "accepted": i.accepted_at}
        for i in Invitation.objects.filter(email__iexact=user.email).select_related("programme").order_by("pk")
    ])  # fmt: skip
    add("invitations_sent", "Invitations you sent", "Invitations you sent (not the invitees' addresses).", [
        {"programme": str(i.programme), "role": i.get_role_display(), "created": i.created_at, "sent": i.sent_at}
        for i in Invitation.objects.filter(invited_by=user).select_related("programme").order_by("pk")
    ])  # fmt: skip
    add("roster_imports", "Rosters you uploaded", "Roster files you imported (their rows are other people's data).", [
        {"programme": str(r.programme), "file": r.filename, "status": r.get_status_display(), "uploaded": r.created_at}
        for r in RosterImport.objects.filter(uploaded_by=user).select_related("programme").order_by("pk")
    ])  # fmt: skip

    # -- matches -----------------------------------------------------------------
    matches = list(
        Match.objects.filter(Q(mentee__user=user) | Q(mentor__user=user))
        .select_related("programme", "mentee__user", "mentor__user")
        .order_by("created_at", "pk")
    )
    label = {}
    for match in matches:
        other = match.mentor if match.mentee.user_id == user.pk else match.mentee
        label[match.pk] = f"{match.programme} with {other.user.full_name}"
    add("matches", "Your pairs", "Each mentor or mentee you were paired with (by name only).", [
        {"pair": label[m.pk], "your_role": "Mentee" if m.mentee.user_id == user.pk else "Mentor",
         "other_person": (m.mentor if m.mentee.user_id == user.pk else m.mentee).user.full_name,
         "status": m.get_status_display(), "paired": m.created_at, "ended": m.ended_at,
         "end_reason": m.get_end_reason_display(), "ended_by_you": m.ended_by_id == user.pk,
         # The note is the words of whoever ended the match: only theirs is theirs.
         "end_note": m.end_note if m.ended_by_id == user.pk else ""}
        for m in matches
    ])  # fmt: skip
    add("match_requests", "Requests to be paired", "Requests you sent as a mentee or received as a mentor.", [
        {"programme": str(r.programme), "direction": "sent" if r.mentee.user_id == user.pk else "received",
         "other_person": (r.mentor if r.mentee.user_id == user.pk else r.mentee).user.full_name, "rank": r.rank,
         "status": r.get_status_display(), "message": r.message, "created": r.created_at, "answered": r.answered_at}
        for r in MatchRequest.objects.filter(Q(mentee__user=user) | Q(mentor__user=user))
        .select_related("programme", "mentee__user", "mentor__user").order_by("created_at", "pk")
    ])  # fmt: skip
    add("mentor_rankings", "Your rankings of mentees", "How you, as a mentor, ranked the mentees who asked for you.", [
        {"programme": str(r.programme), "mentee": r.mentee.user.full_name, "rank": r.rank}
        for r in MentorRanking.objects.filter(mentor__user=user)
        .select_related("programme", "mentee__user").order_by("programme_id", "rank")
    ])  # fmt: skip

    # -- the pairs' workspaces ----------------------------------------------------
    match_ids = list(label)
    add("goals", "Goals of your pairs", "The goals set in your pairs, yours and your pair's.", [
        {"pair": label[g.match_id], "whose": _participant_name(g.owner, user), "objective": g.objective,
         "measure": g.measure, "target_date": g.target_date, "status": g.get_status_display(),
         "written_by": _name(g.created_by, user), "created": g.created_at}
        for g in Goal.objects.filter(match_id__in=match_ids).select_related("owner__user", "created_by")
    ])  # fmt: skip
    add("goal_notes", "Progress notes on goals", "Notes on the goals of your pairs.", [
        {"pair": label[n.goal.match_id], "goal": n.goal.objective, "written_by": _name(n.author, user),
         "text": n.text, "status_after": n.get_status_after_display(), "written": n.created_at}
        for n in GoalNote.objects.filter(goal__match_id__in=match_ids).select_related("goal", "author")
    ])  # fmt: skip
    add("agreements", "Agreements of your pairs", "Every version of your pairs' agreements.", [
        {"pair": label[a.match_id], "version": a.version, "mentee_wants": a.mentee_wants,
         "mentor_wants": a.mentor_wants, "every_days": a.every_days, "minutes": a.minutes,
         "format": a.get_format_display(), "place": a.location, "ground_rules": a.ground_rules,
         "shared_with_coordinator": a.shared_with_coordinator, "if_not_working": a.if_not_working,
         "review_on": a.review_on, "proposed_by": _name(a.proposed_by, user), "proposed": a.created_at,
         "mentee_signed": a.mentee_signed_at, "mentor_signed": a.mentor_signed_at}
        for a in Agreement.objects.filter(match_id__in=match_ids).select_related("proposed_by")
        .order_by("match_id", "version")
    ])  # fmt: skip
    my_meetings = Meeting.objects.filter(Q(mentor__user=user) | Q(mentee__user=user))
    add("meetings", "Meetings", "Meetings of your pairs and office hours you held or booked.", [
        {"programme": str(m.programme),
         "with": (m.mentor if m.mentee.user_id == user.pk else m.mentee).user.full_name,
         "starts": m.starts_at, "minutes": m.minutes, "format": m.get_format_display(), "place": m.location,
         "agenda": m.agenda, "status": m.get_status_display(), "cancel_reason": m.cancel_reason,
         "scheduled_by": _name(m.scheduled_by, user)}
        for m in my_meetings.select_related("programme", "mentor__user", "mentee__user", "scheduled_by")
        .order_by("starts_at", "pk")
    ])  # fmt: skip

    def recap_row(recap: Recap) -> dict:
        return {"pair": label.get(recap.meeting.match_id, str(recap.meeting.programme)),
                "meeting": recap.meeting.starts_at, "discussed": recap.discussed, "learned": recap.learned,
                "goal_progress": recap.goal_progress, "shared_with": recap.get_visibility_display(),
                "written": recap.created_at}  # fmt: skip

    recaps = Recap.objects.select_related("meeting__programme", "author").order_by("created_at", "pk")
    add("recaps_written", "Recaps you wrote", "Every recap you wrote, private notes included.",
        [recap_row(recap) for recap in recaps.filter(author=user)])  # fmt: skip
    # The pair's rule, as the workspace applies it: shared recaps of the other person.
    shared = recaps_visible_to(user, "mentee", recaps.filter(meeting__match_id__in=match_ids)).exclude(author=user)
    add("recaps_shared_with_you", "Recaps shared with you", "Your pair's recaps that they shared with you.", [
        {**recap_row(recap), "written_by": recap.author.full_name} for recap in shared
    ])  # fmt: skip
    add("actions", "Actions", "The actions agreed in your pairs.", [
        {"pair": label[a.match_id], "whose": _participant_name(a.owner, user), "description": a.description,
         "due": a.due_on, "status": a.get_status_display(), "done": a.done_at, "written_by": _name(a.created_by, user)}
        for a in ActionItem.objects.filter(match_id__in=match_ids).select_related("owner__user", "created_by")
        .order_by("created_at", "pk")
    ])  # fmt: skip
    add("feedback_given", "Feedback you gave on meetings", "Your ratings of meetings (read by the coordinators).", [
        {"programme": str(f.meeting.programme), "meeting": f.meeting.starts_at, "rating": f.rating,
         "comment": f.comment, "given": f.created_at}
        for f in Feedback.objects.filter(author=user).select_related("meeting__programme").order_by("created_at", "pk")
    ])  # fmt: skip
    add("exit_surveys", "Exit surveys you filled in", "How your ended pairs went, in your words.", [
        {"pair": label.get(s.match_id, ""), "rating": s.rating, "goals_met": s.goals_met,
         "would_recommend": s.would_recommend, "comment": s.comment, "given": s.created_at}
        for s in ExitSurvey.objects.filter(author=user).order_by("created_at", "pk")
    ])  # fmt: skip
    add("check_ins", "Check-ins you answered", "Your answers to the check-ins on your pairs.", [
        {"pair": label.get(p.match_id, ""), "wave": p.due_on, "rating": p.rating,
         "meeting_as_planned": p.meeting_as_planned, "obstacle": p.get_obstacle_display(), "comment": p.comment,
         "answered": p.created_at}
        for p in PulseResponse.objects.filter(author=user).order_by("due_on", "pk")
    ])  # fmt: skip
    add("programme_feedback", "Feedback you gave on programmes", "Your answers at a programme's midpoint and close.", [
        {"programme": str(f.programme), "stage": f.get_stage_display(), "overall": f.overall, "matching": f.matching,
         "support": f.support, "would_recommend": f.would_recommend, "keep": f.keep, "change": f.change,
         "given": f.created_at}
        for f in ProgrammeFeedback.objects.filter(participant__user=user).select_related("programme").order_by("pk")
    ])  # fmt: skip
    add("self_assessments", "Your self-assessments", "How you rated yourself at the start and end of your pairs.", [
        {"pair": label.get(r.assessment.match_id, ""), "stage": r.assessment.get_stage_display(), "item": r.label,
         "rating": r.rating, "given": r.assessment.submitted_at}
        for r in SelfRating.objects.filter(assessment__participant__user=user).select_related("assessment")
        .order_by("assessment__submitted_at", "pk")
    ])  # fmt: skip
    add("commitments", "What you said you would do differently", "Your commitments at a programme's close.", [
        {"programme": str(c.participant.programme), "commitment": c.text, "shared_with_coordinators":
         c.shared_with_coordinators, "made": c.made_on, "follow_up": c.follow_up_on, "kept": c.get_kept_display(),
         "answered": c.followed_up_at}
        for c in Commitment.objects.filter(participant__user=user).select_related("participant__programme")
        .order_by("made_on", "pk")
    ])  # fmt: skip
    add("objective_answers", "Your answers to programmes' own questions", "Asked in a programme's closing survey.", [
        {"programme": str(a.participant.programme), "question": a.objective.question, "rating": a.rating,
         "given": a.created_at}
        for a in ObjectiveAnswer.objects.filter(participant__user=user).select_related("participant__programme",
                                                                                         "objective")
        .order_by("created_at", "pk")
    ])  # fmt: skip
    add("shared_resources", "Resources shared in your pairs", "Links and books shared in your pairs' workspaces.", [
        {"pair": label[s.match_id], "resource": s.resource.title, "shared_by": _name(s.shared_by, user),
         "note": s.note, "shared": s.created_at}
        for s in SharedResource.objects.filter(match_id__in=match_ids).select_related("resource", "shared_by")
        .order_by("created_at", "pk")
    ])  # fmt: skip
    add("resources_added", "Resources you added to a library", "Entries you added to a programme's library.", [
        {"programme": str(r.programme), "title": r.title, "description": r.description, "added": r.created_at}
        for r in Resource.objects.filter(added_by=user).select_related("programme").order_by("created_at", "pk")
    ])  # fmt: skip
    add("office_hour_slots", "Office-hour slots you offered", "Free slots you published as a mentor.", [
        {"programme": str(s.programme), "starts": s.starts_at, "minutes": s.minutes, "place": s.location,
         "booked": s.booked_by_id is not None}
        for s in OfficeHourSlot.objects.filter(mentor__user=user).select_related("programme").order_by("starts_at")
    ])  # fmt: skip
    add("weekly_availability", "Your weekly availability", "The weekly times and away days you set for drop-in help.", [
        {"programme": str(a.helper.programme), "weekday": a.get_weekday_display(), "from": a.starts_at,
         "to": a.ends_at, "time_zone": a.zone, "format": a.get_format_display(), "place": a.location,
         "valid_from": a.valid_from, "until": a.until}
        for a in WeeklyAvailability.objects.filter(helper__user=user).select_related("helper__programme")
        .order_by("weekday", "starts_at", "pk")
    ] + [{"away_on": d.on} for d in AwayDay.objects.filter(user=user).order_by("on")])  # fmt: skip
    offer = HelperOffer.objects.filter(user=user).prefetch_related("skills").first()
    add("helper_offer", "What you are happy to be asked about", "Your entry in “Find someone to learn from”.", [
        {"about": offer.about, "skills": sorted(t.name for t in offer.skills.all()), "listed": offer.listed,
         "weekly_cap": offer.weekly_cap, "last_helped": offer.last_helped_at, "sessions_held": offer.sessions_held}
    ] if offer else [])  # fmt: skip
    add("session_requests", "What your one-off sessions were for", "The requests you made or were asked.", [
        {"with": _name(r.meeting.mentee.user if r.meeting.mentor.user_id == user.pk else r.meeting.mentor.user, user),
         "starts": r.meeting.starts_at, "purpose": r.purpose, "topic": r.topic.name if r.topic else "",
         "answer": r.get_answer_display(), "answered": r.answered_at, "decline_reason": r.decline_reason}
        for r in SessionRequest.objects.filter(Q(meeting__mentor__user=user) | Q(meeting__mentee__user=user))
        .select_related("meeting__mentor__user", "meeting__mentee__user", "topic").order_by("requested_at", "pk")
    ])  # fmt: skip
    add("session_attendance", "Whether your one-off sessions happened", "Your answer to “did it happen?”.", [
        {"session": a.meeting.starts_at, "happened": a.happened, "said": a.said_at}
        for a in SessionAttendance.objects.filter(participant__user=user).select_related("meeting").order_by("pk")
    ])  # fmt: skip
    escalations = Escalation.objects.filter(match_id__in=match_ids).prefetch_related("steps").order_by("opened_on")
    add("pair_follow_up", "Follow-up of your pairs when they stalled",
        "When a pair stopped meeting: the reminders sent and the coordinators' messages to you.", [
            {"pair": label[e.match_id], "opened": e.opened_on, "stage": e.get_stage_display(), "closed": e.closed_on,
             "steps": [{"step": s.get_kind_display(), "on": s.on, "reason": s.reason,
                        # A coordinator's note to themselves (more time given) is theirs; a message is yours.
                        "message": s.message if s.kind == EscalationStep.Kind.MESSAGED else ""}
                       for s in e.steps.all()]}
            for e in escalations
        ])  # fmt: skip

    # -- messages ----------------------------------------------------------------
    add("messages", "Your messages", "Messages you wrote in your pairs' threads (the other person's are theirs).", [
        {"pair": str(m.thread.match), "thread": m.thread.get_kind_display(), "body": m.body, "written": m.created_at}
        for m in Message.objects.filter(author=user)
        .select_related("thread__match__programme", "thread__match__mentee__user", "thread__match__mentor__user")
        .order_by("created_at", "pk")
    ])  # fmt: skip
    add("announcements_sent", "Announcements you sent", "Announcements you wrote as a coordinator.", [
        {"programme": str(a.programme), "to": a.get_audience_display(), "subject": a.subject, "body": a.body,
         "sent": a.sent_at, "people": a.recipients_count}
        for a in Announcement.objects.filter(author=user).select_related("programme").order_by("created_at", "pk")
    ])  # fmt: skip

    # -- circles -----------------------------------------------------------------
    add("circle_posts", "Your posts in circles", "Posts you wrote, hidden ones included.", [
        {"circle": str(p.circle), "title": p.title, "body": p.body, "written": p.created_at, "edited": p.edited_at,
         "hidden": p.hidden_at, "hidden_reason": p.hidden_reason}
        for p in Post.objects.filter(author=user).select_related("circle__programme").order_by("created_at", "pk")
    ])  # fmt: skip
    add("circle_replies", "Your replies in circles", "Replies you wrote, hidden ones included.", [
        {"post": r.post.title, "body": r.body, "written": r.created_at, "hidden": r.hidden_at,
         "hidden_reason": r.hidden_reason}
        for r in Reply.objects.filter(author=user).select_related("post").order_by("created_at", "pk")
    ])  # fmt: skip
    add("circles_opened", "Circles you opened", "Mentees' circles you opened as a coordinator.", [
        {"circle": str(c), "open": c.is_open} for c in Circle.objects.filter(opened_by=user).select_related("programme")
    ])  # fmt: skip
    hidden_posts = Post.objects.filter(hidden_by=user).select_related("circle__programme").order_by("hidden_at")
    hidden_replies = Reply.objects.filter(hidden_by=user).select_related("post").order_by("hidden_at")
    add("moderation", "What you hid as a moderator", "Posts and replies you hid, with the reason you gave.", [
        *({"what": f"Post “{p.title}”", "hidden": p.hidden_at, "reason": p.hidden_reason} for p in hidden_posts),
        *({"what": f"Reply to “{r.post.title}”", "hidden": r.hidden_at, "reason": r.hidden_reason}
          for r in hidden_replies),
    ])  # fmt: skip

    # -- notices and settings ----------------------------------------------------
    add("notifications", "Notices sent to you", "Every notice recorded for you: what it was about and when.", [
        {"kind": n.kind, "about": f"{n.object_type} {n.object_id}", "for_day": n.due_on,
         "channel": n.get_channel_display(), "status": n.get_status_display(), "recorded": n.created_at,
         "sent": n.sent_at}
        for n in Notification.objects.filter(recipient=user).order_by("created_at", "pk")
    ])  # fmt: skip
    add("notification_preferences", "Your notification settings", "How you chose to receive each kind of notice.", [
        {"kind": p.kind, "delivery": p.get_delivery_display(), "changed": p.updated_at}
        for p in NotificationPreference.objects.filter(user=user).order_by("kind")
    ])  # fmt: skip
    feed = CalendarFeed.objects.filter(user=user).first()
    add("calendar_feed", "Calendar feed", "Whether you have a private calendar feed (its secret address is left out).",
        {"exists": feed is not None, "created": feed.created_at if feed else None})  # fmt: skip

    # -- reports -------------------------------------------------------------------
    subscription = ReportSubscription.objects.filter(user=user).first()
    add(
        "report_subscription",
        "Monthly report by email",
        "Whether you asked for HR's monthly report.",
        {"subscribed": subscription is not None, "since": subscription.created_at if subscription else None},
    )
    add("report_scopes", "Programmes you may report on", "Limits on the programmes your reports cover.", [
        {"programme": str(s.programme), "granted": s.granted_at}
        for s in ReportScope.objects.filter(user=user).select_related("programme").order_by("pk")
    ])  # fmt: skip
    add("exports_made", "Report exports you made", "The reports you downloaded (the export log).", [
        {"kind": e.get_kind_display(), "format": e.file_format, "filters": e.filters, "rows": e.rows,
         "started": e.started_at}
        for e in ExportAudit.objects.filter(user=user).order_by("started_at", "pk")
    ])  # fmt: skip

    # -- what they did for others, as coordinator or staff ----------------------------
    add("work_for_programmes", "What you did for programmes",
        "How many decisions you took as a coordinator or staff (the people concerned are theirs to see).", {
            "enrolments_decided": Participant.objects.filter(decided_by=user).count(),
            "coordinators_added": Coordinator.objects.filter(added_by=user).count(),
            "guides_edited": ProgrammeGuide.objects.filter(updated_by=user).count(),
            "pair_rules_set": PairRule.objects.filter(created_by=user).count(),
            "match_runs_started": MatchRun.objects.filter(started_by=user).count(),
            "matches_ended_for_others": Match.objects.filter(ended_by=user).exclude(
                Q(mentee__user=user) | Q(mentor__user=user)).count(),
            "follow_up_steps_taken": EscalationStep.objects.filter(by=user).count(),
            "report_scopes_granted": ReportScope.objects.filter(granted_by=user).count(),
            "people_naming_you_their_line_manager": Profile.objects.filter(manager=user).count(),
        })  # fmt: skip

    # Where and from which browser is theirs only when they acted.
    add("security_log", "The security log about you", "What you did, and what was done to your account, in the "
        "security audit log.", [
            {"action": e.get_action_display(), "at": e.occurred_at, "summary": e.summary,
             "by_you": e.actor_id == user.pk,
             "address": e.ip_address if e.actor_id == user.pk else None,
             "browser": e.user_agent if e.actor_id == user.pk else ""}
            for e in AuditEvent.objects.filter(Q(actor_id=user.pk) | Q(person_id=user.pk)).order_by("occurred_at", "pk")
        ])  # fmt: skip
    add("erasure_requests", "Erasure requests", "Your requests to have your data erased.", [
        {"status": r.get_status_display(), "requested": r.requested_at, "erase_after": r.erase_after,
         "cancelled": r.cancelled_at, "done": r.done_at}
        for r in ErasureRequest.objects.filter(user=user).order_by("requested_at", "pk")
    ])  # fmt: skip
    return sections


def person_data(user: User, *, now: datetime | None = None) -> dict:
    """The download: every section under its key, with when it was made."""
    now = now or timezone.now()
    data: dict = {"exported_at": now, "format": "mentoring-personal-data/1"}
    for section in person_sections(user):
        data[section.key] = section.rows
    return data
