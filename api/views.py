"""The REST API under /api/v1/: thin views over the same permission helpers,
selectors and services as the browser's views, so a token does what its person
can do in the browser, no more (and, through its scopes, often less).

Each view names its scopes (`required_scopes`, api.permissions). Objects come
through each app's permission helper: what the person may not see is a 404, as
in the browser. Writes run their service and the API_WRITE audit entry in one
transaction; exports are recorded like the browser's (reports.exports.audit_start)."""

from django.db import transaction
from django.db.models import BooleanField, Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.forms import AuditFilterForm
from audit.models import AuditEvent
from audit.selectors import audit_events
from matching import services as matching_services
from matching.models import Match
from matching.permissions import get_match_for_user, get_run_for_coordinator
from mentoring.db_routers import reads_from_reports_database
from people.selectors import get_person_for_viewer, people_visible_to
from programmes import services as programme_services
from programmes.forms import ApplicationForm
from programmes.models import Coordinator, Participant, Programme
from programmes.permissions import (
    get_programme_for_coordinator,
    get_programme_for_viewer,
    programmes_coordinated_by,
    programmes_visible_to,
)
from programmes.selectors import participants_for_programme
from reports import figures
from reports.exports import SHEETS, UnknownTable
from reports.forms import ReportFilterForm
from reports.permissions import require_reports_access
from reports.views_exports import CONTENT_TYPES, ZIP, export_response
from sessions_log.models import Feedback, Recap
from sessions_log.permissions import feedback_visible_to, get_workspace, recaps_visible_to

from . import serializers as s
from .permissions import scopes_for
from .services import api_write_record

# -- documentation helpers -----------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


_ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Bad input: `detail`, or each field's errors."),
    401: OpenApiResponse(ErrorSerializer, description="No token, or one unknown, revoked or expired."),
    403: OpenApiResponse(ErrorSerializer, description="The token lacks the scope this needs."),
    404: OpenApiResponse(ErrorSerializer, description="Not found, or not yours to see (the same answer)."),
    409: OpenApiResponse(ErrorSerializer, description="The run changed since you read it: nothing was done."),
    429: OpenApiResponse(ErrorSerializer, description="Over the token's rate: wait `Retry-After` seconds."),
}


def responses(ok: dict, *errors: int) -> dict:
    """The operation's success responses and its errors (401, 403, 404 and 429 always)."""
    return ok | {code: _ERRORS[code] for code in sorted({401, 403, 404, 429, *errors})}


def _form_errors(form) -> dict:
    return {field: [str(message) for message in messages] for field, messages in form.errors.items()}


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)  # a 400 with each field's errors
    return serializer.validated_data


# -- programmes ---------------------------------------------------------------------


def _programmes_for(user):
    """The programmes the person may open in the browser, with whether they
    coordinate each and their own enrolment: one query."""
    mine = Participant.objects.filter(programme=OuterRef("pk"), user=user)
    coordinating = (
        Value(True, output_field=BooleanField())
        if user.is_staff
        else Exists(Coordinator.objects.filter(programme=OuterRef("pk"), user=user))
    )
    return programmes_visible_to(user).annotate(
        coordinating=coordinating,
        my_role=Subquery(mine.values("role")[:1]),
        my_status=Subquery(mine.values("status")[:1]),
    )


class ProgrammeList(generics.ListAPIView):
    required_scopes = scopes_for("programmes")
    serializer_class = s.ProgrammeSerializer

    def get_queryset(self):
        return _programmes_for(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(summary="Programmes you may open", responses=responses({200: s.ProgrammeSerializer(many=True)}))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ProgrammeDetail(APIView):
    required_scopes = scopes_for("programmes")

    @extend_schema(summary="A programme", responses=responses({200: s.ProgrammeSerializer}))
    def get(self, request, pk: int):
        programme = get_programme_for_viewer(request.user, pk)
        return Response(s.ProgrammeSerializer(_programmes_for(request.user).get(pk=programme.pk)).data)


class ParticipantList(generics.ListAPIView):
    """A programme's participants, for its coordinators (and staff)."""

    required_scopes = scopes_for("programmes")
    serializer_class = s.ParticipantSerializer

    class Filters(serializers.Serializer):
        role = serializers.ChoiceField(choices=Participant.Role.choices, required=False)
        status = serializers.ChoiceField(choices=Participant.Status.choices, required=False)
        q = serializers.CharField(max_length=100, required=False, help_text="Part of a name or an email address.")

    def get_queryset(self):
        programme = get_programme_for_coordinator(self.request.user, self.kwargs["pk"])
        return participants_for_programme(programme, **_valid(self.Filters, self.request.query_params))

    @extend_schema(
        summary="A programme's participants (its coordinators)", parameters=[Filters],
        responses=responses({200: s.ParticipantSerializer(many=True)}, 400),
    )  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class Enrolment(APIView):
    """The token's person applying to a programme, or withdrawing from it."""

    required_scopes = scopes_for("programmes")

    @extend_schema(
        summary="Apply to a programme", request=s.EnrolInput,
        responses=responses({201: s.EnrolmentSerializer}, 400),
    )  # fmt: skip
    def post(self, request, pk: int):
        programme = get_programme_for_viewer(request.user, pk)
        data = _valid(s.EnrolInput, request.data)
        if programme.asked_profile_fields:
            raise serializers.ValidationError(
                {"detail": "This programme asks for profile details with each application: apply in the browser."}
            )
        form_data = {"role": data["role"], "capacity": data.get("capacity") or ""}
        form_data |= {f"question_{key}": value for key, value in (data.get("answers") or {}).items()}
        form = ApplicationForm(form_data, programme=programme)
        if not form.is_valid():
            raise serializers.ValidationError(_form_errors(form))
        with transaction.atomic():
            participant = programme_services.participant_apply(
                programme=programme, user=request.user, role=form.cleaned_data["role"],
                capacity=form.cleaned_data.get("capacity"), answers=form.answers,
            )  # fmt: skip
            api_write_record(request, target=participant, person=request.user, summary=f"Applied to {programme}")
        return Response(s.EnrolmentSerializer(participant).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Withdraw from a programme", responses=responses({200: s.EnrolmentSerializer}))
    def delete(self, request, pk: int):
        programme = get_programme_for_viewer(request.user, pk)
        participant = get_object_or_404(Participant, programme=programme, user=request.user)
        with transaction.atomic():
            programme_services.participant_withdraw(participant=participant)
            api_write_record(request, target=participant, person=request.user, summary=f"Withdrew from {programme}")
        return Response(s.EnrolmentSerializer(participant).data)


class ParticipantDecision(APIView):
    """A coordinator approving, waitlisting or declining an application."""

    required_scopes = scopes_for("programmes")

    @extend_schema(
        summary="Approve, waitlist or decline an application (its coordinators)", request=s.DecisionInput,
        responses=responses({200: s.ParticipantSerializer}, 400),
    )  # fmt: skip
    def post(self, request, pk: int, participant_pk: int):
        programme = get_programme_for_coordinator(request.user, pk)
        participant = get_object_or_404(programme.participants.select_related("user"), pk=participant_pk)
        data = _valid(s.DecisionInput, request.data)
        with transaction.atomic():
            programme_services.participant_decide(participant=participant, status=data["status"], by=request.user)
            api_write_record(
                request, target=participant, person=participant.user,
                summary=f"Application {data['status']} in {programme}",
            )  # fmt: skip
        return Response(s.ParticipantSerializer(participant).data)


# -- matching -----------------------------------------------------------------------


def _runs(programme: Programme):
    return programme.match_runs.annotate(proposal_count=Count("proposals")).order_by("-number")


class MatchList(generics.ListAPIView):
    """The person's own pairs and, for coordinators, their programmes' pairs."""

    required_scopes = scopes_for("matching")
    serializer_class = s.MatchSerializer

    class Filters(serializers.Serializer):
        programme = serializers.IntegerField(required=False, min_value=1)
        status = serializers.ChoiceField(choices=Match.Status.choices, required=False)

    def get_queryset(self):
        user = self.request.user
        filters = _valid(self.Filters, self.request.query_params)
        matches = Match.objects.filter(
            Q(mentee__user=user) | Q(mentor__user=user) | Q(programme__in=programmes_coordinated_by(user))
        )
        if "programme" in filters:
            matches = matches.filter(programme_id=filters["programme"])
        if "status" in filters:
            matches = matches.filter(status=filters["status"])
        return matches.select_related("mentee__user", "mentor__user").order_by("-created_at", "-pk")

    @extend_schema(
        summary="Matches: your own pairs, and your programmes' as a coordinator", parameters=[Filters],
        responses=responses({200: s.MatchSerializer(many=True)}, 400),
    )  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class MatchDetail(APIView):
    required_scopes = scopes_for("matching")

    @extend_schema(
        summary="A match (its two people and its coordinators)", responses=responses({200: s.MatchSerializer})
    )
    def get(self, request, pk: int):
        match, _role = get_match_for_user(request.user, pk)
        return Response(s.MatchSerializer(match).data)


class RunList(generics.ListAPIView):
    required_scopes = scopes_for("matching")
    serializer_class = s.MatchRunSerializer

    def get_queryset(self):
        return _runs(get_programme_for_coordinator(self.request.user, self.kwargs["pk"]))

    @extend_schema(summary="A programme's match runs (its coordinators)",
                   responses=responses({200: s.MatchRunSerializer(many=True)}))  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Run matching (its coordinators)", request=None,
        responses=responses({202: s.MatchRunSerializer}, 400),
    )  # fmt: skip
    def post(self, request, pk: int):
        programme = get_programme_for_coordinator(request.user, pk)
        with transaction.atomic():
            run = matching_services.match_run_start(programme=programme, by=request.user)
            api_write_record(request, target=run, summary=f"Matching started in {programme}")
        return Response(s.MatchRunSerializer(_runs(programme).get(pk=run.pk)).data, status=status.HTTP_202_ACCEPTED)


class RunDetail(APIView):
    required_scopes = scopes_for("matching")

    @extend_schema(
        summary="A match run (its programme's coordinators)", responses=responses({200: s.MatchRunSerializer})
    )
    def get(self, request, pk: int, run_pk: int):
        run = get_run_for_coordinator(request.user, pk, run_pk)
        return Response(s.MatchRunSerializer(_runs(run.programme).get(pk=run.pk)).data)


class RunPublish(APIView):
    """Publish a run through the console's own service: all its proposals become
    matches and both people in each pair are mailed. `expected_matches` is the
    console's confirmation: a run changed since it was read publishes nothing."""

    required_scopes = scopes_for("matching")

    @extend_schema(
        summary="Publish a run (its coordinators)", request=s.PublishInput,
        responses=responses({200: s.PublishResult}, 400, 409),
    )  # fmt: skip
    def post(self, request, pk: int, run_pk: int):
        run = get_run_for_coordinator(request.user, pk, run_pk)
        data = _valid(s.PublishInput, request.data)
        proposals = run.proposals.count()
        if data["expected_matches"] != proposals:
            return Response(
                {"detail": f"Nothing was published: the run has {proposals} proposals, not "
                           f"{data['expected_matches']}. Read it again."},
                status=status.HTTP_409_CONFLICT,
            )  # fmt: skip
        with transaction.atomic():
            matches = matching_services.match_run_publish(run=run, by=request.user)
            api_write_record(request, target=run, summary=f"{len(matches)} matches published in {run.programme}")
        fresh = _runs(run.programme).get(pk=run.pk)
        return Response({"published": len(matches), "run": s.MatchRunSerializer(fresh).data})


# -- meetings and goals --------------------------------------------------------------


class MeetingList(generics.ListAPIView):
    """A pair's meetings: when, how long, how, and their status; how many recaps the
    caller may read and how much feedback they may see, never what anyone wrote."""

    required_scopes = scopes_for("sessions", write=False)
    serializer_class = s.MeetingSerializer

    def get_queryset(self):
        user = self.request.user
        match, role = get_workspace(user, self.kwargs["pk"])
        recaps = recaps_visible_to(user, role, Recap.objects.filter(meeting=OuterRef("pk")))
        feedback = feedback_visible_to(user, role, Feedback.objects.filter(meeting=OuterRef("pk")))

        def counted(queryset):
            return Coalesce(Subquery(queryset.order_by().values("meeting").annotate(n=Count("pk")).values("n")), 0)

        return match.meetings.annotate(recap_count=counted(recaps), feedback_count=counted(feedback)).order_by(
            "starts_at", "pk"
        )

    @extend_schema(summary="A pair's meetings (dates and statuses only)",
                   responses=responses({200: s.MeetingSerializer(many=True)}))  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class GoalList(generics.ListAPIView):
    required_scopes = scopes_for("sessions", write=False)
    serializer_class = s.GoalSerializer

    def get_queryset(self):
        match, _role = get_workspace(self.request.user, self.kwargs["pk"])
        return match.goals.select_related("owner").annotate(note_count=Count("notes")).order_by("created_at", "pk")

    @extend_schema(summary="A pair's goals (statuses and dates only)",
                   responses=responses({200: s.GoalSerializer(many=True)}))  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# -- reports ----------------------------------------------------------------------------

_REPORT_FILTERS = [
    OpenApiParameter("programme", int, many=True, description="Programme ids (none: every one you may report on)."),
    OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE),
]


def _report_filter(request) -> ReportFilterForm:
    require_reports_access(request.user)
    form = ReportFilterForm(request.query_params, user=request.user)
    if not form.is_valid():
        raise serializers.ValidationError(_form_errors(form))
    return form


def _figure(cell) -> dict:
    return {"value": cell.value if cell.shown else None, "hidden": not cell.shown}


def _table(table) -> dict:
    return {
        "key": table.key, "title": table.title,
        "columns": [{"key": key, "label": label} for key, label in table.columns],
        "rows": [
            {"label": row.label, "total": row.total, "cells": {key: _figure(cell) for key, cell in row.cells.items()}}
            for row in table.rows
        ],
    }  # fmt: skip


class Figures(APIView):
    """HR's figures: the same protected report as the reports page (k >= 5 per cell,
    with complementary suppression): a hidden figure is null with `hidden: true`."""

    required_scopes = scopes_for("reports", write=False)

    @extend_schema(
        summary="HR figures (HR viewers and staff)",
        parameters=[*_REPORT_FILTERS, OpenApiParameter("by", str, description=(
            f"The breakdown (default: programme): one of {', '.join(figures.FIXED_BREAKDOWNS)}, an active "
            f"attribute's key (e.g. gender_identity) or {figures.NETWORK}."))],
        responses=responses({200: s.FiguresSerializer}, 400),
    )  # fmt: skip
    @method_decorator(reads_from_reports_database)
    def get(self, request):
        form = _report_filter(request)
        report_filter, by = form.report_filter(), form.breakdown()
        report = figures.build_report(request.user, report_filter, attributes=figures.is_attribute(by))
        return Response({
            **report_filter.as_dict(), "by": by,
            "headline": {key: _figure(cell) for key, cell in report.headline.items()},
            "tables": [_table(report.tables[key]) for key in (by, "goals", "reasons", "health")],
        })  # fmt: skip


class AnyAccept(BaseContentNegotiation):
    """The exports answer a file whatever the Accept header says (the JSON renderer
    is only for their errors)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class Export(APIView):
    """A report export, as the browser downloads it, recorded in the export log and
    the audit log (with the token's prefix) before it streams."""

    required_scopes = scopes_for("reports", write=False)
    content_negotiation_class = AnyAccept

    @extend_schema(
        summary="Download an export (HR viewers and staff)",
        parameters=[
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(SHEETS)),
            OpenApiParameter("file_format", str, OpenApiParameter.PATH, enum=list(CONTENT_TYPES)),
            *_REPORT_FILTERS,
            OpenApiParameter("table", str, description=(
                "One table of the export by its key (e.g. by_department). Without it, the figures as CSV "
                "are a zip of one CSV per table.")),
        ],
        responses=responses({(200, media): OpenApiTypes.BINARY
                             for media in ("text/csv", CONTENT_TYPES["xlsx"], ZIP)}, 400),
    )  # fmt: skip
    @method_decorator(reads_from_reports_database)
    def get(self, request, kind: str, file_format: str):
        if kind not in SHEETS or file_format not in CONTENT_TYPES:
            raise Http404("No such export.")
        form = _report_filter(request)
        try:
            return export_response(
                request._request, user=request.user, kind=kind, file_format=file_format,
                report_filter=form.report_filter(), token=request.auth, table=request.query_params.get("table", ""),
            )  # fmt: skip
        except UnknownTable as error:
            raise serializers.ValidationError({"table": [str(error)]}) from error


# -- people and the audit log (staff) ------------------------------------------------------


def _require_staff(user) -> None:
    if not user.is_staff:
        raise Http404("No such page.")


class PersonList(generics.ListAPIView):
    required_scopes = scopes_for("people", write=False)
    serializer_class = s.PersonSerializer

    class Filters(serializers.Serializer):
        q = serializers.CharField(max_length=100, required=False, help_text="Part of a name or an email address.")

    def get_queryset(self):
        _require_staff(self.request.user)
        people = people_visible_to(self.request.user).select_related("profile__department")
        q = _valid(self.Filters, self.request.query_params).get("q", "").strip()
        if q:
            people = people.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
        return people.order_by("full_name", "pk")

    @extend_schema(summary="People (staff)", parameters=[Filters],
                   responses=responses({200: s.PersonSerializer(many=True)}, 400))  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PersonDetail(APIView):
    required_scopes = scopes_for("people", write=False)

    @extend_schema(summary="A person (staff)", responses=responses({200: s.PersonSerializer}))
    def get(self, request, pk: int):
        _require_staff(request.user)
        return Response(s.PersonSerializer(get_person_for_viewer(request.user, pk)).data)


class AuditEventList(generics.ListAPIView):
    required_scopes = scopes_for("audit", write=False)
    serializer_class = s.AuditEventSerializer

    def get_queryset(self):
        _require_staff(self.request.user)
        form = AuditFilterForm(self.request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(_form_errors(form))
        data = form.cleaned_data
        return audit_events(action=data["action"], actor_email=data["actor"], since=data["since"], until=data["until"])

    @extend_schema(
        summary="The audit log (staff), newest first",
        parameters=[
            OpenApiParameter("action", str, enum=[value for value, _label in AuditEvent.Action.choices]),
            OpenApiParameter("actor", str, description="Events done by, or concerning, this email address."),
            OpenApiParameter("since", OpenApiTypes.DATE),
            OpenApiParameter("until", OpenApiTypes.DATE),
        ],
        responses=responses({200: s.AuditEventSerializer(many=True)}, 400),
    )  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
