"""Telling people: an in-app notice now, mail and SMS after the transaction commits."""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise

from kepu.accounts.models import Notification, User


def notify(
    user: User, template: Promise, params: dict | None = None, *, url: str = ""
) -> Notification:
    """Write a notice in the recipient's language (``template`` is a lazy translated string)."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        message = str(template) % (params or {})
    note = Notification.objects.create(user=user, message=message, url=url)
    from .tasks import deliver_notification

    transaction.on_commit(lambda: deliver_notification.delay(note.pk))
    return note
