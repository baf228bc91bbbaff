"""Domain errors: every refusal a service makes carries a stable code and a translated message."""

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule of the domain refused the action.

    ``code`` is stable (API clients and tests match on it); ``message`` is in the user's language.
    ``status`` is the HTTP status the API answers with.
    """

    status = 400

    def __init__(self, code: str, message: str | Promise, *, status: int | None = None, **params):
        self.code = code
        self.params = params
        self.message = str(message)
        if status is not None:
            self.status = status
        super().__init__(f"{code}: {self.message}")


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Throttled(DomainError):
    status = 429


def invalid(exc) -> DomainError:
    """A model ValidationError as a DomainError("invalid"), keeping the messages per field."""
    fields = getattr(exc, "message_dict", None) or {"__all__": list(exc.messages)}
    err = DomainError("invalid", " ".join(m for errors in fields.values() for m in errors))
    err.fields = fields
    return err
