"""What the export and the erasure do with every relation that leads to a person.

Each key is a field `app_label.Model.field` pointing at a person (the User), an
enrolment (Participant), a pair (Match) or a meeting. `export` names the
section of the download holding those rows, or is empty when they are left out
(`why` says why); `erasure` says what person_erase does with them.
privacy/tests/test_coverage.py walks every installed model and fails when a
relation is missing here, so a new model cannot be forgotten. An entry for an
app that is not installed is ignored (allauth's social accounts, optional)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Covered:
    export: str  # the section key in the download, or "" when not exported
    erasure: str  # deleted | blanked | anonymous | kept | withdrawn | ended
    why: str = ""  # why it is left out of the export or kept as is


# Words used by `erasure`:
#   deleted    the rows go
#   blanked    the rows stay (reports count them); the person's words in them go
#   anonymous  the rows stay and still point at the account, which no longer
#              holds anything personal
#   kept       the security audit log: append-only, it refers to people by
#              account number only, and outlives the erasure (docs/privacy.md)
ERASURE_WORDS = {"deleted", "blanked", "anonymous", "withdrawn", "ended", "detached", "kept"}

COVERAGE: dict[str, Covered] = {
    # people
    "people.Profile.user": Covered("profile", "deleted"),
    "people.Profile.manager": Covered("work_for_programmes", "detached", "others' profiles: the link goes"),
    # The old free-text table: emptied by migration people 0008 (converted to answers), read and
    # written by nothing since; the class and this line go when it is dropped.
    "people.AttributeAnswer.user": Covered("self_description", "deleted"),
    "people.ConsentEvent.user": Covered("consent_events", "deleted"),
    # staff networks: memberships are the person's own; leading one is a role
    "networks.NetworkMembership.user": Covered("network_memberships", "deleted"),
    "networks.Network.leads": Covered("networks_led", "detached", "the network stays; the person is no longer a lead"),
    "people.KnownDevice.user": Covered("devices", "deleted"),
    "account.EmailAddress.user": Covered("email_addresses", "deleted"),
    # Single sign-on (allauth.socialaccount), when installed: its tokens go with the account.
    "socialaccount.SocialAccount.user": Covered("social_accounts", "deleted"),
    "admin.LogEntry.user": Covered(
        "", "anonymous", "the admin's own change log of staff; names in it are replaced on erasure"
    ),
    # the HR roster sync: the employee id and the sync's dates
    "directory.RosterEntry.user": Covered("hr_roster", "deleted"),
    # SCIM provisioning: the identity provider's names for the person
    "scim.ScimIdentity.user": Covered("scim_identity", "deleted"),
    # programmes
    "programmes.Programme.created_by": Covered("programmes_created", "anonymous"),
    "programmes.Coordinator.user": Covered("coordinating", "deleted"),
    "programmes.Coordinator.added_by": Covered("work_for_programmes", "anonymous"),
    "programmes.Participant.user": Covered("participations", "withdrawn", "motivation and answers blanked"),
    "programmes.Participant.decided_by": Covered("work_for_programmes", "anonymous"),
    "programmes.Invitation.invited_by": Covered("invitations_sent", "anonymous"),
    "programmes.Nomination.nominee": Covered("nominations_received", "deleted"),
    "programmes.Nomination.nominated_by": Covered(
        "nominations_made", "anonymous", "the nominee's decision is theirs: the export lists programme and date only"
    ),
    "programmes.Nomination.participant": Covered("nominations_received", "detached"),
    "programmes.Guest.user": Covered("guest", "deleted"),
    "programmes.Guest.invited_by": Covered("work_for_programmes", "anonymous"),
    "programmes.ProgrammeGuide.updated_by": Covered("work_for_programmes", "anonymous", "a programme's guide text"),
    "programmes.RosterImport.uploaded_by": Covered("roster_imports", "anonymous"),
    "programmes.MeetingGuide.updated_by": Covered(
        "", "anonymous", "a coordinator's working text: the programme's meeting plan, not about the person"
    ),
    # notifications
    "notifications.Notification.recipient": Covered("notifications", "deleted"),
    "notifications.NotificationPreference.user": Covered("notification_preferences", "deleted"),
    # matching
    "matching.PairRule.mentee": Covered("", "anonymous", "a coordinator's working rule about candidates"),
    "matching.PairRule.mentor": Covered("", "anonymous", "a coordinator's working rule about candidates"),
    "matching.PairRule.created_by": Covered("work_for_programmes", "anonymous"),
    "outcomes.Objective.created_by": Covered("", "anonymous", "a coordinator's record of who set an objective"),
    "matching.MatchRun.started_by": Covered("work_for_programmes", "anonymous"),
    "matching.Proposal.mentee": Covered("", "anonymous", "the coordinators' draft pairs, with other candidates"),
    "matching.Proposal.mentor": Covered("", "anonymous", "the coordinators' draft pairs, with other candidates"),
    "matching.UnmatchedMentee.mentee": Covered("", "anonymous", "the coordinators' working notes of a run"),
    "matching.Match.mentee": Covered("matches", "ended"),
    "matching.Match.mentor": Covered("matches", "ended"),
    "matching.Match.ended_by": Covered("matches", "blanked", "the end note is theirs when they ended it"),
    "matching.MatchRequest.mentee": Covered("match_requests", "blanked"),
    "matching.MatchRequest.mentor": Covered("match_requests", "withdrawn", "pending requests pass on"),
    "matching.MentorRanking.mentor": Covered("mentor_rankings", "deleted"),
    "matching.MentorRanking.mentee": Covered("", "anonymous", "a mentor's private ranking"),
    # the pair's workspace
    "sessions_log.Goal.match": Covered("goals", "blanked", "goals the person owns or wrote"),
    "sessions_log.Goal.owner": Covered("goals", "blanked"),
    "sessions_log.Goal.created_by": Covered("goals", "blanked"),
    "sessions_log.GoalNote.author": Covered("goal_notes", "blanked"),
    "sessions_log.Agreement.match": Covered("agreements", "blanked", "the agreements of the person's pairs"),
    "sessions_log.Agreement.proposed_by": Covered("agreements", "blanked"),
    "sessions_log.Meeting.match": Covered("meetings", "anonymous"),
    "sessions_log.Meeting.mentor": Covered("meetings", "anonymous"),
    "sessions_log.Meeting.mentee": Covered("meetings", "anonymous"),
    "sessions_log.Meeting.scheduled_by": Covered("meetings", "blanked", "agenda and place they wrote"),
    "sessions_log.Recap.meeting": Covered(
        "recaps_shared_with_you", "anonymous", "the other person's private notes are theirs alone"
    ),
    "sessions_log.Recap.author": Covered("recaps_written", "blanked"),
    "sessions_log.ActionItem.match": Covered("actions", "blanked", "actions the person owns or wrote"),
    "sessions_log.ActionItem.meeting": Covered("actions", "anonymous"),
    "sessions_log.ActionItem.owner": Covered("actions", "blanked"),
    "sessions_log.ActionItem.created_by": Covered("actions", "blanked"),
    "sessions_log.Feedback.meeting": Covered(
        "feedback_given", "anonymous", "the other person's feedback is read by the coordinators only"
    ),
    "sessions_log.Feedback.author": Covered("feedback_given", "blanked"),
    "sessions_log.ExitSurvey.match": Covered(
        "exit_surveys", "anonymous", "the other person's survey is read by the coordinators only"
    ),
    "sessions_log.ExitSurvey.author": Covered("exit_surveys", "blanked"),
    "sessions_log.Resource.added_by": Covered("resources_added", "detached", "the entry stays in the library"),
    "sessions_log.SharedResource.match": Covered("shared_resources", "anonymous"),
    "sessions_log.SharedResource.shared_by": Covered("shared_resources", "blanked"),
    "sessions_log.OfficeHourSlot.mentor": Covered("office_hour_slots", "blanked", "free future slots deleted"),
    "sessions_log.OfficeHourSlot.booked_by": Covered("meetings", "anonymous"),
    "sessions_log.OfficeHourSlot.meeting": Covered("meetings", "anonymous"),
    "sessions_log.WeeklyAvailability.helper": Covered("weekly_availability", "deleted"),
    "sessions_log.AwayDay.user": Covered("weekly_availability", "deleted"),
    # drop-in help: the offer goes; a booking's purpose is the two people's words
    "dropin.HelperOffer.user": Covered("helper_offer", "deleted"),
    "dropin.SessionRequest.meeting": Covered("session_requests", "blanked", "the purpose and reason blanked"),
    "dropin.SessionRequest.suggested_helper": Covered(
        "", "detached", "another person's request, in which they were suggested: the link goes"
    ),
    "dropin.SessionAttendance.meeting": Covered("session_attendance", "anonymous"),
    "dropin.SessionAttendance.participant": Covered("session_attendance", "anonymous"),
    "sessions_log.CalendarFeed.user": Covered("calendar_feed", "deleted"),
    # circles
    "circles.Circle.opened_by": Covered("circles_opened", "anonymous"),
    "circles.Post.author": Covered("circle_posts", "blanked"),
    "circles.Post.hidden_by": Covered("moderation", "blanked"),
    "circles.Reply.author": Covered("circle_replies", "blanked"),
    "circles.Reply.hidden_by": Covered("moderation", "blanked"),
    # messages (conversations): the person's own messages go out with the download and are blanked
    # on erasure (the thread stays for the other person); read marks go
    "conversations.Thread.match": Covered("messages", "anonymous", "the other person's messages are theirs"),
    "conversations.Message.author": Covered("messages", "blanked"),
    "conversations.ReadState.user": Covered("", "deleted", "where the person stopped reading: nothing they wrote"),
    "conversations.Announcement.author": Covered("announcements_sent", "anonymous"),
    # surveys
    "surveys.PulseResponse.match": Covered(
        "check_ins", "anonymous", "the other person's answers are read by the coordinators only"
    ),
    "surveys.PulseResponse.author": Covered("check_ins", "blanked"),
    "surveys.ProgrammeFeedback.participant": Covered("programme_feedback", "blanked"),
    # outcomes: a person's own instruments go out with the download and are deleted with them
    "outcomes.SelfAssessment.participant": Covered("self_assessments", "deleted"),
    "outcomes.SelfAssessment.match": Covered("self_assessments", "deleted", "only the person's own are exported"),
    "outcomes.Commitment.participant": Covered("commitments", "deleted"),
    "outcomes.ObjectiveAnswer.participant": Covered("objective_answers", "deleted"),
    # engagement
    "engagement.Escalation.match": Covered("pair_follow_up", "anonymous"),
    "engagement.PairHealth.match": Covered(
        "", "anonymous", "derived from the pair's rows (counts, dates, no one's words); judged again from them"
    ),
    "engagement.EscalationStep.by": Covered("work_for_programmes", "blanked", "a coordinator's message they wrote"),
    # reports
    "reports.ReportScope.user": Covered("report_scopes", "deleted"),
    "reports.ReportScope.granted_by": Covered("work_for_programmes", "anonymous"),
    "reports.ExportAudit.user": Covered("exports_made", "anonymous", "the export log is kept for security"),
    "reports.ReportSubscription.user": Covered("report_subscription", "deleted"),
    # The stored figures: numbers only (how many meetings, recaps, ratings a pair had on a day), never
    # words; they stay as the meetings they count stay (anonymous), and go with them.
    "reports.PairDay.mentee": Covered("", "anonymous", "counts of the pair's meetings, already in its sections"),
    "reports.PairDay.mentor": Covered("", "anonymous", "counts of the pair's meetings, already in its sections"),
    # API tokens: a key to act as the person; it goes with them (its creation stays in the audit log)
    "api.ApiToken.user": Covered("api_tokens", "deleted"),
    "api.ApiToken.created_by": Covered("", "anonymous", "a staff member's record of a token made for someone else"),
    "api.ServiceAccount.user": Covered("", "kept", "marks a program's account, which is nobody's personal data"),
    "api.ServiceAccount.created_by": Covered("", "anonymous", "a staff member's record of a service account made"),
    # audit
    "audit.AuditEvent.actor": Covered("security_log", "kept"),
    "audit.AuditEvent.person": Covered("security_log", "kept"),
    # privacy
    "privacy.ErasureRequest.user": Covered("erasure_requests", "anonymous", "the record that the erasure happened"),
    "privacy.ErasureRequest.done_by": Covered("", "anonymous", "staff who carried out someone else's erasure"),
    # webhooks: staff's configuration of the platform
    "webhooks.Endpoint.created_by": Covered(
        "", "anonymous", "staff who added a webhook endpoint; it holds no one's data"
    ),
}
