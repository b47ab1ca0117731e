"""A programme's objectives page: its coordinators (and staff) set 1-5
objectives, each a measure of the catalogue with a target, reorder and remove
them, and edit the programme's self-assessment statements on the same page.
Everyone else gets 404 (programmes.permissions). Each change is one service of
outcomes.objectives; a refused change shows the page again with the reason
beside the field, having changed nothing."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from programmes.models import Programme
from programmes.permissions import get_programme_for_coordinator

from . import catalogue, objectives
from .measures import objective_results
from .models import AssessmentStatement, Objective
from .objectives import MAX_STATEMENTS, ObjectiveError


class ObjectiveForm(forms.Form):
    measure = forms.ChoiceField(choices=catalogue.CHOICES)
    target = forms.CharField(max_length=12, required=False)
    question = forms.CharField(max_length=objectives.QUESTION_LENGTH, required=False, label="Your question")


class ObjectiveChangeForm(forms.Form):
    target = forms.CharField(max_length=12, required=False)
    question = forms.CharField(max_length=objectives.QUESTION_LENGTH, required=False, label="Your question")


class StatementForm(forms.Form):
    text = forms.CharField(max_length=objectives.STATEMENT_LENGTH, required=False, label="Statement")


def _page(request: HttpRequest, programme: Programme, *, add_form=None, statement_form=None,
          objective_errors: dict | None = None, statement_errors: dict | None = None,
          status: int = 200) -> HttpResponse:  # fmt: skip
    results = objective_results(programme)
    statements = list(programme.assessment_statements.all())
    return render(request, "outcomes/objectives.html", {
        "programme": programme,
        "results": results,
        "measures": list(catalogue.MEASURES.values()),
        "max_objectives": catalogue.MAX_OBJECTIVES,
        "can_add": len(results) < catalogue.MAX_OBJECTIVES,
        "add_form": add_form or ObjectiveForm(initial={"measure": catalogue.GOAL_ACHIEVED}),
        "statements": statements,
        "max_statements": MAX_STATEMENTS,
        "can_add_statement": len(statements) < MAX_STATEMENTS,
        "statement_form": statement_form or StatementForm(),
        "objective_errors": objective_errors or {},
        "statement_errors": statement_errors or {},
    }, status=status)  # fmt: skip


def _refused(form: forms.Form, error: ObjectiveError) -> forms.Form:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))
    return form


def _first_error(form: forms.Form) -> str:
    return next(str(error) for errors in form.errors.values() for error in errors)


def _objective(programme: Programme, objective_id: int) -> Objective:
    try:
        return programme.objectives.get(pk=objective_id)
    except Objective.DoesNotExist:
        raise Http404("No such objective.") from None


def _statement(programme: Programme, statement_id: int) -> AssessmentStatement:
    try:
        return programme.assessment_statements.get(pk=statement_id)
    except AssessmentStatement.DoesNotExist:
        raise Http404("No such statement.") from None


def _back(programme: Programme, anchor: str = "") -> HttpResponse:
    return redirect(reverse("outcomes_objectives:page", args=[programme.pk]) + anchor)


@login_required
def objectives_page(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_coordinator(request.user, pk)
    return _page(request, programme)


@login_required
@require_POST
def objective_add(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_coordinator(request.user, pk)
    form = ObjectiveForm(request.POST)
    if not form.is_valid():
        return _page(request, programme, add_form=form, status=400)
    try:
        objectives.objective_add(programme=programme, by=request.user, request=request, **form.cleaned_data)
    except ObjectiveError as error:
        return _page(request, programme, add_form=_refused(form, error), status=400)
    messages.success(request, "Objective added.")
    return _back(programme)


@login_required
@require_POST
def objective_change(request: HttpRequest, pk: int, objective_id: int) -> HttpResponse:
    programme = get_programme_for_coordinator(request.user, pk)
    objective = _objective(programme, objective_id)
    form = ObjectiveChangeForm(request.POST)
    if not form.is_valid():
        return _page(request, programme, objective_errors={objective.pk: _first_error(form)}, status=400)
    try:
        objectives.objective_change(objective=objective, by=request.user, request=request, **form.cleaned_data)
    except ObjectiveError as error:
        return _page(request, programme, objective_errors={objective.pk: str(error)}, status=400)
    messages.success(request, "Objective saved.")
    return _back(programme)


@login_required
@require_POST
def objective_remove(request: HttpRequest, pk: int, objective_id: int) -> HttpResponse:
    programme = get_programme_for_coordinator(request.user, pk)
    objectives.objective_remove(objective=_objective(programme, objective_id), by=request.user, request=request)
    messages.success(request, "Objective removed.")
    return _back(programme)


@login_required
@require_POST
def objective_move(request: HttpRequest, pk: int, objective_id: int) -> HttpResponse:
    programme = get_programme_for_coordinator(request.user, pk)
    objective = _objective(programme, objective_id)
    try:
        objectives.objective_move(objective=objective, by=request.user, up=request.POST.get("direction") == "up",
                                  request=request)  # fmt: skip
    except ObjectiveError as error:
        messages.info(request, str(error))
    return _back(programme)


@login_required
@require_POST
def statement_add(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_coordinator(request.user, pk)
    form = StatementForm(request.POST)
    if not form.is_valid():
        return _page(request, programme, statement_form=form, status=400)
    try:
        objectives.statement_add(programme=programme, by=request.user, text=form.cleaned_data["text"],
                                 request=request)  # fmt: skip
    except ObjectiveError as error:
        return _page(request, programme, statement_form=_refused(form, error), status=400)
    messages.success(request, "Statement added.")
    return _back(programme, "#statements")


@login_required
@require_POST
def statement_change(request: HttpRequest, pk: int, statement_id: int) -> HttpResponse:
    programme = get_programme_for_coordinator(request.user, pk)
    statement = _statement(programme, statement_id)
    form = StatementForm(request.POST)
    try:
        if not form.is_valid():
            raise ObjectiveError(_first_error(form))
        objectives.statement_change(statement=statement, by=request.user, text=form.cleaned_data["text"],
                                    request=request)  # fmt: skip
    except ObjectiveError as error:
        return _page(request, programme, statement_errors={statement.pk: str(error)}, status=400)
    messages.success(request, "Statement saved.")
    return _back(programme, "#statements")


@login_required
@require_POST
def statement_remove(request: HttpRequest, pk: int, statement_id: int) -> HttpResponse:
    programme = get_programme_for_coordinator(request.user, pk)
    objectives.statement_remove(statement=_statement(programme, statement_id), by=request.user, request=request)
    messages.success(request, "Statement removed.")
    return _back(programme, "#statements")
