"""Site-wide middleware: security headers, a clean page when the database is down, elder mode."""

import logging

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy without inline script, and a restrictive Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(self), geolocation=(), microphone=()"
        )
        return response


class DatabaseUnavailableMiddleware:
    """A database that is briefly unreachable gives a clean 503 page, never a stack trace."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            if not (isinstance(exception, DatabaseError) and "connect" in str(exception).lower()):
                return None
        logger.error("database unavailable: %s", exception)
        message = _("The service is briefly unavailable. Please try again in a minute.")
        if request.path.startswith("/api/"):
            response = JsonResponse({"code": "unavailable", "message": message}, status=503)
        else:
            html = render_to_string("503.html", {"message": message})
            response = HttpResponse(html, status=503)
        response["Retry-After"] = "30"
        return response


class ElderModeMiddleware:
    """Elder mode (larger text, higher contrast, simpler layout) follows a cookie the visitor
    sets, or the saved preference of a signed-in person.

    The preference is read only when a session cookie comes with the request, so anonymous
    pages never touch the session (and stay cacheable).
    """

    COOKIE = "kepu_elder"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        on = request.COOKIES.get(self.COOKIE) == "1"
        if not on and settings.SESSION_COOKIE_NAME in request.COOKIES:
            user = getattr(request, "user", None)
            on = bool(user is not None and user.is_authenticated and user.elder_mode)
        request.elder_mode = on
        return self.get_response(request)
