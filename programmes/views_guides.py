"""The programme's guides for mentors and mentees: the list, one guide, and the
coordinators' edit. Readers are the programme's people and coordinators
(programmes.guides.may_read_guides); everyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from . import guides, permissions
from .forms import GuideForm
from .services import ProgrammeError


@login_required
def guide_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = guides.get_programme_for_guide_reader(request.user, pk)
    return render(request, "programmes/guide_list.html", {
        "programme": programme, "guides": guides.guides_of(programme),
        "can_edit": permissions.is_coordinator_of(request.user, programme),
    })  # fmt: skip


@login_required
def guide_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    programme = guides.get_programme_for_guide_reader(request.user, pk)
    guide = guides.guide_of(programme, slug)
    return render(request, "programmes/guide_detail.html", {
        "programme": programme, "guide": guide, "can_edit": permissions.is_coordinator_of(request.user, programme),
    })  # fmt: skip


@login_required
def guide_edit(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    programme = permissions.get_programme_for_coordinator(request.user, pk)
    guide = guides.guide_of(programme, slug)
    form = GuideForm(request.POST or None, initial={"text": guide.text})
    if request.method == "POST" and form.is_valid():
        try:
            guides.guide_save(programme=programme, slug=slug, text=form.cleaned_data["text"], by=request.user)
        except ProgrammeError as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, f"“{guide.title}” saved: the programme's people read it from now on.")
            return redirect(reverse("programmes:guide", args=[programme.pk, slug]))
    return render(request, "programmes/guide_form.html", {"programme": programme, "guide": guide, "form": form})
