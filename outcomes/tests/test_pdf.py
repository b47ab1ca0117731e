"""The impact report as a PDF: rendered by WeasyPrint from the page's own
template, its text read back with pypdf (a real extractor), and nothing fetched
but our static files."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from outcomes import catalogue, measures
from outcomes.pdf import BASE_URL, RefusedURL, StaticOnlyFetcher, html_to_pdf
from outcomes.tests.impact_world import build

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def selectors(monkeypatch):
    monkeypatch.setitem(measures.SELECTORS, catalogue.GOAL_ACHIEVED,
                        lambda programmes, **kw: catalogue.MeasureValue(value=72.0, n=12))  # fmt: skip
    monkeypatch.setitem(measures.SELECTORS, catalogue.NPS,
                        lambda programmes, **kw: catalogue.MeasureValue(value=18.0, n=12))  # fmt: skip


def test_the_pdf_holds_the_objectives_figures(client, carol, selectors):
    world = build(carol, pairs=6, keep_text="meetings")
    client.force_login(carol)
    response = client.get(reverse("outcomes_impact:programme_pdf", args=[world.programme.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    assert "Leaders (Spring 2026)" in text
    assert "Mentees who achieve a goal" in text and "72%" in text and "70%" in text  # actual and target
    assert "Would recommend (NPS)" in text and "+18" in text and "+30" in text
    assert "Target met" in text and "Below target" in text
    assert "Grow leaders who stay with us." in text
    assert "Relationship quality (1-5) by month" in text  # the charts' titles and their tables


def test_the_pdf_fetches_our_static_files_and_nothing_else(settings):
    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch(BASE_URL + "static/css/impact-print.css")
    assert b"@page" in css.read() and css.content_type == "text/css"
    for url in (
        "https://example.org/tracker.png",
        "http://127.0.0.1:8000/admin/",
        "file:///etc/passwd",
        BASE_URL + "static/../manage.py",
        BASE_URL + "admin/",
        BASE_URL + "static/no-such-file.css",
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_an_outside_image_in_the_html_is_left_out_not_fetched(monkeypatch):
    fetched = []
    original = StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", spy)
    content = html_to_pdf(
        '<p>Hello</p><img src="https://example.org/x.png"><link rel="stylesheet" href="https://example.org/x.css">'
    )
    assert "Hello" in pdf_text(content)
    assert sorted(fetched) == ["https://example.org/x.css", "https://example.org/x.png"]  # asked, refused
