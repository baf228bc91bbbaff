"""Forms of kepu.exports: the import upload and the choice of a template."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kepu.campaigns.forms import CampaignChoiceField, OrganisationChoiceField
from kepu.campaigns.models import Campaign
from kepu.organisations.models import Organisation

from . import selectors


class _ScopeForm(forms.Form):
    campaign = CampaignChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    organisation = OrganisationChoiceField(
        label=_("Organiser unit"), queryset=Organisation.objects.none()
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = selectors.import_campaigns(user)
        self.fields["organisation"].queryset = selectors.import_organisations(user)


class ImportForm(_ScopeForm):
    file = forms.FileField(
        label=_("Filled-in template (XLSX)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


class TemplateForm(_ScopeForm):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["campaign"].required = False
        self.fields["organisation"].required = False
        self.fields["language"].required = False
