from django.urls import path

from . import views_impact

app_name = "outcomes_impact"

urlpatterns = [
    path("", views_impact.all_programmes, name="all"),
    path("monthly-attachment/", views_impact.monthly_attachment, name="monthly_attachment"),
    path("<int:pk>/", views_impact.programme_report, name="programme"),
    path("<int:pk>/pdf/", views_impact.programme_pdf, name="programme_pdf"),
    path("<int:pk>/certificates/", views_impact.certificates_page, name="certificates"),
    path("<int:pk>/my-certificate/", views_impact.my_certificate, name="my_certificate"),
    path("<int:pk>/my-certificate/pdf/", views_impact.certificate_pdf, name="certificate_pdf"),
]
