"""Links between the drop-in pages that more than one part makes."""

from django.urls import reverse


def helper_page_url(user_id: int) -> str:
    """The helper's page: their offer, free slots and the booking form."""
    return reverse("dropin:helper", args=[user_id])


def session_page_url(meeting_id: int) -> str:
    """A one-off session's page: its purpose, the answer, and afterwards the recap."""
    return reverse("dropin:session", args=[meeting_id])
