from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Indicator


class IndicatorForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Indicator"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    measure = forms.ChoiceField(label=_("How it is measured"), choices=Indicator.Measure.choices)
    weight = forms.IntegerField(label=_("Weight (%)"), min_value=0, max_value=100)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, required=False)


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=1, can_delete=True, max_num=20)


class ScoreForm(forms.Form):
    """One evaluator's scores of one unit: a field per scored indicator."""

    def __init__(self, *args, indicators=(), organisation=None, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        existing = existing or {}
        self.organisation = organisation
        comment = ""
        for indicator in indicators:
            score = existing.get((organisation.pk, indicator.pk))
            self.fields[f"i{indicator.pk}"] = forms.IntegerField(
                label=indicator.name,
                min_value=0,
                max_value=100,
                initial=score.value if score else None,
                help_text=indicator.description,
            )
            comment = comment or (score.comment if score else "")
        self.fields["comment"] = forms.CharField(
            label=_("Comment"), max_length=500, required=False, initial=comment
        )

    def values(self) -> dict[int, int]:
        return {
            int(name[1:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("i") and name[1:].isdigit()
        }


class CommendedForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Outstanding unit"), queryset=None, required=False
    )
    activity = forms.ModelChoiceField(
        label=_("Outstanding activity"), queryset=None, required=False
    )
    citation = forms.CharField(label=_("Citation"), max_length=300, required=False)

    def __init__(self, *args, units=None, activities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = units
        self.fields["activity"].queryset = activities

    def clean(self):
        data = super().clean()
        if bool(data.get("organisation")) == bool(data.get("activity")):
            raise forms.ValidationError(_("Choose either a unit or an activity."))
        return data


class PubliciseForm(forms.Form):
    days = forms.IntegerField(
        label=_("Objection period (days)"), min_value=1, max_value=30, initial=3
    )


class ObjectionForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=100)
    contact = forms.CharField(
        label=_("Phone number or e-mail"),
        max_length=100,
        help_text=_("Only the organiser sees it, to reply to you."),
    )
    text = forms.CharField(
        label=_("Your objection"), max_length=3000, widget=forms.Textarea(attrs={"rows": 5})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )
