"""The reads the people pages need, each at a fixed number of queries.

The people app sits below programmes (imports flow people <- programmes), so the
programme rule "a coordinator may read the profiles of their participants" is
written here through the reverse relations (`participations`, `coordinators`)
rather than by importing programmes."""

import functools
import zoneinfo

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from .models import Attribute, AttributeAnswer, AttributeConversion, AttributeOption, Profile, Tag, User


@functools.cache
def timezone_names() -> frozenset[str]:
    """The IANA zone names this machine knows; cached because the lookup walks the tz database."""
    return frozenset(zoneinfo.available_timezones())


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(timezone_names())]


# -- profiles -----------------------------------------------------------------


def profile_for_edit(user: User) -> Profile:
    """The person's profile, or an unsaved blank one: opening the form writes nothing."""
    try:
        return Profile.objects.select_related("manager").prefetch_related("skills", "topics").get(user=user)
    except Profile.DoesNotExist:
        return Profile(user=user)


def people_visible_to(viewer: User) -> QuerySet[User]:
    """Whose profile a signed-in person may open: their own; everyone's for staff;
    and, for a coordinator, anyone enrolled (in any status) in a programme they
    coordinate. Other participants and HR see nobody else's profile."""
    if not viewer.is_authenticated or not viewer.is_active:
        return User.objects.none()
    if viewer.is_staff:
        return User.objects.all()
    coordinated_by_viewer = User.objects.filter(pk=OuterRef("pk"), participations__programme__coordinators__user=viewer)
    return User.objects.filter(Q(pk=viewer.pk) | Q(Exists(coordinated_by_viewer)))


def get_person_for_viewer(viewer: User, user_id: int) -> User:
    """The person with their profile, department, seniority, manager, skills and
    topics in three queries (the person and the one-to-one chain, then skills,
    then topics) however many tags they have. Outsiders get 404, never 403,
    so the URL does not reveal who has an account."""
    people = (
        people_visible_to(viewer)
        .filter(is_active=True)
        # helper_offer: the stored record of drop-in help, read in the same query.
        .select_related("profile__department", "profile__seniority", "profile__manager", "helper_offer")
        .prefetch_related("profile__skills", "profile__topics")
        .annotate(has_demographics=Exists(AttributeAnswer.objects.filter(user=OuterRef("pk"))))
    )
    # Deactivated people have no page; staff find them in the admin.
    try:
        return people.get(pk=user_id)
    except User.DoesNotExist:
        raise Http404("No such person.") from None


# -- tags -----------------------------------------------------------------------


def can_curate_tags(user: User) -> bool:
    """The shared skills/topics list is kept by coordinators and staff."""
    return user.is_authenticated and user.is_active and (user.is_staff or user.is_coordinator)


def _links_per_tag(through) -> Subquery:
    return Subquery(
        through.objects.filter(tag_id=OuterRef("pk")).values("tag_id").annotate(n=Count("*")).values("n"),
        output_field=IntegerField(),
    )


def tags_with_usage() -> QuerySet[Tag]:
    """Every tag with how many profiles offer it as a skill and want it as a topic,
    in one query. Correlated counts rather than two joins, whose row product would
    grow as offered x wanted for each tag."""
    return Tag.objects.annotate(
        offered_count=Coalesce(_links_per_tag(Profile.skills.through), Value(0)),
        wanted_count=Coalesce(_links_per_tag(Profile.topics.through), Value(0)),
    ).order_by("name")


# -- self-description -----------------------------------------------------------


def attributes_asked() -> QuerySet[Attribute]:
    """The active questions with their options (retired ones too: the form
    filters them, so an answer that chose one can still be named), in two queries."""
    return Attribute.objects.filter(is_active=True).prefetch_related(
        Prefetch("options", queryset=AttributeOption.objects.order_by("position", "pk"))
    )


def answers_of(user: User) -> dict[int, AttributeAnswer]:
    """The person's own stored answers by attribute id, for their own page and
    their export only: nobody else reads anyone's answers as words."""
    return {a.attribute_id: a for a in AttributeAnswer.objects.filter(user=user).select_related("option")}


def attribute_lists() -> QuerySet[Attribute]:
    """Every attribute, active or not, with every option, for the staff lists page (two queries)."""
    return Attribute.objects.prefetch_related(
        Prefetch("options", queryset=AttributeOption.objects.order_by("position", "pk"))
    )


def conversion_report() -> QuerySet[AttributeConversion]:
    """The lines of the report of the free-text conversion (counts and typed values, never who)."""
    return AttributeConversion.objects.all()


# -- roles ----------------------------------------------------------------------

ROLE_FILTERS = {"coordinator": Q(is_coordinator=True), "hr": Q(is_hr=True), "staff": Q(is_staff=True)}


def people_for_roles(*, q: str = "", role: str = "") -> QuerySet[User]:
    """The roles page: active people who hold a role (or, with a search, anyone
    whose name or email matches), each with `programmes_coordinated` and their HR
    report scopes prefetched (`report_scopes`, with programmes): three queries a
    page whatever the number of people. The scopes and the programmes they are in
    charge of are read through reverse relations, as people sits below both apps."""
    people = User.objects.filter(is_active=True)
    q = q.strip()
    if q:
        people = people.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
    if role in ROLE_FILTERS:
        people = people.filter(ROLE_FILTERS[role])
    elif not q:
        people = people.filter(Q(is_staff=True) | Q(is_coordinator=True) | Q(is_hr=True))
    report_scope = User._meta.get_field("report_scopes").related_model  # reports.ReportScope, without the import
    scopes = report_scope.objects.select_related("programme").order_by("programme__name", "programme__cohort")
    return (
        people.annotate(programmes_coordinated=Count("coordinating", distinct=True))
        .prefetch_related(Prefetch("report_scopes", queryset=scopes))
        .order_by("full_name", "email")
    )
