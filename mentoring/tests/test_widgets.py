"""Dates and times reach the browser's pickers in ISO form whatever the locale,
so editing a form shows (and keeps) the saved value."""

from datetime import date

from django.test import Client
from django.urls import reverse

from programmes.tests.factories import make_programme


def test_the_programme_settings_show_the_saved_dates(db, carol):
    programme = make_programme(carol, starts_on=date(2026, 12, 13), ends_on=date(2027, 6, 1))
    client = Client()
    client.force_login(carol)
    page = client.get(reverse("programmes:edit", args=[programme.pk])).content.decode()
    assert 'type="date" name="starts_on" value="2026-12-13"' in page
    assert 'value="2027-06-01"' in page
