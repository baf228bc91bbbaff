"""The dashboard's filters: invalid values are reported on the form and not applied."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kepu.activities.models import Activity
from kepu.campaigns.models import Campaign, JointAction
from kepu.organisations.models import Organisation, Region, lineage_paths

from . import selectors
from .selectors import Filters


class DashboardFilterForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.none(), to_field_name="code", required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )
    joint_action = forms.ModelChoiceField(
        label=_("Joint action"),
        queryset=JointAction.objects.none(),
        required=False,
        empty_label=_("All joint actions"),
    )
    activity_kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds"))] + Activity.Kind.choices, required=False
    )
    activity_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("All formats"))] + Activity.Format.choices,
        required=False,
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, user, campaign: Campaign, data=None):
        super().__init__(data)
        self.campaign = campaign
        self.fields["region"].queryset = Region.objects.all()
        self.fields["organisation"].queryset = selectors.visible_organisations(user, campaign)
        self.fields["joint_action"].queryset = JointAction.objects.filter(
            campaign__lineage__startswith=campaign.lineage
        ).order_by("campaign_id", "number")
        # The trees are large: the lists offer the current node's ancestors and children only
        # (drill-down links do the rest); any value inside the scope is still accepted.
        self.fields["region"].widget.choices = self._region_choices()
        self.fields["organisation"].widget.choices = self._organisation_choices(user)

    def _value(self, name: str):
        if not self.is_bound:
            return None
        try:
            return self.fields[name].clean(self.data.get(name))
        except forms.ValidationError:
            return None

    def _region_choices(self) -> list[tuple[str, str]]:
        current = self._value("region")
        choices = [("", str(_("All regions")))]
        if current is None:
            nodes = list(Region.objects.get_root_nodes())
        else:
            nodes = [*Region.objects.get_ancestors(current), current]
            nodes += Region.objects.get_children(current)
        return choices + [(r.code, "· " * (r.depth - 1) + r.name) for r in nodes]

    def _organisation_choices(self, user) -> list[tuple[str, str]]:
        current = self._value("organisation") or selectors.default_node(user, self.campaign)
        scope = self.fields["organisation"].queryset
        top = selectors.default_node(user, self.campaign)
        # Between the top node and the current one (the current one is added below).
        between = lineage_paths(current.path, Organisation.steplen)[top.depth - 1 : -1]
        ancestors = scope.filter(path__in=between)
        nodes = [*ancestors.order_by("path"), current]
        nodes += Organisation.objects.get_children(current).order_by("path")
        choices = [("", str(_("All organisations")))]
        return choices + [(str(o.pk), "· " * max(0, o.depth - top.depth) + o.name) for o in nodes]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return data

    def filters(self) -> Filters:
        """The valid filters; call after ``is_valid()`` (invalid fields are left out)."""
        data = getattr(self, "cleaned_data", {}) or {}
        return Filters(
            region=data.get("region"),
            organisation=data.get("organisation"),
            joint_action=data.get("joint_action"),
            kind=data.get("activity_kind") or "",
            format=data.get("activity_format") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
