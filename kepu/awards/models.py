"""Evaluation and commendation: indicators, evaluators' scores, the commendation list with its
public objection period (公示期), and the certificates of the commended units and activities."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kepu.activities.models import Activity
from kepu.campaigns.models import Campaign
from kepu.core.models import TimeStamped
from kepu.core.text import mask_phone
from kepu.organisations import scoping
from kepu.organisations.models import Organisation
from kepu.organisations.scoping import ScopedQuerySet


class IndicatorQuerySet(ScopedQuerySet):
    scope_field = "campaign__organiser"


class Indicator(models.Model):
    """One criterion of the evaluation (seed 001: 重视程度、数量规模、效果亮点、宣传报道)."""

    class Measure(models.TextChoices):
        SCORED = "scored", _("scored by evaluators")
        ACTIVITIES = "activities", _("number of public activities")
        PARTICIPANTS = "participants", _("number of participants")
        KEY_ACTIVITIES = "key_activities", _("number of key activities")
        PUBLICITY = "publicity", _("number of news reports")
        CHECKINS = "checkins", _("number of check-ins")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    measure = models.CharField(
        _("how it is measured"), max_length=20, choices=Measure.choices, default=Measure.SCORED
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "order", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(condition=Q(weight__lte=100), name="indicator_weight_max_100")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight}%)"

    @property
    def is_scored(self) -> bool:
        return self.measure == self.Measure.SCORED


class ScoreQuerySet(ScopedQuerySet):
    scope_field = "organisation"


class Score(TimeStamped):
    """One evaluator's score of one unit on one scored indicator."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="scores")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    value = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "organisation", "evaluator"], name="score_once_per_evaluator"
            ),
            models.CheckConstraint(condition=Q(value__lte=100), name="score_value_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name}: {self.organisation} = {self.value}"


class CommendationQuerySet(ScopedQuerySet):
    scope_field = "campaign__organiser"

    def public(self):
        return self.filter(
            status__in=[Commendation.Status.PUBLICISED, Commendation.Status.FINAL],
            campaign__is_public=True,
        )


class Commendation(TimeStamped):
    """The commendation list of a campaign: draft → publicised (objection period) → final."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLICISED = "publicised", _("publicised for objections")
        FINAL = "final", _("final")

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="commendation")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    publicised_at = models.DateTimeField(_("publicised"), null=True, blank=True)
    objections_until = models.DateTimeField(_("objections until"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("finalised"), null=True, blank=True)

    objects = CommendationQuerySet.as_manager()

    class Meta:
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_status_display()}"


def new_certificate_code() -> str:
    return secrets.token_hex(8).upper()


class CommendedQuerySet(ScopedQuerySet):
    scope_field = "unit"

    def for_certificate(self, user):
        """Certificates the person may download: the organiser's managers and the staff of the
        commended unit (its own subtree), nobody sideways."""
        return self.filter(
            scoping.subtree_q(scoping.granted_paths(user, "activities.view"), field="unit")
            | scoping.subtree_q(
                scoping.granted_paths(user, "awards.manage"),
                field="commendation__campaign__organiser",
            )
        )


class Commended(models.Model):
    """An outstanding unit (activity empty) or an outstanding activity of ``unit``."""

    commendation = models.ForeignKey(Commendation, on_delete=models.CASCADE, related_name="entries")
    unit = models.ForeignKey(
        Organisation, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    citation = models.CharField(_("citation"), max_length=300, blank=True)
    certificate_code = models.CharField(
        max_length=32, unique=True, default=new_certificate_code, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommendedQuerySet.as_manager()

    class Meta:
        ordering = ["commendation", "activity", "id"]
        verbose_name = _("commended unit or activity")
        verbose_name_plural = _("commended units and activities")
        constraints = [
            models.UniqueConstraint(
                fields=["commendation", "unit"],
                condition=Q(activity__isnull=True),
                name="commended_unit_once",
            ),
            models.UniqueConstraint(
                fields=["commendation", "activity"],
                condition=Q(activity__isnull=False),
                name="commended_activity_once",
            ),
        ]

    def __str__(self) -> str:
        return self.recipient

    @property
    def is_activity(self) -> bool:
        return self.activity_id is not None

    @property
    def recipient(self) -> str:
        return self.activity.title if self.activity_id else self.unit.name


class ObjectionQuerySet(ScopedQuerySet):
    scope_field = "commendation__campaign__organiser"

    def unanswered(self):
        return self.filter(answered_at__isnull=True)


class Objection(TimeStamped):
    """An objection anyone filed during the objection period; the organiser must answer it."""

    commendation = models.ForeignKey(
        Commendation, on_delete=models.CASCADE, related_name="objections"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    contact = models.CharField(_("phone number or e-mail"), max_length=100)
    text = models.TextField(_("objection"), max_length=3000)
    answer = models.TextField(_("answer"), max_length=3000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"{self.name}: {self.text[:40]}"

    @property
    def masked_contact(self) -> str:
        """A phone number masked; an e-mail address shown by its first letter and domain."""
        if "@" in self.contact:
            local, _at, domain = self.contact.partition("@")
            return f"{local[:1]}***@{domain}"
        return mask_phone(self.contact)
