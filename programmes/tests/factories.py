from programmes import services
from programmes.models import Programme


def make_programme(coordinator, *, status=Programme.Status.OPEN, **fields) -> Programme:
    """A programme coordinated by `coordinator`, open for enrolment unless said otherwise."""
    fields = {"name": "Mentoring", "kind": "traditional", "purpose": "Grow together.", **fields}
    programme = services.programme_create(created_by=coordinator, **fields)
    if status != programme.status:
        Programme.objects.filter(pk=programme.pk).update(status=status)
        programme.refresh_from_db()
    return programme
