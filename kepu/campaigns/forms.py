"""Workbench forms for campaigns: the campaign itself, joint actions, reopenings and targets.

Times a person types are wall-clock times in the campaign's time zone; the forms make them
aware in that zone (``LocalDateTimeField`` keeps them naive until the zone is known).
"""

import datetime as dt
import zoneinfo

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.forms.fields import BaseTemporalField
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from kepu.organisations import scoping
from kepu.organisations.models import Organisation, lineage_paths

from .models import Campaign, JointAction, Phase


class LocalDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input. Cleans to a naive wall-clock time: the form that knows the
    campaign makes it aware in the campaign's zone (see ``aware_in``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        # Unlike the parent, no conversion through the server's zone: the wall time typed is
        # kept as it is (a time that does not exist in the server's zone may exist in the
        # campaign's).
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value
        try:
            result = parse_datetime(str(value).strip())
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if result is None:
            result = BaseTemporalField.to_python(self, value)
        return result


def aware_in(value: dt.datetime | None, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, tz)


def local_naive(value: dt.datetime | None, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """A stored (UTC) time as the naive wall-clock time of ``tz``, for a form's initial value."""
    if value is None:
        return None
    return timezone.make_naive(value, tz)


def _ancestor_paths(paths: list[str]) -> set[str]:
    """Every path on the way from the root to each of ``paths`` (each path included)."""
    return {a for p in paths for a in lineage_paths(p, Organisation.steplen)}


def campaigns_open_to(user, perm: str) -> QuerySet[Campaign]:
    """Campaigns the person's organisations can take part in or run: organised above them
    (or by them), organised inside their subtrees, or inviting an organisation on their path."""
    paths = scoping.granted_paths(user, perm)
    on_path = _ancestor_paths(paths)
    q = (
        scoping.subtree_q(paths, field="organiser")
        | Q(organiser__path__in=on_path)
        | Q(invited__path__in=on_path)
        | scoping.subtree_q(paths, field="invited")
    )
    ids = Campaign.objects.filter(q).values("pk")
    return Campaign.objects.filter(pk__in=ids).select_related("organiser")


def valid_time_zone(value: str) -> bool:
    return value in zoneinfo.available_timezones()


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class IndentedOrganisationsField(forms.ModelMultipleChoiceField):
    """Organisations as checkboxes in tree order, each indented by its depth below the
    shallowest choice (no-break spaces, so that the indent survives without CSS)."""

    base_depth = 1

    def label_from_instance(self, obj):
        return "\u00a0" * 4 * max(obj.depth - self.base_depth, 0) + obj.name


class CampaignChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.starts_on:%Y-%m-%d})"


DATE_INPUT = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class CampaignForm(forms.Form):
    """Create (with organiser and parent) or edit a campaign."""

    organiser = OrganisationChoiceField(label=_("Organiser"), queryset=Organisation.objects.none())
    parent = CampaignChoiceField(
        label=_("Parent campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        help_text=_("A local campaign within a wider one (it inherits the theme and deadlines)."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    theme = forms.CharField(label=_("Theme"), max_length=300, required=False)
    slug = forms.SlugField(
        label=_("Short name in the address"),
        max_length=80,
        help_text=_("Letters, digits and hyphens, e.g. science-day-2025."),
    )
    starts_on = forms.DateField(label=_("First day"), **DATE_INPUT)
    ends_on = forms.DateField(label=_("Last day"), **DATE_INPUT)
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        initial="Asia/Shanghai",
        help_text=_("For example Asia/Shanghai or Asia/Ho_Chi_Minh. Deadlines below are in it."),
    )
    language = forms.ChoiceField(label=_("Language of the campaign"), choices=settings.LANGUAGES)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    register_by = LocalDateTimeField(label=_("Activities registered by"), required=False)
    results_by = LocalDateTimeField(label=_("Results completed by"), required=False)
    summary_by = LocalDateTimeField(label=_("Summaries submitted by"), required=False)
    participation = forms.ChoiceField(
        label=_("Participating units"), choices=Campaign.Participation.choices
    )
    invited = IndentedOrganisationsField(
        label=_("Invited organisations"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only for a campaign of invited organisations: they and the organisations "
            "below them take part. Each must be under the organiser."
        ),
    )
    is_public = forms.BooleanField(
        label=_("Shown on the public site"), required=False, initial=True
    )

    DEADLINES = ("register_by", "results_by", "summary_by")

    def __init__(self, user, *args, campaign: Campaign | None = None, **kwargs):
        self.campaign = campaign
        if campaign is not None:
            initial = {
                name: getattr(campaign, name)
                for name in (
                    "title",
                    "theme",
                    "slug",
                    "starts_on",
                    "ends_on",
                    "time_zone",
                    "language",
                    "description",
                    "participation",
                    "is_public",
                )
            }
            for name in self.DEADLINES:
                initial[name] = local_naive(getattr(campaign, name), campaign.tz)
            initial["invited"] = [org.pk for org in campaign.invited.all()]
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        invited = self.fields["invited"]
        if campaign is not None:
            del self.fields["organiser"]
            del self.fields["parent"]
            # Only the organiser's subtree can be invited; the actor manages all of it.
            invited.queryset = _organiser_subtree(campaign)
            invited.base_depth = campaign.organiser.depth
        else:
            self.fields["organiser"].queryset = scoping.organisations_for(
                user, "campaigns.manage"
            ).order_by("path")
            self.fields["parent"].queryset = campaigns_open_to(user, "campaigns.manage").order_by(
                "-starts_on", "title"
            )
            invited.queryset = self.fields["organiser"].queryset
            paths = scoping.granted_paths(user, "campaigns.manage")
            invited.base_depth = min((len(p) // Organisation.steplen for p in paths), default=1)

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        taken = Campaign.objects.filter(slug=slug)
        if self.campaign is not None:
            taken = taken.exclude(pk=self.campaign.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another campaign already uses this short name."))
        return slug

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"].strip()
        if not valid_time_zone(value):
            raise forms.ValidationError(
                _("Unknown time zone: %(zone)s. Use a name such as Asia/Shanghai."),
                params={"zone": value},
            )
        return value

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        zone = data.get("time_zone")
        if zone:
            tz = zoneinfo.ZoneInfo(zone)
            for name in self.DEADLINES:
                if data.get(name) is not None:
                    data[name] = aware_in(data[name], tz)
        return data

    def service_fields(self) -> dict:
        names = [
            "title",
            "theme",
            "slug",
            "starts_on",
            "ends_on",
            "time_zone",
            "language",
            "description",
            "participation",
            "is_public",
            "invited",
            *self.DEADLINES,
        ]
        return {name: self.cleaned_data[name] for name in names}


def _organiser_subtree(campaign: Campaign) -> QuerySet[Organisation]:
    return Organisation.objects.filter(path__startswith=campaign.organiser.path).order_by("path")


class JointActionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    lead_unit = OrganisationChoiceField(
        label=_("Lead unit"), queryset=Organisation.objects.none(), required=False
    )
    lead_unit_name = forms.CharField(
        label=_("Lead unit (name, when it is not on the platform)"),
        max_length=200,
        required=False,
    )
    number = forms.IntegerField(
        label=_("Number"),
        min_value=1,
        max_value=999,
        required=False,
        help_text=_("Leave empty to number it after the existing ones."),
    )

    def __init__(self, campaign: Campaign, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = _organiser_subtree(campaign)


class ReopenForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    until = LocalDateTimeField(label=_("Open until"))
    organisation = OrganisationChoiceField(
        label=_("Only for"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Leave empty to reopen the phase for everyone."),
    )

    def __init__(self, campaign: Campaign, *args, **kwargs):
        self.campaign = campaign
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organiser_subtree(campaign)

    def clean_until(self):
        return aware_in(self.cleaned_data["until"], self.campaign.tz)


class TargetForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=Organisation.Level.choices)
    min_key_activities = forms.IntegerField(
        label=_("Minimum key activities"), min_value=0, max_value=1_000_000
    )


def joint_action_label(action: JointAction) -> str:
    return f"{action.campaign.title} · {action.number}. {action.title}"
