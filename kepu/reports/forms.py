from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import table_rows


class SummaryTextForm(forms.Form):
    text = forms.CharField(
        label=_("Text of the summary"),
        max_length=50000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("What the unit did, its highlights and its publicity."),
    )


class CorrectionForm(forms.Form):
    key = forms.ChoiceField(label=_("Row"))
    value = forms.DecimalField(
        label=_("Corrected figure"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Leave empty to go back to the computed figure."),
    )
    reason = forms.CharField(label=_("Reason for the correction"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = table_rows()


class ReviewCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the unit"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("PDF or photo"),
        help_text=_("PDF documents and JPEG, PNG or WebP photos."),
    )
