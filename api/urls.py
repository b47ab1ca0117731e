"""/api/v1/: the REST API, its OpenAPI 3 schema and its documentation (docs/api.md)."""

from django.urls import path

from . import views
from .docs import ApiDocs, ApiSchema

app_name = "api"

urlpatterns = [
    path("schema/", ApiSchema.as_view(), name="schema"),
    path("docs/", ApiDocs.as_view(url_name="api:schema"), name="docs"),
    path("programmes/", views.ProgrammeList.as_view(), name="programmes"),
    path("programmes/<int:pk>/", views.ProgrammeDetail.as_view(), name="programme"),
    path("programmes/<int:pk>/participants/", views.ParticipantList.as_view(), name="participants"),
    path(
        "programmes/<int:pk>/participants/<int:participant_pk>/decision/",
        views.ParticipantDecision.as_view(),
        name="participant_decision",
    ),
    path("programmes/<int:pk>/enrolment/", views.Enrolment.as_view(), name="enrolment"),
    path("programmes/<int:pk>/runs/", views.RunList.as_view(), name="runs"),
    path("programmes/<int:pk>/runs/<int:run_pk>/", views.RunDetail.as_view(), name="run"),
    path("programmes/<int:pk>/runs/<int:run_pk>/publish/", views.RunPublish.as_view(), name="run_publish"),
    path("matches/", views.MatchList.as_view(), name="matches"),
    path("matches/<int:pk>/", views.MatchDetail.as_view(), name="match"),
    path("matches/<int:pk>/meetings/", views.MeetingList.as_view(), name="meetings"),
    path("matches/<int:pk>/goals/", views.GoalList.as_view(), name="goals"),
    path("reports/figures/", views.Figures.as_view(), name="figures"),
    path("reports/exports/<str:kind>/<str:file_format>/", views.Export.as_view(), name="export"),
    path("people/", views.PersonList.as_view(), name="people"),
    path("people/<int:pk>/", views.PersonDetail.as_view(), name="person"),
    path("audit-events/", views.AuditEventList.as_view(), name="audit_events"),
]
