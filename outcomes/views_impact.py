"""The impact report (page and PDF), HR's view of every programme's impact, and
certificates of participation.

Who sees what: a programme's impact report is for its coordinators (and staff)
and for HR viewers whose scope holds it (reports.permissions); participants and
other programmes' coordinators get 404, as for every programme page they may not
open. The certificates page is the coordinators'; a participant's own certificate
is theirs alone (404 for everyone else, coordinators included)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from audit.models import AuditEvent
from audit.services import audit_record
from programmes.models import Participant, Programme
from programmes.permissions import get_programme_for_coordinator, programmes_coordinated_by
from reports.models import ExportAudit, ReportSubscription
from reports.permissions import programmes_for_reports, require_reports_access

from . import certificates, impact
from .models import CompletionCriteria
from .pdf import PDF_CONTENT_TYPE, impact_pdf, render_pdf

PROGRAMMES_PER_PAGE = 10


def _programme_for_impact(user, pk: int) -> Programme:
    """A programme the person coordinates or may report on, with its objectives; else 404."""
    allowed = Q(pk__in=programmes_coordinated_by(user).values("pk")) | Q(
        pk__in=programmes_for_reports(user).values("pk")
    )
    programme = Programme.objects.filter(allowed, pk=pk).prefetch_related("objectives").first()
    if programme is None:
        raise Http404("No such programme.")
    return programme


@login_required
@require_GET
def programme_report(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme_for_impact(request.user, pk)
    report = impact.build_report(programme, viewer=request.user)
    return render(request, "outcomes/impact_report.html", {"programme": programme, "report": report})


@login_required
@require_GET
def programme_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same report as a PDF; a download is an export, logged as every other."""
    programme = _programme_for_impact(request.user, pk)
    content = impact_pdf(programme, viewer=request.user)
    log = ExportAudit.objects.create(
        user=request.user, kind=ExportAudit.Kind.IMPACT, file_format="pdf", filters={"programmes": [programme.pk]},
        rows=1, finished_at=timezone.now(),
    )  # fmt: skip
    audit_record(action=AuditEvent.Action.EXPORT, actor=request.user, target=log, request=request,
                 summary="Impact report exported (pdf)", detail=log.filters)  # fmt: skip
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="impact-{programme.pk}-{timezone.localdate():%Y-%m-%d}.pdf"'
    )
    return response


@login_required
@require_GET
def all_programmes(request: HttpRequest) -> HttpResponse:
    """HR's view: the same figures for every programme in the viewer's scope, ten to a page
    (a fixed number of queries per programme shown, whatever the number of people)."""
    require_reports_access(request.user)
    programmes = programmes_for_reports(request.user).order_by("name", "cohort", "pk")
    page = Paginator(programmes, PROGRAMMES_PER_PAGE).get_page(request.GET.get("page"))
    shown = Programme.objects.filter(pk__in=[programme.pk for programme in page.object_list])
    reports = impact.build_reports(
        list(shown.prefetch_related("objectives").order_by("name", "cohort", "pk")), viewer=request.user
    )
    return render(request, "outcomes/impact_all.html", {"page": page, "reports": reports})


# -- certificates -----------------------------------------------------------------------------------------------


class CompletionCriteriaForm(forms.ModelForm):
    class Meta:
        model = CompletionCriteria
        fields = ["meetings_held", "goals_reviewed", "closing_survey"]
        help_texts = {
            "meetings_held": "Meetings marked held in the person's pairs (or office hours), from 0 to 50.",
            "closing_survey": "The programme feedback asked at the close.",
        }
        error_messages = {
            "meetings_held": {"required": "Give the number of meetings a participant must have held, from 0 to 50."}
        }

    def clean_meetings_held(self):
        value = self.cleaned_data.get("meetings_held")
        if value is None:
            raise forms.ValidationError("Give the number of meetings a participant must have held, from 0 to 50.")
        return value


@login_required
def certificates_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinators set the completion criteria and see who qualifies."""
    programme = get_programme_for_coordinator(request.user, pk)
    form = CompletionCriteriaForm(request.POST or None, instance=certificates.criteria_of(programme))
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            certificates.set_criteria(
                programme, meetings_held=data["meetings_held"], goals_reviewed=data["goals_reviewed"],
                closing_survey=data["closing_survey"],
            )  # fmt: skip
            messages.success(request, "The completion criteria are saved.")
            return redirect("outcomes_impact:certificates", pk=programme.pk)
        programme.refresh_from_db()
    standings = certificates.qualification(programme)
    return render(request, "outcomes/certificates.html", {
        "programme": programme, "form": form, "standings": standings, "criteria": certificates.criteria_of(programme),
        "qualifying": sum(1 for standing in standings if standing.qualifies),
    })  # fmt: skip


def _own_participation(user, pk: int) -> Participant:
    participant = (
        Participant.objects.filter(programme_id=pk, user=user, status=Participant.Status.APPROVED)
        .select_related("programme", "user")
        .first()
    )
    if participant is None or not user.is_authenticated:
        raise Http404("No such programme.")
    return participant


@login_required
@require_GET
def my_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """A participant's standing: the download when they qualify, what is missing when not."""
    participant = _own_participation(request.user, pk)
    standing = certificates.standing_of(participant)
    return render(request, "outcomes/certificate_status.html",
                  {"programme": participant.programme, "participant": participant, "standing": standing})  # fmt: skip


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    participant = _own_participation(request.user, pk)
    standing = certificates.standing_of(participant)
    if not standing.qualifies:
        messages.info(request, "Your certificate is ready once you meet the programme's completion criteria.")
        return redirect("outcomes_impact:my_certificate", pk=participant.programme_id)
    content = render_pdf("outcomes/certificate_pdf.html", {
        "participant": participant, "programme": participant.programme, "standing": standing,
        "since": certificates.paired_since(participant) or standing.first_meeting,
        "until": participant.programme.ends_on or standing.last_meeting, "issued_on": timezone.localdate(),
    })  # fmt: skip
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="certificate-{participant.programme_id}.pdf"'
    return response


@login_required
@require_POST
def monthly_attachment(request: HttpRequest) -> HttpResponse:
    """Whether one's monthly report mail carries the impact reports as PDFs (for a subscriber)."""
    require_reports_access(request.user)
    attach = request.POST.get("attach") == "1"
    updated = ReportSubscription.objects.filter(user=request.user).update(attach_impact=attach)
    if not updated:
        messages.error(request, "Ask for the monthly report first; then choose whether it carries the impact reports.")
    elif attach:
        messages.success(request, "Your monthly report will carry each programme's impact report as a PDF.")
    else:
        messages.success(request, "Your monthly report will no longer carry the impact reports.")
    return redirect("outcomes_impact:all")
