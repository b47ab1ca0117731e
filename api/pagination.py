"""Page-number pages: `?page=2&page_size=100`, at most settings.API_MAX_PAGE_SIZE
a page; each page answers `count`, `next`, `previous` and `results`."""

from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    page_size_query_param = "page_size"

    @property
    def max_page_size(self) -> int:
        return settings.API_MAX_PAGE_SIZE
