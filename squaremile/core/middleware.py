"""Middleware of our own."""

from django.conf import settings
from django.shortcuts import render

_DEBUG_PAGE_MARK = b"<code>DEBUG = True</code>"


class StyledErrorPagesMiddleware:
    """Under DEBUG (as with `make run`), show the site's own 404 and 500 pages instead of Django's
    technical ones, so a person trying the platform sees what production shows. The reason is still
    logged on the console; set DEBUG_ERROR_PAGES=1 to get Django's pages back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and not settings.DEBUG_ERROR_PAGES
            and response.status_code in (404, 500)
            and not getattr(response, "streaming", False)
            and _DEBUG_PAGE_MARK in response.content
        ):
            return render(request, f"{response.status_code}.html", status=response.status_code)
        return response
