"""Pluggable SMS sending. Choose the backend with KEPU_SMS_BACKEND (a dotted path)."""

import logging
from abc import ABC, abstractmethod

from django.conf import settings
from django.utils.module_loading import import_string

from kepu.core.text import mask_phone

logger = logging.getLogger("kepu.sms")

outbox: list[tuple[str, str]] = []


class BaseBackend(ABC):
    @abstractmethod
    def send(self, phone: str, message: str) -> None:
        """Deliver ``message`` to ``phone`` or raise."""


class ConsoleBackend(BaseBackend):
    """Writes the message to the log: the embedded default and development."""

    def send(self, phone: str, message: str) -> None:
        logger.warning("SMS to %s: %s", phone if settings.DEBUG else mask_phone(phone), message)


class MemoryBackend(BaseBackend):
    """Keeps messages in ``kepu.accounts.sms.outbox`` (tests read it, like Django's locmem mail)."""

    def send(self, phone: str, message: str) -> None:
        outbox.append((phone, message))


def send_sms(phone: str, message: str) -> None:
    import_string(settings.KEPU_SMS_BACKEND)().send(phone, message)
