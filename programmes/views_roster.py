"""Roster import pages: upload a file, check the preview, confirm.

Thin views: the programme is fetched through the coordinator permission helper
(404 for anyone else), the import through the programme, and the work is done
by programmes.roster."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from people.models import SeniorityLevel

from . import roster
from .models import Participant
from .permissions import get_programme_for_coordinator
from .selectors import invitation_mail_sample
from .services import ProgrammeError, invitation_waits


class RosterUploadForm(forms.Form):
    """The name and size are checked here; what the file really holds is checked
    by roster.roster_parse, whose RosterFileError the view puts on this field."""

    file = forms.FileField(
        label="Roster file",
        widget=forms.FileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "class": "form-control",
            }
        ),
        error_messages={"required": "Choose a file to upload.", "empty": "The file is empty."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "A CSV file (UTF-8, commas or semicolons) or an Excel workbook (.xlsx), "
            f"up to {roster.size_in_words(roster.max_bytes())}."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in roster.EXTENSIONS:
            raise forms.ValidationError(f"“{upload.name}” is not a CSV (.csv) or Excel (.xlsx) file.")
        limit = roster.max_bytes()
        if upload.size > limit:
            # Past settings.UPLOAD_MAX_BYTES the upload handler kept only one byte more than
            # the limit, so the size shown is then a floor ("more than"), not the real size.
            shown = "more than" if upload.size > settings.UPLOAD_MAX_BYTES else ""
            raise forms.ValidationError(
                f"The file is {shown + ' ' if shown else ''}{roster.size_in_words(upload.size)}; "
                f"the limit is {roster.size_in_words(limit)}. Split it into smaller files."
            )
        return upload


PREVIEW_FILTERS = {
    "all": ("All lines", lambda row: True),
    "errors": ("Lines with problems", lambda row: row["errors"]),
    "changes": ("Lines that change something", lambda row: row["action"] in ("create", "update")),
}


@login_required
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_coordinator(request.user, pk)
    form = RosterUploadForm()
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            file = form.cleaned_data["file"]
            try:
                roster_import = roster.roster_parse(
                    programme=programme, uploaded_file=file, filename=file.name, by=request.user
                )
            except roster.RosterFileError as error:
                form.add_error("file", str(error))
            else:
                return redirect("programmes:roster_preview", programme.pk, roster_import.pk)
    return render(
        request,
        "programmes/roster_upload.html",
        {
            "programme": programme,
            "form": form,
            "sample_header": roster.SAMPLE_HEADER,
            "levels": SeniorityLevel.objects.all(),
        },
    )


@login_required
def preview(request: HttpRequest, pk: int, import_pk: int) -> HttpResponse:
    programme = get_programme_for_coordinator(request.user, pk)
    roster_import = get_object_or_404(programme.roster_imports.select_related("uploaded_by"), pk=import_pk)
    shown = request.GET.get("show", "all")
    if shown not in PREVIEW_FILTERS:
        shown = "all"
    keep = PREVIEW_FILTERS[shown][1]
    return render(
        request,
        "programmes/roster_preview.html",
        {
            "programme": programme,
            "roster_import": roster_import,
            "summary": roster_import.summary,
            "rows": [row for row in roster_import.rows if keep(row)],
            "can_apply": roster.roster_can_apply(roster_import),
            # Newly enrolled people are invited on confirming: when, and the mail they get.
            "invitations_wait": invitation_waits(programme, None, timezone.now()),
            "mail": invitation_mail_sample(
                programme=programme, role=Participant.Role.MENTEE, email="person@example.org", by=request.user
            ),
            "filters": [(key, label) for key, (label, _) in PREVIEW_FILTERS.items()],
            "shown": shown,
        },
    )


@login_required
@require_POST
def apply(request: HttpRequest, pk: int, import_pk: int) -> HttpResponse:
    programme = get_programme_for_coordinator(request.user, pk)
    roster_import = get_object_or_404(programme.roster_imports, pk=import_pk)
    try:
        summary = roster.roster_apply(roster_import=roster_import, by=request.user)
    except ProgrammeError as error:
        messages.error(request, str(error))
        return redirect("programmes:roster_preview", programme.pk, roster_import.pk)
    messages.success(request, f"Roster imported: {roster.roster_summary_in_words(summary)}")
    return redirect("programmes:detail", programme.pk)
