from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from kepu.accounts.models import Notification
from kepu.accounts.sms import send_sms


@shared_task
def deliver_notification(notification_id: int) -> None:
    """Send an in-app notice by mail and SMS as well, in the person's language."""
    note = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if note is None:
        return
    user = note.user
    link = f"{settings.SITE_URL}{note.url}" if note.url else ""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        if user.email:
            send_mail(
                _("A message from kepu"),
                f"{note.message}\n\n{link}".strip(),
                None,
                [user.email],
                fail_silently=True,
            )
        if user.phone:
            send_sms(user.phone, note.message)
