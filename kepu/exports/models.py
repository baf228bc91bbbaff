"""Models of kepu.exports: an export that runs in the background."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kepu.core.models import TimeStamped


def export_file_name(job: "ExportJob", filename: str) -> str:
    """A random, unguessable name in a private folder (never served from MEDIA_URL)."""
    return f"private/exports/{secrets.token_urlsafe(24)}.{job.format}"


class ExportJobQuerySet(models.QuerySet):
    def of(self, user):
        """Only the jobs the person asked for: nobody else may see or download them."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)


class ExportJob(TimeStamped):
    """A long export, written by a Celery task in the requester's language."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    kind = models.CharField(_("kind"), max_length=60)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("rows expected"), null=True, blank=True)
    done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to=export_file_name, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind}.{self.format} #{self.pk}"

    @property
    def kind_title(self) -> str:
        from .registry import get

        kind = get(self.kind)
        return kind.title() if kind else self.kind

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
