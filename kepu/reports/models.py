"""Summary reports (活动总结) with their statistics table (开展情况统计表), and reminders sent."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kepu.campaigns.models import Campaign, Phase
from kepu.core.models import TimeStamped
from kepu.organisations.models import Organisation
from kepu.organisations.scoping import ScopedQuerySet


class SummaryQuerySet(ScopedQuerySet):
    scope_field = "organisation"

    def submitted(self):
        return self.filter(status__in=(Summary.Status.SUBMITTED, Summary.Status.ACCEPTED))


class Summary(TimeStamped):
    """One unit's summary report for one campaign."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned for revision")
        ACCEPTED = "accepted", _("accepted")

    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="summaries"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="summaries"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    text = models.TextField(_("summary"), blank=True, max_length=50000)
    # {row key: {"value": number, "reason": text}}: the unit's corrections of computed rows.
    corrections = models.JSONField(default=dict, blank=True)
    # The table as submitted: {row key: {"computed", "value", "reason"}}.
    table = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    is_late = models.BooleanField(_("submitted late"), default=False)
    review_comment = models.TextField(_("comment of the organiser"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "organisation__path"]
        verbose_name = _("summary report")
        verbose_name_plural = _("summary reports")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation"], name="one_summary_per_unit_and_campaign"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.organisation}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES


def attachment_path(instance, filename: str) -> str:
    """summaries/<summary id>/<random>.<extension>: nothing of the original name is kept."""
    extension = (instance.extension or "bin").lower()
    return f"summaries/{instance.summary_id}/{secrets.token_urlsafe(16)}.{extension}"


class SummaryAttachmentQuerySet(ScopedQuerySet):
    scope_field = "summary__organisation"


class SummaryAttachment(models.Model):
    """A PDF or a photo attached to a summary, checked by its content."""

    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    extension = models.CharField(max_length=10, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SummaryAttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name or self.file.name


class ReminderSentQuerySet(ScopedQuerySet):
    scope_field = "organisation"


class ReminderSent(models.Model):
    """A reminder went out: the unique key makes a rerun of the job never send it twice."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    days_before = models.PositiveSmallIntegerField(_("days before the deadline"))
    sent_at = models.DateTimeField(auto_now_add=True)

    objects = ReminderSentQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation", "phase", "days_before"],
                name="one_reminder_per_unit_phase_and_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.organisation} · {self.phase} −{self.days_before}d"
