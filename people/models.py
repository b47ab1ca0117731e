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
