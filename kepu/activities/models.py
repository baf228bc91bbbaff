import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kepu.campaigns.models import Campaign, JointAction
from kepu.core.models import TimeStamped
from kepu.core.text import fold, mask_phone
from kepu.organisations.models import Organisation, Region
from kepu.organisations.scoping import ScopedQuerySet


class Label(models.Model):
    """A public label (audience, topic) with a name per interface language."""

    slug = models.SlugField(unique=True)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=60)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=60, blank=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=60, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)

    class Meta:
        abstract = True
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "zh-hans").replace("-", "_")
        return getattr(self, f"name_{lang}", "") or self.name_zh_hans


class Audience(Label):
    class Meta(Label.Meta):
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")


class Topic(Label):
    class Meta(Label.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class ActivityQuerySet(ScopedQuerySet):
    def public(self):
        return self.filter(status__in=Activity.PUBLIC_STATUSES)

    def in_campaign_tree(self, campaign: Campaign):
        """Activities of the campaign and of every descendant campaign."""
        return self.filter(campaign__lineage__startswith=campaign.lineage)


class Activity(TimeStamped):
    class Kind(models.TextChoices):
        LECTURE = "lecture", _("lecture")
        EXHIBITION = "exhibition", _("exhibition")
        OPEN_DAY = "open_day", _("open day")
        COMPETITION = "competition", _("competition")
        TRAINING = "training", _("training")
        VOLUNTEER = "volunteer", _("volunteer service")
        LIVE_STREAM = "live_stream", _("live stream")
        ONLINE_COURSE = "online_course", _("online course")
        CLOUD_VISIT = "cloud_visit", _("cloud visit")

    class Format(models.TextChoices):
        ONSITE = "onsite", _("onsite")
        ONLINE = "online", _("online")
        HYBRID = "hybrid", _("onsite and online")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted for review")
        RETURNED = "returned", _("returned for changes")
        APPROVED = "approved", _("approved")
        PUBLISHED = "published", _("published")
        FINISHED = "finished", _("finished")
        CANCELLED = "cancelled", _("cancelled")

    PUBLIC_STATUSES = (Status.PUBLISHED, Status.FINISHED)

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organiser unit"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="activities"
    )
    joint_action = models.ForeignKey(
        JointAction,
        verbose_name=_("joint action"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=20000)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    online_url = models.URLField(_("online link"), blank=True, max_length=500)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    audiences = models.ManyToManyField(Audience, verbose_name=_("audiences"), blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True)
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    signup_required = models.BooleanField(_("sign-up needed"), default=False)
    is_key = models.BooleanField(_("key activity"), default=False)
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    is_late = models.BooleanField(_("submitted late"), default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Counters kept by the sign-up services under the activity's row lock.
    confirmed_count = models.PositiveIntegerField(default=0)
    waitlist_count = models.PositiveIntegerField(default=0)
    search_text = models.TextField(editable=False, default="")

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["organisation", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="activity_time_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            errors["ends_at"] = _("The end cannot be before the start.")
        if self.format in (self.Format.ONSITE, self.Format.HYBRID) and not self.venue:
            errors["venue"] = _("An onsite activity needs a venue.")
        if self.format in (self.Format.ONLINE, self.Format.HYBRID) and not self.online_url:
            errors["online_url"] = _("An online activity needs a link.")
        if self.signup_required and self.capacity == 0:
            errors["capacity"] = _("An activity with sign-up needs at least one place.")
        if errors:
            raise ValidationError(errors)

    def refresh_search_text(self) -> None:
        parts = [self.title, self.description, self.venue, self.organisation.name]
        if self.region_id:
            parts.append(self.region.name)
        self.search_text = fold(" ".join(p for p in parts if p))

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES

    @property
    def places_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed_count, 0)

    # The activity page counts places left and people waiting exactly up to this many and says
    # "more than" above it, so that a sign-up changes the page (and replaces its cached copy)
    # only when the number is small enough to matter: a burst on a large activity does not
    # invalidate its page on every sign-up (pages.signup_changes_page).
    EXACT_UP_TO = 50

    @property
    def places_shown_exactly(self) -> bool:
        return self.places_left is not None and self.places_left <= self.EXACT_UP_TO

    @property
    def waitlist_shown_exactly(self) -> bool:
        return self.waitlist_count <= self.EXACT_UP_TO

    @property
    def has_ended(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def tz(self):
        return self.campaign.tz

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone)


def new_ticket_code() -> str:
    """Ten characters from an alphabet without look-alikes, easy to type at a check-in desk."""
    # 32 characters: each random byte picks one uniformly (256 is a multiple of 32), from one
    # call for the whole code instead of one per character.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(alphabet[byte % 32] for byte in secrets.token_bytes(10))


class RegistrationQuerySet(ScopedQuerySet):
    scope_field = "activity__organisation"

    def active(self):
        return self.filter(
            status__in=(Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)
        )


class Registration(TimeStamped):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    # No index of its own: the (activity, status, created_at) index below serves it, and a
    # sign-up burst pays for every index on insert.
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="registrations", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    # Unique through Meta.constraints: unique=True would add a second, pattern-matching index
    # on PostgreSQL that no query uses.
    ticket_code = models.CharField(max_length=12, default=new_ticket_code)
    consent_at = models.DateTimeField(_("consent given"))
    is_minor = models.BooleanField(_("under 14"), default=False)
    guardian_name = models.CharField(_("guardian's name"), max_length=100, blank=True)
    guardian_consent_at = models.DateTimeField(_("guardian's consent given"), null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"],
                condition=Q(status__in=["confirmed", "waitlisted"]),
                name="one_active_registration_per_person",
            ),
            models.UniqueConstraint(fields=["ticket_code"], name="unique_ticket_code"),
            models.CheckConstraint(
                condition=Q(is_minor=False) | Q(guardian_consent_at__isnull=False),
                name="minor_needs_guardian_consent",
            ),
        ]
        indexes = [models.Index(fields=["activity", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.activity} · {self.masked_phone or self.name}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class CheckInQuerySet(ScopedQuerySet):
    scope_field = "activity__organisation"


class CheckIn(models.Model):
    class Method(models.TextChoices):
        STAFF = "staff", _("checked in by staff")
        SELF = "self", _("self check-in with the activity code")
        WALK_IN = "walk_in", _("walk-in")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="checkins")
    registration = models.OneToOneField(
        Registration, null=True, blank=True, on_delete=models.CASCADE, related_name="checkin"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    at = models.DateTimeField(_("checked in at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"],
                condition=Q(user__isnull=False),
                name="one_checkin_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.at:%Y-%m-%d %H:%M}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class FeedbackQuerySet(ScopedQuerySet):
    scope_field = "activity__organisation"

    def visible(self):
        return self.filter(hidden_at__isnull=True)


class Feedback(TimeStamped):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], name="one_feedback_per_person"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="rating_between_1_and_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.rating}"
