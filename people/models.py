from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address.

    Roles: staff (support, is_staff), coordinator (may create programmes and be
    put in charge of them), HR viewer (reports). Everyone signed in can take
    part in programmes as a mentor or mentee.
    """

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "staff", default=False, help_text="Support staff: may use the admin site and grant roles."
    )
    is_coordinator = models.BooleanField(
        "coordinator", default=False, help_text="May create programmes and coordinate them."
    )
    is_hr = models.BooleanField("HR viewer", default=False, help_text="May see programme reports and export them.")
    is_guest = models.BooleanField(
        "guest", default=False,
        help_text="From outside the organisation (a student, a partner organisation): invited to one programme, "
        "with no department or manager, and removed when that programme closes (programmes.Guest).",
    )  # fmt: skip
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            # Email addresses differ only in case for humans, never for logins.
            models.UniqueConstraint(Lower("email"), name="people_user_email_ci_unique"),
        ]
        # Lists of people in name order a page at a time (e.g. a programme's participants)
        # read the names in order rather than sorting everyone.
        indexes = [models.Index(fields=["full_name", "email"], name="people_user_name_order")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def can_create_programmes(self) -> bool:
        return self.is_active and (self.is_staff or self.is_coordinator)

    @property
    def role_names(self) -> list[str]:
        """The roles the navigation and the home page describe, in words."""
        names = []
        if self.is_staff:
            names.append("Staff")
        if self.is_coordinator:
            names.append("Coordinator")
        if self.is_hr:
            names.append("HR viewer")
        names.append("Participant")
        return names


class Department(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="people_department_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class SeniorityLevel(models.Model):
    """One step of the organisation's seniority scale; a higher rank is more senior."""

    rank = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A skill someone offers or a topic someone wants help with, from one shared,
    coordinator-curated list, so mentees' topics and mentors' skills can meet."""

    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="people_tag_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    EITHER = "either", "Either"


class TimeOfDay(models.TextChoices):
    MORNING = "morning", "Mornings"
    AFTERNOON = "afternoon", "Afternoons"
    ANY = "any", "Any time in working hours"


WEEKDAYS = [("mon", "Monday"), ("tue", "Tuesday"), ("wed", "Wednesday"), ("thu", "Thursday"), ("fri", "Friday")]

LANGUAGES = [
    "Arabic", "Bengali", "Chinese (Mandarin)", "Dutch", "English", "French", "German", "Hindi", "Italian",
    "Japanese", "Korean", "Polish", "Portuguese", "Russian", "Spanish", "Swahili", "Swedish", "Turkish",
    "Ukrainian", "Urdu",
]  # fmt: skip


class Profile(models.Model):
    """What a person tells their programmes about themselves. They, staff and the
    coordinators of their programmes may read it; demographics are kept apart."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL)
    job_title = models.CharField(max_length=120, blank=True)
    seniority = models.ForeignKey(SeniorityLevel, null=True, blank=True, on_delete=models.SET_NULL)
    manager = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports",
        help_text="Your line manager, so matching never pairs you inside your own reporting line.",
    )  # fmt: skip
    location = models.CharField(max_length=120, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    languages = models.JSONField(default=list, blank=True)
    skills = models.ManyToManyField(Tag, blank=True, related_name="offered_by", help_text="What you can offer.")
    skills_other = models.CharField("other skills", max_length=300, blank=True)
    topics = models.ManyToManyField(Tag, blank=True, related_name="wanted_by", help_text="What you want help with.")
    topics_other = models.CharField("other topics", max_length=300, blank=True)
    bio = models.TextField(max_length=2000, blank=True)
    preferred_days = models.JSONField(default=list, blank=True)
    preferred_time = models.CharField(max_length=10, choices=TimeOfDay.choices, default=TimeOfDay.ANY)
    meeting_format = models.CharField(max_length=10, choices=MeetingFormat.choices, default=MeetingFormat.EITHER)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("user")), name="people_profile_not_own_manager"
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class Attribute(models.Model):
    """One self-description question the organisation asks (gender identity,
    ethnic group, ...), answered from a controlled list that the organisation
    configures. Every attribute also takes "prefer not to say" and, where
    allowed, a self-description; neither is an option row.

    `key` is stable (programmes' matching settings and reports refer to it);
    the label and the options may be reworded."""

    key = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=80, help_text="e.g. “Gender identity”: what reports and settings call it.")
    question = models.CharField(
        max_length=200, help_text="What the person is asked, e.g. “How do you describe your gender?”"
    )
    help_text = models.CharField(max_length=300, blank=True)
    allows_self_description = models.BooleanField(
        "may describe in their own words", default=True,
        help_text="Offer “I describe it as ...” beside the list.",
    )  # fmt: skip
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(
        default=True, help_text="Asked on the self-description page and usable by matching."
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label


class AttributeOption(models.Model):
    """One answer on an attribute's controlled list. Retired options stay (answers
    point at them) but are no longer offered."""

    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["attribute", "position", "pk"]
        constraints = [
            models.UniqueConstraint("attribute", Lower("label"), name="people_attribute_option_label_once"),
        ]

    def __str__(self) -> str:
        return self.label


class AttributeAnswer(models.Model):
    """One person's answer to one attribute, stored only while they consent to
    sharing that attribute (consent is per attribute; withdrawing deletes the row).

    Exactly one of: an option, "prefer not to say", or a self-description.
    Matching and reports compare answers through people.attributes.answer_value:
    "prefer not to say" is never a difference nor a sameness."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="attribute_answers")
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="answers")
    option = models.ForeignKey(AttributeOption, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    prefer_not_to_say = models.BooleanField(default=False)
    self_description = models.CharField(max_length=120, blank=True)
    consented_at = models.DateTimeField()

    class Meta:
        ordering = ["attribute__position", "attribute_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "attribute"], name="people_attribute_answer_once"),
            models.CheckConstraint(
                condition=(
                    models.Q(option__isnull=False) & models.Q(prefer_not_to_say=False) & models.Q(self_description="")
                )
                | (models.Q(option__isnull=True) & models.Q(prefer_not_to_say=True) & models.Q(self_description=""))
                | (models.Q(option__isnull=True) & models.Q(prefer_not_to_say=False) & ~models.Q(self_description="")),
                name="people_attribute_answer_one_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attribute} of {self.user}"

    @property
    def display(self) -> str:
        """The answer in words, for the person's own page and their export only."""
        if self.prefer_not_to_say:
            return "Prefer not to say"
        if self.option_id:
            return self.option.label
        return self.self_description


class AttributeConversion(models.Model):
    """One line of the report of the conversion of the old free-text demographics
    to the lists (people.conversion, migration people 0008): a typed value, how
    many people had typed it, and what it became. Privacy: counts and typed
    values only, never who; shown to staff on the lists page."""

    class Outcome(models.TextChoices):
        OPTION = "option", "Matched an option"
        PREFER_NOT = "prefer_not", "Prefer not to say"
        SELF_DESCRIPTION = "self_description", "Kept as a self-description"
        DROPPED = "dropped", "Dropped"
        NETWORK = "network", "Staff network"

    converted_at = models.DateTimeField(default=timezone.now)
    position = models.PositiveIntegerField(default=0)
    field = models.CharField(max_length=40, help_text="The old field: gender, ethnicity, ... staff network.")
    typed = models.CharField(max_length=200, help_text="The value as typed (networks: folded).")
    people = models.PositiveIntegerField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    result = models.CharField(max_length=200, blank=True, help_text="The option or network it became.")

    class Meta:
        ordering = ["converted_at", "position"]

    def __str__(self) -> str:
        from .conversion import describe

        return describe(self.field, self.typed, self.people, self.outcome, self.result)


class ConsentEvent(models.Model):
    """The record of each time a person gave or withdrew consent to demographics."""

    class Action(models.TextChoices):
        GIVEN = "given", "Consent given"
        WITHDRAWN = "withdrawn", "Consent withdrawn"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consent_events")
    action = models.CharField(max_length=10, choices=Action.choices)
    # Consent is given and withdrawn per attribute; events from before the
    # attribute lists (one consent for all demographics) have none.
    attribute = models.ForeignKey(Attribute, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    wording = models.TextField(help_text="The consent text the person saw.")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"


class KnownDevice(models.Model):
    """A browser someone has signed in from, recognised by a random id in a
    long-lived cookie (only its hash is stored, so the table cannot be turned
    back into cookies). A sign-in from a browser without a known id is a
    sign-in from a new device: audited, and the person is told."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_devices")
    key_hash = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=300, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_seen_at"]
        constraints = [models.UniqueConstraint(fields=["user", "key_hash"], name="people_known_device_once")]

    def __str__(self) -> str:
        return f"{self.user}: {self.user_agent or 'unknown browser'}"
