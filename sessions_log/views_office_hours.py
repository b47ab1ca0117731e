"""Office hours: mentors publish slots, mentees book and cancel, coordinators
look on. Every view fetches the programme through
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
from .forms_resources import CancelBookingForm, SlotPublishForm
from .models import OfficeHourSlot
from .office_hours import OfficeHoursError, SlotTaken


def _page(programme_pk: int) -> str:
    return reverse("sessions_log:office_hours", args=[programme_pk])


@login_required
def office_hours_page(request: HttpRequest, programme_pk: int) -> HttpResponse:
    access = office_hours.get_office_hours_for_user(request.user, programme_pk)
    tz = office_hours.user_timezone(request.user)
    context = {"programme": access.programme, "access": access, "viewer_tz": tz}
    if access.is_mentee:
        slots = list(office_hours.free_slots(access.programme))
        # Grouped by the day as the mentee lives it, not as UTC would cut it.
        context["days"] = [
            (day, list(group))
            for day, group in groupby(slots, key=lambda slot: timezone.localtime(slot.starts_at, tz).date())
        ]
        context["bookings"] = office_hours.bookings_of(access.me)
        context["cancel_form"] = CancelBookingForm()
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
def slot_book(request: HttpRequest, programme_pk: int, slot_pk: int) -> HttpResponse:
    access = office_hours.get_office_hours_for_user(request.user, programme_pk)
    if not access.is_mentee:
        raise PermissionDenied("Only the programme's mentees book office hours.")
    slot = get_object_or_404(OfficeHourSlot.objects.select_related("mentor__user"), pk=slot_pk,
                             programme=access.programme)  # fmt: skip
    try:
        office_hours.slot_book(slot=slot, mentee=access.me)
    except SlotTaken as error:
        messages.warning(request, str(error))
    except OfficeHoursError as error:
        messages.error(request, str(error))
    else:
        local = timezone.localtime(slot.starts_at, office_hours.user_timezone(request.user))
        messages.success(request, f"Booked: {local:%A %-d %B, %H:%M} with {slot.mentor.user.get_full_name()}. "
                                  "An invitation is on its way to your inbox.")  # fmt: skip
    return redirect(_page(programme_pk))


@login_required
@require_POST
def booking_cancel(request: HttpRequest, programme_pk: int, slot_pk: int) -> HttpResponse:
    access = office_hours.get_office_hours_for_user(request.user, programme_pk)
    slot = get_object_or_404(OfficeHourSlot, pk=slot_pk, programme=access.programme)
    if not access.is_mentee or slot.booked_by_id != access.me.pk:
        raise PermissionDenied("Only the person who booked the slot can cancel it.")
    form = CancelBookingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say briefly why you are cancelling (300 characters at most).")
        return redirect(_page(programme_pk))
    try:
        office_hours.booking_cancel(slot=slot, by=request.user, reason=form.cleaned_data["reason"])
    except OfficeHoursError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your booking is cancelled and the slot is free for others.")
    return redirect(_page(programme_pk))


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
