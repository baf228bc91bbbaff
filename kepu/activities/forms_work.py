"""Workbench forms for activities: report/edit, filters, transitions, capacity, check-in."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kepu.campaigns.forms import (
    CampaignChoiceField,
    LocalDateTimeField,
    OrganisationChoiceField,
    aware_in,
    campaigns_open_to,
    joint_action_label,
    local_naive,
)
from kepu.campaigns.models import Campaign, JointAction
from kepu.organisations import scoping
from kepu.organisations.models import Organisation, Region

from .models import Activity, Audience, Topic

Format = Activity.Format


class JointActionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return joint_action_label(obj)


class LabelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _regions_for(organisations) -> QuerySet[Region]:
    """Regions at or below the regions of the person's organisations."""
    paths = sorted({o.region.path for o in organisations if o.region_id})
    return (
        Region.objects.filter(scoping.subtree_q(paths, field="")).order_by("path")
        if paths
        else Region.objects.none()
    )


class ActivityForm(forms.Form):
    """Report a new activity (organisation and campaign chosen) or edit one (both fixed).

    Start and end are typed as wall-clock times of the campaign's time zone."""

    organisation = OrganisationChoiceField(
        label=_("Organiser unit"), queryset=Organisation.objects.none()
    )
    campaign = CampaignChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    joint_action = JointActionChoiceField(
        label=_("Joint action"), queryset=JointAction.objects.none(), required=False
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices)
    venue = forms.CharField(
        label=_("Venue"),
        max_length=200,
        required=False,
        help_text=_("Needed for onsite and hybrid activities."),
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.none(), required=False
    )
    online_url = forms.URLField(
        label=_("Online link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Needed for online and hybrid activities."),
    )
    starts_at = LocalDateTimeField(label=_("Starts"))
    ends_at = LocalDateTimeField(label=_("Ends"))
    audiences = LabelMultipleChoiceField(
        label=_("Audiences"),
        queryset=Audience.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    topics = LabelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    capacity = forms.IntegerField(
        label=_("Places"),
        min_value=0,
        max_value=1_000_000,
        required=False,
        help_text=_("Leave empty for no limit."),
    )
    signup_required = forms.BooleanField(label=_("Sign-up needed"), required=False)
    is_key = forms.BooleanField(label=_("Key activity"), required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=60, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)

    SERVICE_FIELDS = [
        "joint_action",
        "title",
        "description",
        "kind",
        "format",
        "venue",
        "region",
        "online_url",
        "starts_at",
        "ends_at",
        "capacity",
        "signup_required",
        "is_key",
        "contact_name",
        "contact_phone",
    ]

    def __init__(self, user, *args, activity: Activity | None = None, **kwargs):
        self.activity = activity
        if activity is not None:
            kwargs.setdefault("initial", self._initial_from(activity))
        super().__init__(*args, **kwargs)
        if activity is not None:
            del self.fields["organisation"]
            del self.fields["campaign"]
            campaign_ids = [activity.campaign_id, *activity.campaign.ancestor_ids()]
            regions = _regions_for([activity.organisation])
        else:
            self.fields["organisation"].queryset = scoping.organisations_for(
                user, "activities.report"
            ).order_by("path")
            campaigns = campaigns_open_to(user, "activities.report").current()
            self.fields["campaign"].queryset = campaigns.order_by("-starts_on", "title")
            campaign_ids = campaigns.values("pk")
            regions = _regions_for(
                Organisation.objects.filter(
                    path__in=scoping.granted_paths(user, "activities.report")
                ).select_related("region")
            )
        self.fields["joint_action"].queryset = (
            JointAction.objects.filter(campaign__in=campaign_ids)
            .select_related("campaign")
            .order_by("campaign__lineage", "number")
        )
        self.fields["region"].queryset = regions
        for name in ("audiences", "topics"):
            if not self.fields[name].queryset.exists():
                del self.fields[name]  # no labels defined yet: no empty box
        if activity is None and not self.is_bound:
            for name in ("organisation", "campaign"):
                choices = list(self.fields[name].queryset[:2])
                if len(choices) == 1:
                    self.initial.setdefault(name, choices[0].pk)

    @staticmethod
    def _initial_from(activity: Activity) -> dict:
        initial = {name: getattr(activity, name) for name in ActivityForm.SERVICE_FIELDS}
        initial["joint_action"] = activity.joint_action_id
        initial["region"] = activity.region_id
        for name in ("starts_at", "ends_at"):
            initial[name] = local_naive(getattr(activity, name), activity.tz)
        initial["audiences"] = list(activity.audiences.values_list("pk", flat=True))
        initial["topics"] = list(activity.topics.values_list("pk", flat=True))
        return initial

    def _campaign(self) -> Campaign | None:
        if self.activity is not None:
            return self.activity.campaign
        return self.cleaned_data.get("campaign")

    def clean(self):
        data = super().clean()
        campaign = self._campaign()
        if campaign is not None:
            for name in ("starts_at", "ends_at"):
                data[name] = aware_in(data.get(name), campaign.tz)
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must be after the start."))
        fmt = data.get("format")
        if (
            fmt in (Format.ONLINE, Format.HYBRID)
            and not data.get("online_url")
            and "online_url" not in self.errors
        ):
            self.add_error("online_url", _("An online activity needs a link."))
        if (
            fmt in (Format.ONSITE, Format.HYBRID)
            and not data.get("venue")
            and "venue" not in self.errors
        ):
            self.add_error("venue", _("An onsite activity needs a venue."))
        if data.get("signup_required") and data.get("capacity") == 0:
            self.add_error("capacity", _("An activity with sign-up needs at least one place."))
        action = data.get("joint_action")
        if (
            campaign is not None
            and action is not None
            and action.campaign_id not in {campaign.pk, *campaign.ancestor_ids()}
        ):
            self.add_error("joint_action", _("This joint action belongs to another campaign."))
        return data

    def service_fields(self) -> dict:
        fields = {name: self.cleaned_data.get(name) for name in self.SERVICE_FIELDS}
        for name in ("venue", "online_url", "contact_name", "contact_phone"):
            fields[name] = fields[name] or ""
        for name in ("audiences", "topics"):
            if name in self.fields:
                fields[name] = list(self.cleaned_data.get(name) or [])
        return fields


class ActivityFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Activity.Status.choices],
    )
    campaign = CampaignChoiceField(
        label=_("Campaign"),
        required=False,
        queryset=Campaign.objects.none(),
        empty_label=_("All campaigns"),
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, campaigns, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label=_("Places"),
        min_value=0,
        max_value=1_000_000,
        required=False,
        help_text=_("Leave empty for no limit. Raising it confirms people from the waiting list."),
    )


class CheckinForm(forms.Form):
    code = forms.CharField(
        label=_("Ticket code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )


class FeedbackVisibilityForm(forms.Form):
    hidden = forms.TypedChoiceField(
        choices=[("1", _("Hide")), ("0", _("Show"))], coerce=lambda v: v == "1"
    )
