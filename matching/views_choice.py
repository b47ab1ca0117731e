"""Participant choice pages: a mentee chooses mentors from suggestions and sends
ranked requests; a mentor answers them and may rank the mentees who asked.

Each view fetches the person's own enrolment in the programme (a mentee's for
choosing, a mentor's for answering); anyone else, HR included, gets 404, and a
mentor only ever finds requests addressed to them."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from people.models import User
from people.validators import VisibleTextFormMixin
from programmes import permissions
from programmes.models import Participant

from . import choice
from .models import Match, MatchRequest, MentorRanking
from .services import MatchingError


class RankForm(forms.Form):
    """One "choice" select per person; the chosen ones, ordered by rank, are `ranked`."""

    def __init__(self, *args, people: list[Participant], most: int, noun: str, label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.people, self.most, self.noun = people, most, noun
        options = [("", "Not chosen"), *((str(n), f"Choice {n}") for n in range(1, most + 1))]
        for person in people:
            self.fields[self.field_name(person)] = forms.TypedChoiceField(
                label=f"{label} {person.user}", choices=options, coerce=int, empty_value=None, required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )  # fmt: skip

    @staticmethod
    def field_name(person: Participant) -> str:
        return f"rank_{person.pk}"

    def rows(self):
        return [(person, self[self.field_name(person)]) for person in self.people]

    def clean(self):
        cleaned = super().clean()
        offered = {self.field_name(person) for person in self.people}
        if any(key.startswith("rank_") and key not in offered and value for key, value in self.data.items()):
            raise forms.ValidationError(
                f"Some of the {self.noun}s you ranked are no longer available; check the list and choose again."
            )
        ranks = [(cleaned.get(self.field_name(p)), p) for p in self.people if cleaned.get(self.field_name(p))]
        if len(ranks) > self.most:
            raise forms.ValidationError(f"You may choose at most {self.most} {self.noun}s.")
        used = [rank for rank, _ in ranks]
        twice = sorted({rank for rank in used if used.count(rank) > 1})
        if twice:
            raise forms.ValidationError(
                f"Give each {self.noun} a different choice: choice {twice[0]} is given more than once."
            )
        self.ranked = [person for _, person in sorted(ranks, key=lambda item: item[0])]
        return cleaned


class ChoiceForm(VisibleTextFormMixin, RankForm):
    message = forms.CharField(
        label="A short message for the mentors (optional)", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text="Say what you hope to work on; each mentor you ask sees it with your profile.",
    )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.ranked:
            raise forms.ValidationError("Choose at least one mentor: set “Choice 1” for the one you want most.")
        return cleaned


def _enrolment(user: User, pk: int, role: str) -> Participant:
    """The person's own enrolment in programme `pk` in this role, in a programme
    where participants choose; 404 for everyone else."""
    participant = get_object_or_404(
        Participant.objects.select_related("programme", "user"), programme_id=pk, user=user, role=role
    )
    if not choice.uses_choice(participant.programme):
        raise Http404("Participants do not choose in this programme.")
    return participant


@login_required
def choose(request: HttpRequest, pk: int) -> HttpResponse:
    mentee = _enrolment(request.user, pk, Participant.Role.MENTEE)
    programme = mentee.programme
    requests = list(choice.requests_of_mentee(mentee))
    live = [r for r in requests if r.status in choice.LIVE]
    problem = choice.choice_problem(mentee)
    if live or problem:
        if request.method == "POST":
            messages.error(request, problem or "Your requests are still waiting for answers.")
            return redirect("matching:choose", pk)
        match = Match.objects.filter(mentee=mentee, status=Match.Status.ACTIVE).select_related("mentor__user").first()
        return render(
            request, "matching/choice_status.html",
            {"programme": programme, "mentee": mentee, "requests": requests, "live": live, "problem": problem,
             "match": match},
        )  # fmt: skip
    options = choice.options_of(programme)
    suggestions = choice.suggestions_for(mentee)
    by_mentor = {s.mentor.pk: s for s in suggestions}
    form = ChoiceForm(
        request.POST if request.method == "POST" else None, people=[s.mentor for s in suggestions],
        most=min(options.max_choices, len(suggestions)), noun="mentor", label="Your choice for",
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            sent = choice.requests_send(mentee=mentee, ranked_mentors=form.ranked, message=form.cleaned_data["message"])
        except MatchingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Your request is with {sent[0].mentor.user}. They have {options.request_days} days to answer; "
                "if they cannot take you on, it passes to your next choice.",
            )
            return redirect("matching:choose", pk)
    profiles = choice.profiles_of(s.mentor.user_id for s in suggestions)
    cards = [(by_mentor[person.pk], field, profiles.get(person.user_id)) for person, field in form.rows()]
    return render(
        request, "matching/choice_choose.html",
        {"programme": programme, "mentee": mentee, "form": form, "cards": cards, "options": options,
         "earlier": requests},
    )  # fmt: skip


@login_required
@require_POST
def requests_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    mentee = _enrolment(request.user, pk, Participant.Role.MENTEE)
    withdrawn = choice.requests_cancel(mentee=mentee)
    if withdrawn:
        messages.success(request, "Your requests are withdrawn. You can choose mentors again.")
    else:
        messages.info(request, "You had no requests waiting.")
    return redirect("matching:choose", pk)


@login_required
def requests_inbox(request: HttpRequest, pk: int) -> HttpResponse:
    mentor = _enrolment(request.user, pk, Participant.Role.MENTOR)
    programme = mentor.programme
    pending = list(choice.requests_for_mentor(mentor))
    explained = choice.explain_pairs(programme, [(r.mentee, mentor) for r in pending])
    profiles = choice.profiles_of(r.mentee.user_id for r in pending)
    items = [(r, explained[(r.mentee_id, mentor.pk)], profiles.get(r.mentee.user_id)) for r in pending]
    active = Match.objects.filter(mentor=mentor, status=Match.Status.ACTIVE).count()
    requesters = choice.requesters_of(mentor)
    ranking_form = None
    if len(requesters) > 1:  # ranking one person says nothing; declining says no
        current = dict(MentorRanking.objects.filter(mentor=mentor).values_list("mentee_id", "rank"))
        ranking_form = RankForm(
            people=requesters, most=len(requesters), noun="mentee", label="Your ranking of",
            initial={RankForm.field_name(p): current[p.pk] for p in requesters if p.pk in current},
        )  # fmt: skip
    return render(
        request, "matching/requests_inbox.html",
        {"programme": programme, "mentor": mentor, "items": items, "active": active,
         "room": max(0, (mentor.capacity or 0) - active), "ranking_form": ranking_form},
    )  # fmt: skip


def _request_for_mentor(user: User, pk: int, request_pk: int) -> MatchRequest:
    mentor = _enrolment(user, pk, Participant.Role.MENTOR)
    return get_object_or_404(
        MatchRequest.objects.select_related("mentee__user", "programme"), pk=request_pk, programme_id=pk, mentor=mentor
    )


@login_required
@require_POST
def request_accept(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    match_request = _request_for_mentor(request.user, pk, request_pk)
    try:
        choice.request_accept(request=match_request, by=request.user)
    except MatchingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"You are now {match_request.mentee.user}'s mentor. We have told them by mail.")
    return redirect("matching:requests", pk)


@login_required
@require_POST
def request_decline(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    match_request = _request_for_mentor(request.user, pk, request_pk)
    try:
        choice.request_decline(request=match_request, by=request.user)
    except MatchingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Declined. {match_request.mentee.user}'s request passes to their next choice.")
    return redirect("matching:requests", pk)


@login_required
@require_POST
def mentor_ranking(request: HttpRequest, pk: int) -> HttpResponse:
    mentor = _enrolment(request.user, pk, Participant.Role.MENTOR)
    requesters = choice.requesters_of(mentor)
    form = RankForm(request.POST, people=requesters, most=len(requesters), noun="mentee", label="Your ranking of")
    if not form.is_valid():
        for error in form.non_field_errors() or ["Choose a rank from the list for each mentee."]:
            messages.error(request, error)
        return redirect("matching:requests", pk)
    try:
        choice.mentor_rankings_set(mentor=mentor, ranked_mentees=form.ranked)
    except MatchingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your ranking is saved. The coordinators use it if they resolve requests together.")
    return redirect("matching:requests", pk)


@login_required
@require_POST
def stable_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    programme = permissions.get_programme_for_coordinator(request.user, pk)
    try:
        run = choice.stable_resolve(programme=programme, by=request.user)
    except MatchingError as error:
        messages.error(request, str(error))
        return redirect("matching:console", pk)
    messages.success(
        request, f"Stable matching proposes {run.stats['matched']} of {run.stats['mentees']} waiting mentees; "
        "review the pairs, then publish.",
    )  # fmt: skip
    return redirect(run.get_absolute_url())
