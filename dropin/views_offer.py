"""The helper's pages: their offer, weekly availability, away days and requests
inbox. Each is the signed-in person's own; an object of anyone else's is
fetched through the person (…, user=request.user) and so is simply not found
(404). Views validate the form, call one service and show its refusal beside
the field it concerns."""

from datetime import timedelta
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from sessions_log.models import AwayDay, WeeklyAvailability
from sessions_log.services import timezone_name_of, zone_of

from . import availability as availability_service
from . import offer as offer_service
from . import requests as requests_service
from .availability import AvailabilityError
from .forms_offer import AvailabilityForm, AwayForm, DeclineForm, OfferForm, add_service_error
from .offer import OfferError
from .requests import RequestError


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# -- the offer ----------------------------------------------------------------


@login_required
def offer(request: HttpRequest) -> HttpResponse:
    mine = offer_service.offer_of(request.user)
    enrolments = offer_service.enrolments_of(request.user)
    joinable = [e.programme for e in enrolments if e.status == "joinable"]
    initial = {"listed": True, "weekly_cap": 3}
    if mine is not None:
        initial = {"about": mine.about, "skills": list(mine.skills.all()), "listed": mine.listed,
                   "weekly_cap": mine.weekly_cap}  # fmt: skip
    form = OfferForm(request.POST or None, initial=initial, joinable=joinable)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _offer, joined = offer_service.offer_save(
                user=request.user, about=data["about"], skills=data["skills"], listed=data["listed"],
                weekly_cap=data["weekly_cap"], join=list(data.get("join") or []),
            )  # fmt: skip
        except OfferError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Your offer is saved." if data["listed"] else
                             "Your offer is saved; you are not shown in the directory.")  # fmt: skip
            for enrolment in joined:
                if enrolment.status == "waiting":
                    messages.info(request, f"{enrolment.programme.name} asks its coordinator first: you can "
                                           "publish times there once they approve you.")  # fmt: skip
            return redirect("dropin:offer")
    return render(request, "dropin/offer.html", {
        "offer": mine, "form": form, "tab": "offer",
        "helping": [e for e in enrolments if e.status == "helping"],
        "waiting": [e for e in enrolments if e.status == "waiting"],
    })  # fmt: skip


@login_required
@require_POST
def offer_withdraw(request: HttpRequest) -> HttpResponse:
    if offer_service.offer_withdraw(user=request.user):
        messages.success(request, "You are no longer shown in the directory. Sessions already booked stay.")
    else:
        messages.info(request, "You are not shown in the directory.")
    return redirect("dropin:offer")


# -- weekly availability ------------------------------------------------------


@login_required
def availability(request: HttpRequest) -> HttpResponse:
    tz_name = timezone_name_of(request.user)
    today = availability_service.helper_today(request.user)
    enrolments = availability_service.helper_enrolments(request.user)
    initial = {"until": today + timedelta(weeks=26)}  # half a year unless they say otherwise
    form = AvailabilityForm(request.POST or None, enrolments=enrolments, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _availability, made = availability_service.availability_add(
                helper=data["helper"], by=request.user, weekday=data["weekday"], starts_at=data["starts_at"],
                ends_at=data["ends_at"], until=data["until"], format=data["format"], location=data["location"],
            )  # fmt: skip
        except AvailabilityError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Added: {_plural(made, 'slot')} in the next four weeks, and more each day.")
            return redirect("dropin:availability")
    now = timezone.now()
    rows = availability_service.availability_of(request.user, today=today).annotate(
        free=Count("slots", filter=Q(slots__starts_at__gt=now, slots__booked_by__isnull=True)),
        booked=Count("slots", filter=Q(slots__starts_at__gt=now, slots__booked_by__isnull=False)),
    )
    return render(request, "dropin/availability.html", {
        "form": form, "rows": rows, "tz_name": tz_name, "has_enrolments": enrolments.exists(), "tab": "availability",
    })  # fmt: skip


@login_required
@require_POST
def availability_remove(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(WeeklyAvailability.objects.select_related("helper"), pk=pk, helper__user=request.user)
    removed = availability_service.availability_remove(availability=row, by=request.user)
    text = f"Removed. {_plural(removed.withdrawn, 'free slot')} withdrawn."
    if removed.booked:
        text += f" {_plural(removed.booked, 'booked session')} stay{'s' if removed.booked == 1 else ''}: open them " \
                "from your requests to cancel with a reason."  # fmt: skip
    messages.success(request, text)
    return redirect("dropin:availability")


# -- away days ----------------------------------------------------------------


@login_required
def away(request: HttpRequest) -> HttpResponse:
    tz = zone_of(timezone_name_of(request.user))
    today = availability_service.helper_today(request.user)
    form = AwayForm(request.POST or None, initial={"first": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = availability_service.away_add(user=request.user, first=data["first"], last=data["last"])
        except AvailabilityError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Marked {_plural(len(result.days), 'day')} away; "
                                      f"{_plural(result.withdrawn, 'free slot')} withdrawn.")  # fmt: skip
            if result.bookings:
                count = len(result.bookings)
                when = "that day" if len(result.days) <= 1 else "those days"
                which = "it" if count == 1 else "each"
                messages.warning(
                    request,
                    f"You have {_plural(count, 'booking')} on {when}: open {which} below to cancel with a reason.",
                )
            return redirect("dropin:away")
    days = list(availability_service.away_days_of(request.user, today=today))
    bookings = availability_service.bookings_between(request.user, days[0].on, days[-1].on) if days else []
    by_day = {day: list(group) for day, group in
              groupby(bookings, key=lambda m: timezone.localtime(m.starts_at, tz).date())}  # fmt: skip
    return render(request, "dropin/away.html", {
        "form": form, "days": [(day, by_day.get(day.on, [])) for day in days], "tz": tz, "tab": "availability",
    })  # fmt: skip


@login_required
@require_POST
def away_remove(request: HttpRequest, pk: int) -> HttpResponse:
    day = get_object_or_404(AwayDay, pk=pk, user=request.user)
    made = availability_service.away_remove(away_day=day, by=request.user)
    messages.success(request, f"You are no longer away on {day.on:%A %-d %B}; {_plural(made, 'slot')} back.")
    return redirect("dropin:away")


# -- requests -----------------------------------------------------------------


@login_required
def requests_inbox(request: HttpRequest) -> HttpResponse:
    inbox = requests_service.requests_inbox(request.user)
    return render(request, "dropin/requests.html", {
        **inbox, "tz": zone_of(timezone_name_of(request.user)), "tab": "requests",
    })  # fmt: skip


@login_required
@require_POST
def request_accept(request: HttpRequest, pk: int) -> HttpResponse:
    asked = requests_service.get_request_for_helper(request.user, pk)
    try:
        requests_service.request_accept(request_id=asked.pk, by=request.user)
    except RequestError as error:
        messages.warning(request, str(error))
    else:
        messages.success(request, f"Accepted: {asked.meeting.mentee.user.get_full_name()} will see it.")
    return redirect("dropin:requests")


@login_required
def request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    asked = requests_service.get_request_for_helper(request.user, pk)
    candidates = list(requests_service.suggestion_candidates(asked))
    form = DeclineForm(request.POST or None, candidates=candidates, initial={"seen": asked.answer})
    if request.method == "POST" and form.is_valid():
        try:
            requests_service.request_decline(
                request_id=asked.pk, by=request.user, reason=form.cleaned_data["reason"],
                suggested_helper_id=form.cleaned_data.get("suggested_helper"), seen_answer=form.cleaned_data["seen"],
            )  # fmt: skip
        except RequestError as error:
            if error.field is None:
                messages.warning(request, str(error))
                return redirect("dropin:requests")
            add_service_error(form, error)
        else:
            messages.success(request, f"Declined. {asked.meeting.mentee.user.get_full_name()} is told why, "
                                      "and the slot is free again.")  # fmt: skip
            return redirect("dropin:requests")
    return render(request, "dropin/requests_decline.html", {
        "asked": asked, "form": form, "tz": zone_of(timezone_name_of(request.user)), "tab": "requests",
        "back": reverse("dropin:requests"),
    })  # fmt: skip
