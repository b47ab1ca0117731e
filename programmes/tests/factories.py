from django.utils import timezone

from people.models import Department, Profile, SeniorityLevel
from people.tests.factories import UserFactory
from programmes import services
from programmes.models import Participant, Programme


def make_programme(coordinator, *, status=Programme.Status.OPEN, **fields) -> Programme:
    """A programme coordinated by `coordinator`, open for enrolment unless said otherwise."""
    fields = {"name": "Mentoring", "kind": "traditional", "purpose": "Grow together.", **fields}
    programme = services.programme_create(created_by=coordinator, **fields)
    if status != programme.status:
        closed_at = timezone.now() if status == Programme.Status.CLOSED else None
        Programme.objects.filter(pk=programme.pk).update(status=status, closed_at=closed_at)
        programme.refresh_from_db()
    return programme


def enrol_many(programme, count: int) -> None:
    """`count` new applicants (mentees) with profiles, in bulk: for query-count tests at size."""
    level = SeniorityLevel.objects.get_or_create(rank=1, defaults={"name": "Associate"})[0]
    department = Department.objects.get_or_create(name="Operations")[0]
    start = UserFactory._meta.model.objects.count()
    users = UserFactory._meta.model.objects.bulk_create(
        UserFactory.build(email=f"bulk{start + i}@example.org", full_name=f"Bulk {start + i}") for i in range(count)
    )
    Profile.objects.bulk_create(Profile(user=u, department=department, seniority=level) for u in users)
    Participant.objects.bulk_create(Participant(programme=programme, user=u, role="mentee") for u in users)


def make_nomination(programme, nominee, *, by, network=None, role="mentee", **fields):
    """A pending nomination of `nominee` by `by`, from `network` (or, without one,
    from their manager), expiring in 14 days."""
    from datetime import timedelta

    from programmes.models import Nomination

    source = Nomination.Source.NETWORK if network else Nomination.Source.MANAGER
    fields.setdefault("expires_at", timezone.now() + timedelta(days=14))
    return Nomination.objects.create(
        programme=programme, nominee=nominee, nominated_by=by, network=network, source=source, role=role, **fields
    )
