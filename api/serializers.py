"""What the API answers, field by field. Each serializer lists its fields
explicitly: nothing a participant wrote for their pair or the coordinators (recap,
agenda, goal and note text, feedback and survey comments, messages, motivation,
answers, end notes) and no demographic attribute is among them, so a new model
field never reaches the API by accident (api/tests/test_privacy.py)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.models import AuditEvent
from matching.models import Match, MatchRun
from programmes.models import Participant, Programme
from sessions_log.models import Goal, Meeting, MeetingFormat

# -- programmes ----------------------------------------------------------------------


class EnrolmentSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Participant.Role.choices)
    status = serializers.ChoiceField(choices=Participant.Status.choices)


class ProgrammeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    cohort = serializers.CharField()
    kind = serializers.ChoiceField(choices=Programme.Kind.choices)
    status = serializers.ChoiceField(choices=Programme.Status.choices)
    purpose = serializers.CharField(help_text="Why the programme exists, as its coordinators wrote it.")
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    enrolment_open = serializers.SerializerMethodField(help_text="Whether people may apply today.")
    coordinating = serializers.BooleanField(help_text="Whether the token's person coordinates it (staff: always).")
    enrolment = serializers.SerializerMethodField(help_text="The token's person's own enrolment, if any.")

    def get_enrolment_open(self, programme: Programme) -> bool:
        return programme.is_enrolment_open()

    @extend_schema_field(EnrolmentSerializer(allow_null=True))
    def get_enrolment(self, programme: Programme) -> dict | None:
        if not programme.my_role:
            return None
        return {"role": programme.my_role, "status": programme.my_status}


class ParticipantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person_id = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="user.full_name")
    email = serializers.EmailField(source="user.email")
    department = serializers.CharField(source="user.profile.department.name", allow_null=True, default=None)
    role = serializers.ChoiceField(choices=Participant.Role.choices)
    status = serializers.ChoiceField(choices=Participant.Status.choices)
    capacity = serializers.IntegerField(allow_null=True)
    applied_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class EnrolInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Participant.Role.choices)
    capacity = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True, help_text="Mentors: how many mentees at once."
    )
    answers = serializers.DictField(
        child=serializers.CharField(max_length=2000, allow_blank=True), required=False,
        help_text="Answers to the programme's own questions, by question id.",
    )  # fmt: skip


class DecisionInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=[("approved", "Approved"), ("waitlisted", "Waitlisted"),
                                              ("declined", "Declined")])  # fmt: skip


# -- matching --------------------------------------------------------------------------


class PersonInPairSerializer(serializers.Serializer):
    participant_id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="user.full_name")


class MatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    programme_id = serializers.IntegerField()
    mentee = PersonInPairSerializer()
    mentor = PersonInPairSerializer()
    status = serializers.ChoiceField(choices=Match.Status.choices)
    strengths = serializers.ListField(
        source="reasons", child=serializers.CharField(), help_text="Why the pair was proposed: both people read these."
    )
    created_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    end_reason = serializers.ChoiceField(choices=[("", "Not ended"), *Match.EndReason.choices])


class MatchRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    programme_id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=MatchRun.Status.choices)
    trigger = serializers.ChoiceField(choices=MatchRun.Trigger.choices)
    proposals = serializers.IntegerField(source="proposal_count", help_text="Pairs proposed (what publishing makes).")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)


class PublishInput(serializers.Serializer):
    expected_matches = serializers.IntegerField(
        min_value=0,
        help_text="How many matches you expect to publish (the run's `proposals`): if the run changed since you "
        "read it, nothing is published.",
    )


class PublishResult(serializers.Serializer):
    published = serializers.IntegerField()
    run = MatchRunSerializer()


# -- meetings and goals ----------------------------------------------------------------


class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    match_id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    minutes = serializers.IntegerField()
    format = serializers.ChoiceField(choices=MeetingFormat.choices)
    status = serializers.ChoiceField(choices=Meeting.Status.choices)
    recaps = serializers.IntegerField(
        source="recap_count", help_text="How many recaps were written (never their text)."
    )
    feedback = serializers.IntegerField(source="feedback_count", help_text="How many gave feedback (never what).")


class GoalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    match_id = serializers.IntegerField()
    owner_role = serializers.ChoiceField(source="owner.role", choices=Participant.Role.choices)
    status = serializers.ChoiceField(choices=Goal.Status.choices)
    target_date = serializers.DateField(allow_null=True)
    notes = serializers.IntegerField(source="note_count", help_text="How many progress notes (never their text).")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


# -- reports -------------------------------------------------------------------------


class FigureSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True, help_text="null when hidden, or when there was nothing to average.")
    hidden = serializers.BooleanField(help_text="Hidden to keep every figure resting on at least 5 people or pairs.")


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class FigureRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    total = serializers.BooleanField()
    cells = serializers.DictField(child=FigureSerializer())


class FigureTableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    columns = ColumnSerializer(many=True)
    rows = FigureRowSerializer(many=True)


class FiguresSerializer(serializers.Serializer):
    programme_ids = serializers.ListField(child=serializers.IntegerField())
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    by = serializers.CharField()
    headline = serializers.DictField(child=FigureSerializer())
    tables = FigureTableSerializer(many=True)


# -- people and the audit log (staff) --------------------------------------------------


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    department = serializers.CharField(source="profile.department.name", allow_null=True, default=None)
    is_active = serializers.BooleanField()


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    action = serializers.ChoiceField(choices=AuditEvent.Action.choices)
    actor_email = serializers.EmailField(source="actor.email", allow_null=True, default=None)
    person_email = serializers.EmailField(source="person.email", allow_null=True, default=None)
    target_type = serializers.CharField()
    target_id = serializers.IntegerField(allow_null=True)
    summary = serializers.CharField()
