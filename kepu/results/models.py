"""Results of an activity: photos, videos, documents and news links, and the numbers reached.

Files are stored under random names (``result_path``) in the default storage (local disk or
S3-compatible object storage) and served only through views that check scope.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kepu.activities.models import Activity
from kepu.organisations.scoping import ScopedQuerySet


def result_path(instance, filename: str) -> str:
    """results/<activity id>/<random>.<extension>: nothing of the original name is kept."""
    extension = (instance.extension or "bin").lower()
    return f"results/{instance.activity_id}/{secrets.token_urlsafe(16)}.{extension}"


def thumbnail_path(instance, filename: str) -> str:
    return f"results/{instance.activity_id}/{secrets.token_urlsafe(16)}.thumb.webp"


class ResultItemQuerySet(ScopedQuerySet):
    scope_field = "activity__organisation"


class ResultItem(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("photo")
        VIDEO = "video", _("video")
        DOCUMENT = "document", _("document")
        LINK = "link", _("news link")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="results")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=result_path, max_length=200, blank=True)
    thumbnail = models.FileField(upload_to=thumbnail_path, max_length=200, blank=True)
    extension = models.CharField(max_length=10, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(_("duration (seconds)"), null=True, blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    outlet = models.CharField(_("outlet"), max_length=100, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    is_late = models.BooleanField(_("added late"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ResultItemQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="link") & ~Q(url="")) | (~Q(kind="link") & ~Q(file="")),
                name="result_link_has_url_others_a_file",
            ),
        ]
        indexes = [models.Index(fields=["activity", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title or self.original_name or self.url}"


class OutcomeQuerySet(ScopedQuerySet):
    scope_field = "activity__organisation"


class Outcome(models.Model):
    """The numbers a unit reports for an activity once it has run."""

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="outcome")
    participants_onsite = models.PositiveIntegerField(_("participants on site"), default=0)
    participants_online = models.PositiveIntegerField(_("participants online"), default=0)
    online_views = models.PositiveIntegerField(_("online views"), default=0)
    is_late = models.BooleanField(_("reported late"), default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OutcomeQuerySet.as_manager()

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self) -> str:
        return f"{self.activity}: {self.participants_onsite} + {self.participants_online}"

    @property
    def participants(self) -> int:
        return self.participants_onsite + self.participants_online
