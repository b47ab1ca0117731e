"""PDFs rendered from our own HTML by WeasyPrint: the impact report and the
certificate of participation.

The PDF reads nothing from the network: the only URLs it may fetch are our static
files (the print stylesheet), served to WeasyPrint by `StaticOnlyFetcher` from the
static finders or the collected static root. Anything else (an http(s) link, a
file path, an image someone typed in) is refused and left out of the document.
Charts are inline SVG, drawn by reports.charts, so nothing is fetched for them."""

import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports.charts import Chart

# The document's own base: relative and root-relative URLs resolve under it, so that
# "/static/css/impact-print.css" becomes BASE + "static/css/impact-print.css".
BASE_URL = "https://pdf.mentoring.invalid/"
PDF_CONTENT_TYPE = "application/pdf"
# WeasyPrint logs each rendering step at INFO; the logs keep its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class RefusedURL(ValueError):
    pass


def static_path(url: str) -> Path | None:
    """The file on disk behind a static URL of the document, or None when it is not one."""
    prefix = BASE_URL + settings.STATIC_URL.lstrip("/")
    if not url.startswith(prefix):
        return None
    relative = url[len(prefix) :].split("?", 1)[0].split("#", 1)[0]
    if not relative or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    collected = Path(settings.STATIC_ROOT) / relative
    return collected if settings.STATIC_ROOT and collected.is_file() else None


class StaticOnlyFetcher(URLFetcher):
    """Fetches our static files and nothing else."""

    def fetch(self, url, headers=None):
        path = static_path(url)
        if path is None:
            raise RefusedURL(f"The PDF reads only the site's static files, not {url[:100]}")
        mime, _encoding = mimetypes.guess_type(path.name)
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime or "text/plain"})


# reports/charts.py colours its SVG through classes of the page's stylesheet; WeasyPrint
# styles an inline SVG only from a <style> inside it, so the PDF's charts carry their own.
SVG_STYLE = (
    "<style>.chart-bar,.chart-mark{fill:#0d6efd}.chart-line{fill:none;stroke:#0d6efd;stroke-width:2}"
    ".chart-grid{stroke:#dee2e6;stroke-width:1}.chart-axis{font-size:11px;fill:#6c757d}"
    ".chart-value{font-size:11px;fill:#212529}</style>"
)


@dataclass(frozen=True)
class PrintChart:
    """A reports.charts.Chart as the PDF draws it: the same SVG, with its colours inside."""

    chart: Chart

    @property
    def title(self) -> str:
        return self.chart.title

    @property
    def svg(self) -> SafeString:
        svg = str(self.chart.svg)
        head_end = svg.index(">") + 1
        return mark_safe(svg[:head_end] + SVG_STYLE + svg[head_end:])  # noqa: S308  # nosec B308 B703  # our own constant


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf()


def render_pdf(template: str, context: dict) -> bytes:
    return html_to_pdf(render_to_string(template, context))


def impact_pdf(programme, *, viewer, today=None) -> bytes:
    """The programme's impact report as a PDF, as `viewer` sees it: the page's own sections, for print."""
    from . import impact  # the report reads every app; the fetcher above needs none of it

    report = impact.build_report(programme, today=today, viewer=viewer)
    report.charts = {key: PrintChart(chart) for key, chart in report.charts.items()}
    return render_pdf("outcomes/impact_pdf.html", {"programme": programme, "reports": [report],
                                                   "generated_on": report.today})  # fmt: skip
