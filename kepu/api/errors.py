"""Every API error is JSON ``{"code": "...", "message": "..."}`` with the right status.

Domain errors keep their own code, message and status; ninja's own errors (validation,
authentication, a body that is not JSON) and Django's Http404/PermissionDenied are mapped here,
with messages in the request's language (LocaleMiddleware reads Accept-Language).
"""

import json
import logging
from typing import Any

from django.core import signals
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.errors import Throttled as NinjaThrottled
from ninja.parser import Parser

from kepu.core.errors import DomainError
from kepu.core.middleware import DatabaseUnavailableMiddleware

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    """The shape of every error answer (``errors`` only on 422)."""

    code: str
    message: str


class FieldErrorOut(Schema):
    field: str
    location: str
    message: str
    type: str


class ValidationErrorOut(ErrorOut):
    errors: list[FieldErrorOut]


class UnsupportedMediaType(Exception):
    """The request body is not declared as JSON."""


class NotAnObject(Exception):
    """The body is JSON, but not an object."""


class JsonObjectParser(Parser):
    """Bodies must be a JSON object sent as application/json; anything else is refused."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        content_type = request.content_type or ""
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise UnsupportedMediaType(content_type)
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise NotAnObject(type(data).__name__)
        return data


def error_response(
    api: NinjaAPI, request: HttpRequest, *, code: str, message: str, status: int, **extra: Any
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": str(message), **extra}, status=status
    )


# Pydantic words its field errors in English: the kinds an API caller meets, in the caller's
# language, with the figures of the rule (``ctx``). Any other kind keeps pydantic's words.
_WHOLE = gettext_lazy("Enter a whole number.")
_DATE = gettext_lazy("Enter a valid date (YYYY-MM-DD).")
_MOMENT = gettext_lazy("Enter a valid date and time (YYYY-MM-DDTHH:MM).")
_FIELD_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "string_type": gettext_lazy("Enter text."),
    "string_too_short": gettext_lazy("Enter at least %(min_length)s characters."),
    "string_too_long": gettext_lazy("Enter at most %(max_length)s characters."),
    "int_type": _WHOLE,
    "int_parsing": _WHOLE,
    "int_from_float": _WHOLE,
    "float_type": gettext_lazy("Enter a number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "greater_than": gettext_lazy("Enter a number greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("Enter a number of at least %(ge)s."),
    "less_than": gettext_lazy("Enter a number less than %(lt)s."),
    "less_than_equal": gettext_lazy("Enter a number of at most %(le)s."),
    "bool_type": gettext_lazy("Enter true or false."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "datetime_type": _MOMENT,
    "datetime_parsing": _MOMENT,
    "datetime_from_date_parsing": _MOMENT,
    "uuid_type": gettext_lazy("Enter a valid identifier."),
    "uuid_parsing": gettext_lazy("Enter a valid identifier."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "literal_error": gettext_lazy("Choose one of: %(expected)s."),
    "list_type": gettext_lazy("Send a list."),
    "too_long": gettext_lazy("Send at most %(max_length)s items."),
    "dict_type": gettext_lazy("Send an object."),
    "model_type": gettext_lazy("Send an object."),
    "model_attributes_type": gettext_lazy("Send an object."),
}


def _field_message(error: dict[str, Any]) -> str:
    template = _FIELD_MESSAGES.get(error.get("type", ""))
    if template is None:
        return str(error.get("msg", ""))
    try:
        return str(template) % (error.get("ctx") or {})
    except (KeyError, TypeError, ValueError):  # a rule without the figure the words name
        return str(error.get("msg", ""))


def _field_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc else ""
        path = loc[1:]
        # Body fields arrive under the handler's parameter name ("payload.consent"): drop it,
        # so that a missing body is the field "" and a missing field is its own name.
        if location == "body":
            path = path[1:]
        out.append(
            {
                "field": ".".join(path),
                "location": location,
                "message": _field_message(error),
                "type": str(error.get("type", "")),
            }
        )
    return out


def install(api: NinjaAPI) -> None:
    """Register the JSON error handlers on ``api``."""

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        extra = {}
        if getattr(exc, "fields", None):
            extra["fields"] = {name: [str(m) for m in msgs] for name, msgs in exc.fields.items()}
        return error_response(
            api, request, code=exc.code, message=exc.message, status=exc.status, **extra
        )

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        return error_response(
            api,
            request,
            code="invalid",
            status=422,
            message=_("Some fields are missing or invalid."),
            errors=_field_errors(exc.errors),
        )

    # Errors whose answer never varies: a code, a status and a message.
    fixed = {
        Http404: ("not_found", 404, gettext_lazy("Not found.")),
        PermissionDenied: (
            "forbidden",
            403,
            gettext_lazy("You do not have permission to do this."),
        ),
        RequestDataTooBig: ("too_large", 413, gettext_lazy("The request is too large.")),
    }
    for exc_class, (code, status, message) in fixed.items():
        api.add_exception_handler(
            exc_class,
            lambda request, exc, c=code, s=status, m=message: error_response(
                api, request, code=c, status=s, message=str(m)
            ),
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        status, code, message = _describe(exc)
        return error_response(api, request, code=code, message=message, status=status)

    @api.exception_handler(Exception)
    def unexpected(request, exc: Exception):
        # A database that is down is a clean 503, the same answer the middleware gives.
        response = DatabaseUnavailableMiddleware.process_exception(None, request, exc)
        if response is not None:
            return response
        # Anything else is a bug: log it with its traceback, let listeners (the test client,
        # error trackers) see it, and still answer in the API's JSON shape.
        logger.exception("unhandled error in %s %s", request.method, request.path)
        signals.got_request_exception.send(sender=None, request=request)
        return error_response(
            api,
            request,
            code="server_error",
            status=500,
            message=_("Something went wrong on our side. Please try again."),
        )


def _describe(exc: HttpError) -> tuple[int, str, str]:
    """Status, code and translated message for ninja's own HttpErrors."""
    status = exc.status_code
    if isinstance(exc, AuthenticationError):
        return (
            status,
            "unauthorized",
            _("Sign in first: send a valid token as “Authorization: Bearer …”."),
        )
    if isinstance(exc, AuthorizationError):
        return status, "forbidden", _("You do not have permission to do this.")
    if isinstance(exc, NinjaThrottled):
        return status, "throttled", _("Too many attempts. Please wait a while and try again.")
    cause = exc.__cause__
    if isinstance(cause, UnsupportedMediaType):
        return (
            415,
            "unsupported_media_type",
            _("Send the request body as JSON (Content-Type: application/json)."),
        )
    if isinstance(cause, NotAnObject):
        return status, "malformed_body", _("The request body must be a JSON object.")
    if cause is not None:
        return status, "malformed_body", _("The request body is not valid JSON.")
    return status, "error", str(exc)
