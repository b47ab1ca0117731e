from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

# A closed programme may be reopened for this long after it closed.
REOPEN_WITHIN = timedelta(days=30)


class Programme(models.Model):
    """A mentoring programme: its purpose, its framework and how people are paired.

    A programme may run again with a new intake: the new cohort is a new
    Programme whose `previous_cohort` points at the last one."""

    class Kind(models.TextChoices):
        TRADITIONAL = "traditional", "Traditional mentoring"
        REVERSE = "reverse", "Reverse mentoring"
        PEER = "peer", "Peer mentoring"
        OFFICE_HOURS = "office_hours", "Open office hours"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open for enrolment"
        RUNNING = "running", "Running"
        CLOSED = "closed", "Closed"

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", "Every week"
        FORTNIGHTLY = "fortnightly", "Every two weeks"
        MONTHLY = "monthly", "Every month"
        AD_HOC = "ad_hoc", "As needed (one-off sessions)"

    class MatchingMode(models.TextChoices):
        COORDINATOR = "coordinator", "Coordinator matches, with approval"
        CHOICE = "choice", "Participants choose from suggestions"
        BOTH = "both", "Both: suggestions, then the coordinator completes"

    class DemographicsUse(models.TextChoices):
        IGNORE = "ignore", "Not used"
        # The attributes, and whether pairs should differ or be alike on each, are
        # the programme's ProgrammeAttribute rows.
        PREFER_DIFFERENCE = "prefer_difference", "Used, on the attributes chosen below"

    class ManagerNomination(models.TextChoices):
        ALLOWED = "allowed", "Managers may suggest it; anyone may apply"
        REQUIRED = "required", "Only people their manager suggested it to may apply"
        FORBIDDEN = "forbidden", "Managers may not suggest it"

    class SeniorityCheck(models.TextChoices):
        WARN = "warn", "Warn the applicant"
        BLOCK = "block", "Refuse the application"

    name = models.CharField(max_length=120, help_text="The name your organisation uses, e.g. “Mentoring”.")
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.TRADITIONAL,
        help_text="Traditional: the mentor is more senior. Reverse: a junior colleague mentors a senior one. "
        "Peer: colleagues at a similar level. Office hours: one-off 30-minute sessions.",
    )  # fmt: skip
    purpose = models.TextField(help_text="Why the programme exists and what success looks like.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    cohort = models.CharField(max_length=60, blank=True, help_text="e.g. “Spring 2027”.")
    previous_cohort = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_cohorts"
    )

    # The framework
    cadence = models.CharField(max_length=12, choices=Cadence.choices, default=Cadence.FORTNIGHTLY)
    meeting_minutes = models.PositiveSmallIntegerField(
        "expected meeting length (minutes)", default=60, validators=[MinValueValidator(10), MaxValueValidator(480)]
    )
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    enrolment_opens_on = models.DateField(null=True, blank=True)
    enrolment_closes_on = models.DateField(null=True, blank=True)
    goals_expected = models.PositiveSmallIntegerField(
        "goals expected per pair", default=2, validators=[MaxValueValidator(10)]
    )
    goals_due_by_meeting = models.PositiveSmallIntegerField(
        "goals agreed by meeting number", default=2, help_text="e.g. 2: goals are agreed by the second meeting."
    )

    # The application and the pairing
    asked_profile_fields = models.JSONField(
        default=list, blank=True, help_text="Profile fields the application form asks for."
    )
    matching_mode = models.CharField(max_length=12, choices=MatchingMode.choices, default=MatchingMode.COORDINATOR)
    demographics_use = models.CharField(max_length=20, choices=DemographicsUse.choices, default=DemographicsUse.IGNORE)
    default_mentor_capacity = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    rolling_enrolment = models.BooleanField(
        "people can join while it runs", default=False,
        help_text="Listed and open to applications while it runs, not only during enrolment: for drop-in office "
        "hours and programmes that take people at any time.",
    )  # fmt: skip
    approve_automatically = models.BooleanField(
        "join without approval", default=False,
        help_text="Anyone in the organisation who applies is approved at once; for drop-in office hours, booking "
        "a slot is joining.",
    )  # fmt: skip
    # Routes in (issue #18)
    participant_kind_name = models.CharField(
        "what participants see it called", max_length=60, blank=True,
        help_text="e.g. “Two-way mentoring” or “Leadership listening programme”: shown to participants instead "
        "of the kind's name. Who mentors whom stays the kind's rule.",
    )  # fmt: skip
    seniority_check = models.CharField(
        "when an applicant's seniority does not fit the role", max_length=5, choices=SeniorityCheck.choices,
        default=SeniorityCheck.WARN,
    )  # fmt: skip
    manager_nomination = models.CharField(
        max_length=9, choices=ManagerNomination.choices, default=ManagerNomination.ALLOWED
    )
    enrol_new_joiners = models.BooleanField(
        "enrol new joiners", default=False,
        help_text="An onboarding programme: people who join the organisation (from the roster sync) are enrolled "
        "as mentees, told, and may opt out.",
    )  # fmt: skip
    admits_guests = models.BooleanField(
        "admits guests from outside", default=False,
        help_text="Coordinators may invite people from outside the organisation (students, a partner "
        "organisation); their accounts are removed when the programme closes.",
    )  # fmt: skip
    sponsor_networks = models.ManyToManyField(
        "networks.Network", blank=True, related_name="sponsored_programmes",
        help_text="Staff networks co-sponsoring the programme: their leads may nominate members.",
    )  # fmt: skip
    # When it closed: a closed programme may be reopened within REOPEN_WITHIN of this.
    closed_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gt=F("starts_on")),
                name="programme_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(enrolment_closes_on__isnull=True)
                | Q(enrolment_opens_on__isnull=True)
                | Q(enrolment_closes_on__gte=F("enrolment_opens_on")),
                name="programme_enrolment_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(default_mentor_capacity__gte=1) & Q(default_mentor_capacity__lte=20),
                name="programme_default_capacity_1_to_20",
            ),
            models.CheckConstraint(
                condition=Q(meeting_minutes__gte=10) & Q(meeting_minutes__lte=480), name="programme_meeting_length"
            ),
            models.CheckConstraint(
                condition=Q(status="closed") | Q(closed_at__isnull=True), name="programme_closed_at_only_when_closed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.cohort})" if self.cohort else self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:detail", args=[self.pk])

    @property
    def is_reverse(self) -> bool:
        return self.kind == self.Kind.REVERSE

    @property
    def uses_demographics(self) -> bool:
        return self.demographics_use != self.DemographicsUse.IGNORE

    @property
    def kind_name_for_participants(self) -> str:
        """The kind as participants see it: the coordinator's name for it when
        set ("Two-way mentoring"), else the kind's own. Coordinators, HR and staff
        still see `get_kind_display`."""
        return self.participant_kind_name or self.get_kind_display()

    @classmethod
    def accepting_people(cls) -> Q:
        """Programmes a person may find and apply to: open for enrolment, or running
        with rolling enrolment. (The enrolment dates are checked on applying.)"""
        return Q(status=cls.Status.OPEN) | Q(status=cls.Status.RUNNING, rolling_enrolment=True)

    @property
    def reopen_until(self):
        """The last moment a closed programme may be reopened (None: not closed, or
        closed before closing times were kept)."""
        if self.status != self.Status.CLOSED or self.closed_at is None:
            return None
        return self.closed_at + REOPEN_WITHIN

    @property
    def is_live(self) -> bool:
        """Open for enrolment or running: its invitations go out."""
        return self.status in (self.Status.OPEN, self.Status.RUNNING)

    def is_enrolment_open(self, today=None) -> bool:
        """May people apply today? While open for enrolment, within its dates; and,
        with rolling enrolment, at any time while it runs (until it ends)."""
        today = today or timezone.localdate()
        if self.status == self.Status.RUNNING and self.rolling_enrolment:
            return not (self.ends_on and today > self.ends_on)
        if self.status != self.Status.OPEN:
            return False
        if self.enrolment_opens_on and today < self.enrolment_opens_on:
            return False
        return not (self.enrolment_closes_on and today > self.enrolment_closes_on)


# Days between meetings each framework expects; ad hoc programmes expect none.
# Health judges a pair by this, or by the rhythm its signed agreement sets.
CADENCE_DAYS = {
    Programme.Cadence.WEEKLY: 7,
    Programme.Cadence.FORTNIGHTLY: 14,
    Programme.Cadence.MONTHLY: 30,
    Programme.Cadence.AD_HOC: None,
}


class MeetingGuide(models.Model):
    """The coordinator's version of one guide of the programme's meeting plan.
    A kind without a row uses the default in programmes/meeting_plan.py."""

    class Kind(models.TextChoices):
        FIRST = "first", "First meeting"
        GOALS = "goals", "Goal-setting"
        CHECK_IN = "check_in", "Regular check-in"
        MIDPOINT = "midpoint", "Mid-point review"
        CLOSING = "closing", "Closing meeting"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="meeting_guides")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    prompts = models.TextField(max_length=2000, help_text="One agenda prompt per line.")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="meeting_guide_once_per_kind"),
            models.CheckConstraint(condition=~Q(prompts=""), name="meeting_guide_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} guide of {self.programme}"


# What a new programme's application asks, by kind, so applicants give matching
# something to work with (ticked on the new-programme form; the coordinator may
# change them). Traditional and reverse pairs are matched on seniority, department,
# skills against topics, languages and format; peers on the same, seniority aside;
# office hours are booked, not matched: mentors say what they offer and who they are.
DEFAULT_ASKED_PROFILE_FIELDS = {
    Programme.Kind.TRADITIONAL: [
        "department", "job_title", "seniority", "skills", "topics", "languages", "meeting_format",
    ],
    Programme.Kind.REVERSE: [
        "department", "job_title", "seniority", "skills", "topics", "languages", "meeting_format", "bio",
    ],
    Programme.Kind.PEER: ["department", "job_title", "skills", "topics", "languages", "meeting_format"],
    Programme.Kind.OFFICE_HOURS: ["skills", "topics", "languages", "meeting_format", "bio"],
}  # fmt: skip
# Drop-in office hours take people while they run; the other kinds enrol a cohort.
DEFAULT_ROLLING_ENROLMENT = {kind: kind == Programme.Kind.OFFICE_HOURS for kind in Programme.Kind}


def programme_defaults(kind: str) -> dict:
    """The settings a new programme of this kind starts with."""
    kind = Programme.Kind(kind)
    return {
        "asked_profile_fields": list(DEFAULT_ASKED_PROFILE_FIELDS[kind]),
        "rolling_enrolment": DEFAULT_ROLLING_ENROLMENT[kind],
    }


class Coordinator(models.Model):
    """A person in charge of a programme; a programme may have any number."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="coordinators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinating")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at"]
        constraints = [models.UniqueConstraint(fields=["programme", "user"], name="coordinator_once_per_programme")]

    def __str__(self) -> str:
        return f"{self.user} coordinates {self.programme}"


class Participant(models.Model):
    """A person's enrolment in a programme, as mentor or mentee.

    One person may be a mentor in one programme and a mentee in another, but
    holds one role per programme: the database refuses a second enrolment."""

    class Role(models.TextChoices):
        MENTOR = "mentor", "Mentor"
        MENTEE = "mentee", "Mentee"

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        APPROVED = "approved", "Approved"
        WAITLISTED = "waitlisted", "Waitlisted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Source(models.TextChoices):
        OWN = "own", "Own application"
        INVITATION = "invitation", "Invited by a coordinator"
        NETWORK = "network", "Nominated by a staff network"
        MANAGER = "manager", "Suggested by their manager"
        NEW_JOINER = "new_joiner", "Enrolled as a new joiner"
        GUEST = "guest", "Guest from outside"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(max_length=6, choices=Role.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPLIED)
    capacity = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="How many mentees a mentor takes on at once.",
    )
    motivation = models.TextField(blank=True, max_length=3000)
    answers = models.JSONField(default=dict, blank=True, help_text="Answers to the programme's own questions.")
    # Which answers the person marked "my match may read": "motivation" and the
    # question texts (the keys of `answers`). Answers given before the form asked
    # stay private: the form never promised them to the match.
    shared_answers = models.JSONField(default=list, blank=True)
    applied_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # How the application came in, as the coordinator may see it: a nomination
    # shows as one only when the nominee agreed (Nomination.share_with_coordinator);
    # otherwise it reads as the person's own application.
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.OWN)
    source_network = models.ForeignKey(
        "networks.Network", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["applied_at"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "user"], name="participant_one_role_per_programme"),
            models.CheckConstraint(
                condition=(Q(role="mentor") & Q(capacity__gte=1) & Q(capacity__lte=20))
                | (Q(role="mentee") & Q(capacity__isnull=True)),
                name="participant_capacity_only_for_mentors",
            ),
            models.CheckConstraint(
                condition=Q(source="network") | Q(source_network__isnull=True),
                name="participant_source_network_only_for_network",
            ),
        ]
        indexes = [models.Index(fields=["programme", "role", "status"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.programme})"


class ProgrammeAttribute(models.Model):
    """One self-description attribute a programme's matching weighs: pairs should
    differ on it (reverse mentoring across difference) or be alike (an affinity
    programme such as women in leadership). Used only while the programme's
    `demographics_use` is on, and only through people.attributes.answer_value."""

    class Aim(models.TextChoices):
        DIFFER = "differ", "Prefer pairs who differ"
        ALIKE = "alike", "Prefer pairs who are alike"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="matching_attributes")
    attribute = models.ForeignKey("people.Attribute", on_delete=models.CASCADE, related_name="+")
    aim = models.CharField(max_length=6, choices=Aim.choices, default=Aim.DIFFER)
    weight = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(1), MaxValueValidator(10)])

    class Meta:
        ordering = ["attribute__position", "attribute_id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "attribute"], name="programme_attribute_once"),
            models.CheckConstraint(condition=Q(weight__gte=1) & Q(weight__lte=10), name="programme_attribute_weight"),
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.get_aim_display()} on {self.attribute}"


class Nomination(models.Model):
    """Someone put forward for a programme by a staff network's lead or by their
    line manager. The nominee decides, privately:

    - a decline (or letting it expire) is never told to the nominator, nor to the
      coordinators, and leaves no application;
    - an acceptance makes an application (`participant`); the coordinators see it
      as a nomination only if the nominee allowed it (`share_with_coordinator`),
      and the nominator learns of it only if the nominee allowed that
      (`tell_nominator`)."""

    class Source(models.TextChoices):
        NETWORK = "network", "A staff network"
        MANAGER = "manager", "Their line manager"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the nominee"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn by the nominator"
        EXPIRED = "expired", "Expired"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="nominations")
    nominee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nominations_received")
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="nominations_made"
    )
    source = models.CharField(max_length=7, choices=Source.choices)
    network = models.ForeignKey(
        "networks.Network", null=True, blank=True, on_delete=models.CASCADE, related_name="nominations"
    )
    role = models.CharField(max_length=6, choices=Participant.Role.choices)
    # Private text: from the nominator to the nominee only.
    note = models.TextField(max_length=1000, blank=True)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    share_with_coordinator = models.BooleanField("the coordinators may see who put me forward", default=False)
    tell_nominator = models.BooleanField("tell the person who put me forward that I joined", default=False)
    participant = models.OneToOneField(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="nomination"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(source="network") & Q(network__isnull=False))
                | (Q(source="manager") & Q(network__isnull=True)),
                name="nomination_network_only_from_a_network",
            ),
            models.UniqueConstraint(
                fields=["programme", "nominee", "source"],
                condition=Q(status="pending"),
                name="nomination_one_pending_per_source",
            ),
            models.CheckConstraint(condition=~Q(nominee=F("nominated_by")), name="nomination_not_of_oneself"),
        ]
        indexes = [models.Index(fields=["nominee", "status"])]

    def __str__(self) -> str:
        return f"{self.nominee} for {self.programme} ({self.get_source_display()})"


class Guest(models.Model):
    """A person from outside the organisation invited to one programme: a
    student, someone from a partner organisation. Their account (User.is_guest)
    has no department or manager, reporting-line rules do not apply to them,
    they are marked as guests wherever their name appears, and the account is
    erased when the programme closes."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guest")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="guests")
    organisation = models.CharField(max_length=120, blank=True, help_text="e.g. “University of Leeds”.")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="guests_invited"
    )
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["invited_at"]

    def __str__(self) -> str:
        return f"{self.user} (guest of {self.programme})"


class ApplicationQuestion(models.Model):
    """A question of the programme's own on its application form."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=300)
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class Invitation(models.Model):
    """An invitation by email to join a programme in a role. The token in the
    link lets the person in once; accepting enrols them, approved."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=6, choices=Participant.Role.choices)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Not before this moment (the coordinator's chosen date); empty: as soon as the programme is open.
    send_after = models.DateTimeField(null=True, blank=True)
    # When its mail was handed to the outbox; empty while it waits (a draft or closed
    # programme, or a date still to come).
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint("programme", Lower("email"), name="invitation_once_per_programme_and_email"),
        ]
        indexes = [
            models.Index(fields=["send_after"], condition=Q(queued_at__isnull=True), name="invitation_waiting"),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.programme}"


class RosterImport(models.Model):
    """An uploaded roster: parsed and previewed first, applied on confirmation."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        APPLIED = "applied", "Applied"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="roster_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255)
    rows = models.JSONField(help_text="The parsed rows, with their errors and planned changes.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Roster {self.filename} for {self.programme}"


class ProgrammeGuide(models.Model):
    """A coordinator's own copy of one of the programme's guides
    (programmes/guide_defaults.py). A guide without a row reads as its default;
    "Run it again" copies the rows to the new cohort."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="guides")
    slug = models.SlugField(max_length=40)
    text = models.TextField(max_length=6000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["programme", "slug"]
        constraints = [models.UniqueConstraint(fields=["programme", "slug"], name="programme_guide_one_per_slug")]

    def __str__(self) -> str:
        return f"{self.slug} of {self.programme}"
