"""Office hours: mentors publish slots, coordinators look on, and the people
who may book see the helpers and their next free slots. Booking and cancelling
are drop-in help's (dropin:book, dropin:booking_cancel: one booking service,
dropin.booking.session_book). Every view fetches the programme through
office_hours.get_office_hours_for_user (404 for outsiders, HR included); a
member acting outside their role gets 403."""

from datetime import timedelta
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import office_hours
from .forms_resources import SlotPublishForm
from .models import OfficeHourSlot
from .office_hours import OfficeHoursError

NEXT_SLOTS = 40  # the page shows the soonest; each helper's page shows all of theirs


def _page(programme_pk: int) -> str:
    return reverse("sessions_log:office_hours", args=[programme_pk])


@login_required
def office_hours_page(request: HttpRequest, programme_pk: int) -> HttpResponse:
    access = office_hours.get_office_hours_for_user(request.user, programme_pk)
    tz = office_hours.user_timezone(request.user)
    night = request.GET.get("night") == "1"
    context = {"programme": access.programme, "access": access, "viewer_tz": tz, "night": night,
               "helpers": office_hours.helpers_of(access.programme),
               "slot_minutes": office_hours.SLOT_MINUTES}  # fmt: skip
    if access.may_book:
        # Called at request time: drop-in help sits above sessions_log, and its
        # bookable_slots is the one rule for who sees which slot (site, night).
        from dropin.booking import bookable_slots

        slots = bookable_slots(request.user, include_night=night, programme_id=access.programme.pk)[:NEXT_SLOTS]
        # Grouped by the day as the viewer lives it, not as UTC would cut it.
        context["days"] = [(day, list(group)) for day, group in groupby(slots, key=lambda i: i.starts_local.date())]
        context["bookings"] = office_hours.bookings_of(access.me) if access.me else []
    if access.is_mentor:
        context["my_slots"] = office_hours.slots_of(access.me)
    if access.is_coordinator:
        context["all_slots"] = (
            OfficeHourSlot.objects.filter(programme=access.programme, starts_at__gte=timezone.now())
            .select_related("mentor__user", "booked_by__user")
            .order_by("starts_at", "pk")
        )
    return render(request, "sessions_log/office_hours_page.html", context)


@login_required
def slot_publish(request: HttpRequest, programme_pk: int) -> HttpResponse:
    access = office_hours.get_office_hours_for_user(request.user, programme_pk)
    if not access.is_mentor:
        raise PermissionDenied("Only the programme's mentors publish office hours.")
    tz = office_hours.user_timezone(request.user)
    form = SlotPublishForm(request.POST or None, initial={"day": timezone.localdate(timezone=tz) + timedelta(days=1)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            slots = office_hours.slots_publish(
                mentor=access.me, day=data["day"], start=data["start"], count=data["count"],
                format=data["format"], location=data["location"],
            )  # fmt: skip
        except OfficeHoursError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Published {len(slots)} slot{'s' if len(slots) != 1 else ''}.")
            return redirect(_page(programme_pk))
    return render(request, "sessions_log/office_hours_publish.html", {
        "programme": access.programme, "form": form, "tz_name": str(tz),
    })  # fmt: skip


@login_required
@require_POST
def slot_withdraw(request: HttpRequest, programme_pk: int, slot_pk: int) -> HttpResponse:
    access = office_hours.get_office_hours_for_user(request.user, programme_pk)
    slot = get_object_or_404(OfficeHourSlot.objects.select_related("mentor"), pk=slot_pk, programme=access.programme)
    if not access.is_mentor or slot.mentor_id != access.me.pk:
        raise PermissionDenied("Only the mentor who published a slot can withdraw it.")
    try:
        office_hours.slot_withdraw(slot=slot, by=request.user)
    except OfficeHoursError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The slot is withdrawn.")
    return redirect(_page(programme_pk))
