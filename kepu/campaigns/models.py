import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kepu.core.models import TimeStamped
from kepu.organisations.models import Organisation
from kepu.organisations.scoping import ScopedQuerySet


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value})


class Phase(models.TextChoices):
    REGISTRATION = "registration", _("activity registration")
    RESULTS = "results", _("results")
    SUMMARY = "summary", _("summary reports")


class CampaignQuerySet(ScopedQuerySet):
    scope_field = "organiser"

    def public(self):
        return self.filter(is_public=True)

    def current(self, today=None):
        today = today or timezone.localdate()
        return self.filter(ends_on__gte=today)


class Campaign(TimeStamped):
    """A campaign such as Science Day; child campaigns are run by descendant organisations."""

    class Participation(models.TextChoices):
        SUBTREE = "subtree", _("every organisation under the organiser")
        INVITED = "invited", _("invited organisations only")

    organiser = models.ForeignKey(
        Organisation,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # "/<root id>/<child id>/…/": every ancestor campaign is a prefix.
    lineage = models.CharField(max_length=255, db_index=True, editable=False, default="")
    title = models.CharField(_("title"), max_length=200)
    theme = models.CharField(_("theme"), max_length=300, blank=True)
    slug = models.SlugField(_("short name in the address"), max_length=80, unique=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    language = models.CharField(_("language of the campaign"), max_length=10, default="zh-hans")
    # Seed 004 asks for video material of at most 3 minutes.
    max_video_seconds = models.PositiveIntegerField(
        _("longest video (seconds)"), default=180, db_default=180
    )
    description = models.TextField(_("description"), blank=True, max_length=20000)
    register_by = models.DateTimeField(_("activities registered by"), null=True, blank=True)
    results_by = models.DateTimeField(_("results completed by"), null=True, blank=True)
    summary_by = models.DateTimeField(_("summaries submitted by"), null=True, blank=True)
    participation = models.CharField(
        _("participating units"),
        max_length=20,
        choices=Participation.choices,
        default=Participation.SUBTREE,
    )
    invited = models.ManyToManyField(
        Organisation,
        verbose_name=_("invited organisations"),
        blank=True,
        related_name="invitations",
    )
    is_public = models.BooleanField(_("shown on the public site"), default=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_dates_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day cannot be before the first day.")})

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.lineage.strip("/").split("/") if p]

    @property
    def effective_theme(self) -> str:
        """A child campaign inherits its parent's theme unless it sets its own."""
        if self.theme:
            return self.theme
        return self.parent.effective_theme if self.parent_id else ""

    def deadline(self, phase: str):
        return {
            Phase.REGISTRATION: self.register_by,
            Phase.RESULTS: self.results_by,
            Phase.SUMMARY: self.summary_by,
        }[phase]

    def effective_deadline(self, phase: str):
        """The campaign's own deadline for the phase, else the nearest ancestor's (a child
        campaign inherits the deadlines it does not set)."""
        node = self
        while node is not None:
            deadline = node.deadline(phase)
            if deadline is not None:
                return deadline
            node = node.parent
        return None

    @property
    def effective_results_by(self):
        return self.effective_deadline(Phase.RESULTS)

    @property
    def effective_summary_by(self):
        return self.effective_deadline(Phase.SUMMARY)


class DeadlineReopening(models.Model):
    """The organiser reopened a phase after its deadline, for everyone or for one organisation."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reopenings")
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("only for"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    until = models.DateTimeField(_("open until"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-until"]

    def __str__(self) -> str:
        return f"{self.campaign} {self.phase} → {self.until:%Y-%m-%d}"


class JointActionQuerySet(ScopedQuerySet):
    scope_field = "campaign__organiser"


class JointAction(models.Model):
    """联合行动: a theme of activities within a campaign, led by a lead unit."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="joint_actions")
    number = models.PositiveSmallIntegerField(_("number"), default=1)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    lead_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_actions",
    )
    lead_unit_name = models.CharField(_("lead unit (name)"), max_length=200, blank=True)

    objects = JointActionQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "number"]
        verbose_name = _("joint action")
        verbose_name_plural = _("joint actions")

    def __str__(self) -> str:
        return self.title

    @property
    def lead(self) -> str:
        return self.lead_unit.name if self.lead_unit_id else self.lead_unit_name


class CampaignTarget(models.Model):
    """A minimum number of key activities for every organisation of a level (e.g. 80 per city)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    level = models.CharField(_("level"), max_length=20, choices=Organisation.Level.choices)
    min_key_activities = models.PositiveIntegerField(_("minimum key activities"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "level"], name="campaign_target_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.level} ≥ {self.min_key_activities}"
