"""Workbench forms for results: a file, a news link, the numbers reached."""

from django import forms
from django.utils.translation import gettext_lazy as _

ACCEPT = ",".join(
    [".jpg", ".jpeg", ".png", ".webp", ".mp4", ".webm", ".pdf"]
    + ["image/jpeg", "image/png", "image/webp", "video/mp4", "video/webm", "application/pdf"]
)


class FileResultForm(forms.Form):
    file = forms.FileField(
        label=_("Photo, video or document"),
        help_text=_(
            "Photos: JPEG, PNG or WebP. Videos: MP4 or WebM. Documents: PDF. "
            "The type is checked from the file's content."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)


class LinkResultForm(forms.Form):
    url = forms.URLField(
        label=_("Web address of the report"), max_length=500, assume_scheme="https"
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    outlet = forms.CharField(label=_("Outlet"), max_length=100, required=False)
    published_on = forms.DateField(
        label=_("Published on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class OutcomeForm(forms.Form):
    participants_onsite = forms.IntegerField(label=_("Participants on site"), min_value=0)
    participants_online = forms.IntegerField(label=_("Participants online"), min_value=0)
    online_views = forms.IntegerField(label=_("Online views"), min_value=0, initial=0)
