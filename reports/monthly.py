"""The monthly report: on the first of each month, every HR viewer who asked for
it gets last month's figures as an Excel file (and, with the subscription's
`attach_impact`, the impact report of each running or closed programme in their
scope as a PDF: outcomes.views_impact.impact_pdf, the page's own PDF). One notice per person per month
(its key holds the month), so a job run twice sends it once; the mail is built
when it is sent, from the figures of that moment, for the person's own scope."""

from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from mentoring.db_routers import reading_from_reports_database
from notifications import kinds
from notifications.models import Notification
from notifications.services import Notice
from people.models import User

from .models import ExportAudit, ReportSubscription
from .permissions import may_see_reports, programmes_for_reports
from .rollups import freshness


def previous_month(today: date) -> tuple[date, date]:
    last_day = today.replace(day=1) - timedelta(days=1)
    return last_day.replace(day=1), last_day


def monthly_notices(*, today: date | None = None) -> list[Notice]:
    first, _last = previous_month(today or timezone.localdate())
    subscribers = User.objects.filter(report_subscription__isnull=False, is_active=True)
    return [Notice(user.pk, "monthly_report", user, first) for user in subscribers if may_see_reports(user)]


def _filter_for(notification: Notification):
    from .figures import ReportFilter

    first = notification.due_on
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return ReportFilter(date_from=first, date_to=last)


def _context(notification: Notification) -> dict | None:
    user = notification.recipient
    subscription = ReportSubscription.objects.filter(user=user).first()
    if not may_see_reports(user) or subscription is None:
        return None
    report_filter = _filter_for(notification)
    return {
        "month": notification.due_on, "report_filter": report_filter,
        "url": settings.SITE_URL + reverse("reports:dashboard"), "attach_impact": subscription.attach_impact,
        "freshness": str(freshness()),
    }  # fmt: skip


@reading_from_reports_database()  # figures only: the mail claims and logs stay on the primary
def _attachments(notification: Notification, context: dict) -> list[tuple[str, bytes, str]]:
    from . import exports  # exports read the figures, which read every app

    counter = [0]
    with exports.xlsx_file(exports.figure_sheets(notification.recipient, context["report_filter"]), counter) as output:
        content = output.read()
    context["rows"] = counter[0]
    name = f"mentoring-report-{notification.due_on:%Y-%m}.xlsx"
    files = [(name, content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    return files + _impact_attachments(notification, context)


IMPACT_STATUSES = ("running", "closed")


def _impact_attachments(notification: Notification, context: dict) -> list[tuple[str, bytes, str]]:
    """The impact reports as PDFs, for a subscriber who asked for them: each running or
    closed programme in their scope, as of the day the mail is built."""
    from outcomes.pdf import impact_pdf  # outcomes reads reports' permissions and charts: imported when sent

    user = notification.recipient
    if not context.get("attach_impact"):
        return []
    programmes = programmes_for_reports(user).filter(status__in=IMPACT_STATUSES).order_by("name", "cohort", "pk")
    month = f"{notification.due_on:%Y-%m}"
    return [
        (f"impact-{programme.pk}-{month}.pdf", impact_pdf(programme, viewer=user), "application/pdf")
        for programme in programmes.prefetch_related("objectives")
    ]


def _record_export(notification: Notification, context: dict) -> None:
    """The emailed report is an export like any other: it goes in both logs."""
    audit = ExportAudit.objects.create(
        user=notification.recipient, kind=ExportAudit.Kind.MONTHLY, file_format="xlsx",
        filters=context["report_filter"].as_dict(), rows=context.get("rows", 0), finished_at=timezone.now(),
    )  # fmt: skip
    audit_record(
        action=AuditEvent.Action.EXPORT, person=notification.recipient, target=audit,
        summary="Monthly report (email) sent (xlsx)", detail=audit.filters,
    )  # fmt: skip


kinds.register(
    kinds.Kind(
        "monthly_report", "The monthly report (Excel), if you asked for it", "Reports", "reports/mail/monthly_report",
        _context, optional=False, digestible=False, attachments=_attachments, after_send=_record_export,
        audience="hr",
    )
)  # fmt: skip
