"""Who may do what with personal data: everyone signed in reads, downloads and
asks to erase their own data (the URLs carry no person, so there is nobody
else's to ask for); only staff see the requests and carry one out early.
Everyone else gets 404, so the staff pages do not reveal that they exist."""

from django.http import Http404

from people.models import User

from .models import ErasureRequest


def may_handle_erasures(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.is_staff


def require_staff(user: User) -> None:
    if not may_handle_erasures(user):
        raise Http404("No such page.")


def get_pending_erasure_for_staff(user: User, pk: int) -> ErasureRequest:
    require_staff(user)
    erasure = ErasureRequest.objects.select_related("user").filter(pk=pk).first()
    if erasure is None:
        raise Http404("No such request.")
    return erasure
