from django.contrib import admin
from django.urls import include, path

from mentoring.views import home, person_profile
from people import sso

admin.site.site_header = "Mentoring administration"
admin.site.site_title = "Mentoring admin"

urlpatterns = [
    path("", home, name="home"),
    # Single sign-on (docs/sso.md): staff's one-time break-glass link, and the
    # admin's own password form, which follows PASSWORD_LOGIN like the rest.
    path("accounts/break-glass/<str:token>/", sso.break_glass, name="break_glass"),
    path("admin/login/", sso.admin_login),
    path("accounts/", include("allauth.urls")),
    # Before people's own route of the same address: the other person of one's pair gets their card.
    path("people/<int:user_id>/", person_profile, name="person_profile"),
    path("people/", include("people.urls")),
    path("programmes/", include("programmes.urls")),
    path("nominations/", include("programmes.urls_nominations")),  # put forward by a network or a manager
    path("matching/", include("matching.urls")),
    path("pairs/", include("sessions_log.urls")),
    path("circles/", include("circles.urls")),
    path("networks/", include("networks.urls")),  # staff networks as partners (docs/networks.md)
    path("help/", include("dropin.urls")),  # find someone to learn from, one-off sessions (docs/drop-in.md)
    path("messages/", include("conversations.urls")),
    path("surveys/", include("surveys.urls")),
    path("outcomes/assess/", include("outcomes.urls_assessments")),
    path("notifications/", include("notifications.urls")),
    path("health/", include("engagement.urls")),
    path("reports/", include("reports.urls")),
    path("outcomes/objectives/", include("outcomes.urls_objectives")),
    path("outcomes/impact/", include("outcomes.urls_impact")),
    path("outcomes/cohorts/", include("outcomes.urls_cohorts")),  # run it again, the next cohort (docs/cohorts.md)
    path("audit/", include("audit.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("admin/", admin.site.urls),
    path("my-data/", include("privacy.urls")),
    path("scim/v2/", include("scim.urls")),  # SCIM 2.0 provisioning (docs/scim.md)
    path("api/v1/", include("api.urls")),
    path("api-tokens/", include("api.urls_tokens")),
]

# A page not found, or a request refused before any view, is JSON under /api/
# (api.errors), the product's page elsewhere.
handler404 = "api.errors.not_found"
handler400 = "api.errors.refused_request"
