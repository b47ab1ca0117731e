"""Drop-in help: a helper's page with their free slots and the booking form,
the booking's confirmation and .ics, and "My bookings" with cancelling.

Every object is fetched through the viewer: a slot through
booking.bookable_slots (what they may book), a booking through
booking.meeting_for_person (its booker or helper). Anyone else gets 404."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from people.models import Tag
from sessions_log.models import Meeting, OfficeHourSlot
from sessions_log.office_hours import OfficeHoursError, meeting_ics, user_timezone
from sessions_log.selectors import when_text
from sessions_log.services import timezone_name_of

from . import booking
from .booking import BookingError, SlotTaken
from .forms_booking import BookingForm, CancelBookingForm
from .models import HelperOffer, SessionRequest
from .times import within_waking_hours


def _offer_or_404(viewer, user_id: int) -> HelperOffer:
    offer = (
        HelperOffer.objects.select_related("user__profile")
        .prefetch_related("skills")
        .filter(user_id=user_id, user__is_active=True)
        .first()
    )
    if offer is None or (not offer.listed and offer.user_id != viewer.pk):
        raise Http404("No such helper.")
    return offer


def _days(slots: list[booking.BookableSlot]) -> list[tuple]:
    """Grouped by the day as the viewer lives it, not as UTC would cut it."""
    return [(day, list(group)) for day, group in groupby(slots, key=lambda item: item.starts_local.date())]


@login_required
def helper_page(request: HttpRequest, user_id: int) -> HttpResponse:
    offer = _offer_or_404(request.user, user_id)
    night = request.GET.get("night") == "1"
    everything = booking.bookable_slots(request.user, helper_user_id=user_id, include_night=True)
    zone = user_timezone(request.user)
    shown = [item for item in everything if night or within_waking_hours(item.slot.starts_at, item.slot.minutes, zone)]
    chosen = next((item for item in everything if str(item.slot.pk) == request.GET.get("slot")), None)
    helper_zone = user_timezone(offer.user)
    return render(request, "dropin/helper.html", {
        "offer": offer, "helper": offer.user, "profile": getattr(offer.user, "profile", None),
        "skills": list(offer.skills.all()), "days": _days(shown), "night": night,
        "hidden_at_night": len(everything) - len(shown), "viewer_tz": zone, "helper_tz": helper_zone,
        "helper_now": timezone.localtime(timezone=helper_zone), "chosen": chosen,
        "is_me": offer.user_id == request.user.pk,
        "form": BookingForm(skills=offer.skills.all()) if chosen else None,
    })  # fmt: skip


@login_required
def slot_book(request: HttpRequest, slot_pk: int) -> HttpResponse:
    """The booking form for one slot (GET), and the booking (POST). The helper's
    page shows the same form inline; office-hours pages link here."""
    found = booking.bookable_slots(request.user, include_night=True, slot_pk=slot_pk)
    if not found:
        # Taken, past, or never theirs to book: say so where it helps, 404 otherwise.
        if OfficeHourSlot.objects.filter(pk=slot_pk, booked_by__user=request.user).exists():
            return redirect("dropin:bookings")
        raise Http404("No such slot.")
    chosen = found[0]
    helper = chosen.slot.mentor.user
    skills = Tag.objects.filter(helper_offers__user=helper)
    form = BookingForm(request.POST or None, skills=skills)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = booking.session_book(slot=chosen.slot, user=request.user, purpose=form.cleaned_data["purpose"],
                                           topic=form.cleaned_data["topic"])  # fmt: skip
        except SlotTaken as error:
            messages.warning(request, str(error))
            return redirect(reverse("dropin:helper", args=[helper.pk]) if hasattr(helper, "helper_offer")
                            else reverse("sessions_log:office_hours", args=[chosen.slot.programme_id]))  # fmt: skip
        except OfficeHoursError as error:  # BookingError included
            form.add_error("purpose" if isinstance(error, BookingError) and "help with" in str(error) else None,
                           str(error))  # fmt: skip
        else:
            return redirect("dropin:booking", meeting.pk)
    return render(request, "dropin/booking_form.html", {
        "chosen": chosen, "helper": helper, "form": form, "viewer_tz": user_timezone(request.user),
    })  # fmt: skip


def _booking_or_404(user, meeting_pk: int) -> Meeting:
    meeting = booking.meeting_for_person(user, meeting_pk)
    if meeting is None:
        raise Http404("No such booking.")
    return meeting


@login_required
def booking_done(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    """The booking as its two people see it: the time in both zones, what it is
    for, the answer so far and the invitation to download."""
    meeting = _booking_or_404(request.user, meeting_pk)
    me_booker = meeting.mentee.user_id == request.user.pk
    other = meeting.mentor.user if me_booker else meeting.mentee.user
    zone = timezone_name_of(request.user)
    return render(request, "dropin/booking_done.html", {
        "meeting": meeting, "other": other, "me_booker": me_booker, "request_": meeting.session_request,
        "when": when_text(meeting.starts_at, zone, [(other.get_full_name(), timezone_name_of(other))],
                          now=timezone.now()),
        "viewer_tz": user_timezone(request.user),
    })  # fmt: skip


@login_required
def booking_ics(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = _booking_or_404(request.user, meeting_pk)
    response = HttpResponse(meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="drop-in-{meeting.pk}.ics"'
    return response


@login_required
def bookings(request: HttpRequest) -> HttpResponse:
    """My bookings: upcoming one-off sessions I booked (with cancel), and the
    answers: waiting, or declined with the reason and whom to ask instead."""
    mine = list(booking.bookings_of(request.user))
    declined = [m for m in mine if m.session_request.answer == SessionRequest.Answer.DECLINED]
    return render(request, "dropin/bookings.html", {
        "upcoming": [m for m in mine if m.status == Meeting.Status.SCHEDULED and m not in declined],
        "declined": declined,
        "viewer_tz": user_timezone(request.user), "cancel_form": CancelBookingForm(),
    })  # fmt: skip


@login_required
@require_POST
def booking_cancel(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = _booking_or_404(request.user, meeting_pk)
    slot = getattr(meeting, "office_hour_slot", None)
    if meeting.mentee.user_id != request.user.pk or slot is None:
        raise Http404("No such booking.")
    form = CancelBookingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say briefly why you are cancelling (300 characters at most).")
    else:
        try:
            booking.session_cancel(slot=slot, user=request.user, reason=form.cleaned_data["reason"])
        except OfficeHoursError as error:  # BookingError included
            messages.error(request, str(error))
        else:
            messages.success(request, "Your booking is cancelled and the slot is free for others.")
    # Back where the person cancelled from (My bookings or the office-hours page).
    back = request.POST.get("next", "")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("dropin:bookings")
    return HttpResponseRedirect(back)  # a path, never a view name
