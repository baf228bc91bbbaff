"""Forms of the public portal: activity search, sign-up, self check-in and feedback.

They only validate input; the views hand the cleaned values to a selector or one service.
"""

import re

from django import forms
from django.core.cache import cache
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kepu.core.text import is_phone, normalise_phone
from kepu.organisations.models import Region

from .models import Activity, Audience, Topic
from .selectors import ActivitySearch

REGION_CODE = re.compile(r"^[0-9A-Za-z_-]{1,20}$")
# Regions deeper than cities are reachable by code (links, API) but not listed in the select.
REGION_SELECT_DEPTH = 2
# The list of provinces and cities changes a few times a year; it is read from the database at
# most this often, and kept per language (names may one day be translated).
REGION_CHOICES_SECONDS = 300
REGION_CHOICES_LIMIT = 500


def region_choices() -> list[tuple[str, str]]:
    """(code, label) of the provinces and cities, indented by depth; cached for a few minutes."""
    key = f"search-region-choices:{get_language() or ''}"
    try:
        choices = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache that is down only costs a query
        choices = None
    if choices is None:
        regions = Region.objects.filter(depth__lte=REGION_SELECT_DEPTH).order_by("path")
        choices = [
            (r.code, ("— " * (r.depth - 1)) + r.name)
            for r in regions.only("code", "name", "depth")[:REGION_CHOICES_LIMIT]
        ]
        try:
            cache.set(key, choices, REGION_CHOICES_SECONDS)
        except Exception:  # noqa: BLE001
            pass
    return choices


class PlainSelect(forms.Select):
    """A single select rendered in one pass, without a template per option.

    Django renders each <option> through a template; for the ~290 regions of the search form
    that was a large part of the page's time. The markup is the same.
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        attrs["name"] = name
        selected = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (code, mark_safe(" selected") if str(code) == selected else "", label)
                for code, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(attrs), options)


class PublicForm(forms.Form):
    """Labels without a trailing colon: the layout separates label and field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ActivitySearchForm(PublicForm):
    """The public search, from the query string. Every field is optional."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    region = forms.CharField(label=_("Region"), max_length=20, required=False, widget=PlainSelect)
    kind = forms.MultipleChoiceField(
        label=_("Kind"),
        choices=Activity.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audience = forms.ModelChoiceField(
        label=_("Audience"),
        queryset=Audience.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("Everyone"),
        error_messages={"invalid_choice": _("Unknown audience.")},
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All topics"),
        error_messages={"invalid_choice": _("Unknown topic.")},
    )
    format = forms.ChoiceField(
        label=_("Where"),
        required=False,
        choices=[
            ("", _("Onsite or online")),
            (Activity.Format.ONSITE, _("onsite")),
            (Activity.Format.ONLINE, _("online")),
        ],
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    campaign = forms.SlugField(required=False, max_length=80, widget=forms.HiddenInput)
    past = forms.BooleanField(label=_("Include past activities"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.choices = [("", _("Anywhere")), *region_choices()]
        for name in ("q", "date_from", "date_to"):
            self.fields[name].widget.attrs.setdefault("autocomplete", "off")

    def clean_region(self) -> str:
        code = self.cleaned_data["region"].strip()
        if code and (not REGION_CODE.match(code) or not Region.objects.filter(code=code).exists()):
            raise forms.ValidationError(_("Unknown region."), code="unknown_region")
        return code

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return cleaned

    def to_search(self) -> ActivitySearch:
        data = self.cleaned_data
        return ActivitySearch(
            q=data["q"],
            region=data["region"],
            kinds=list(data["kind"]),
            audience=data["audience"].slug if data["audience"] else "",
            topic=data["topic"].slug if data["topic"] else "",
            format=data["format"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            campaign=data["campaign"],
            include_past=data["past"],
        )


def _clean_phone(value: str) -> str:
    value = (value or "").strip()
    if value and not is_phone(value):
        raise forms.ValidationError(_("Enter a valid phone number."), code="invalid_phone")
    return normalise_phone(value) if value else ""


class RegistrationForm(PublicForm):
    name = forms.CharField(label=_("Your name"), max_length=100)
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(
        label=_("I agree that the organiser uses my name and phone number for this activity."),
        error_messages={"required": _("Please agree to the use of your data for this activity.")},
    )
    is_minor = forms.BooleanField(label=_("The participant is under 14"), required=False)
    guardian_name = forms.CharField(
        label=_("Parent or guardian's name"), max_length=100, required=False
    )
    guardian_consent = forms.BooleanField(
        label=_("As parent or guardian, I agree to this sign-up."), required=False
    )

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_minor"):
            if not cleaned.get("guardian_consent"):
                self.add_error(
                    "guardian_consent",
                    _("Participants under 14 need a parent or guardian's consent."),
                )
            if not (cleaned.get("guardian_name") or "").strip():
                self.add_error("guardian_name", _("Enter the parent or guardian's name."))
        return cleaned


class SelfCheckInForm(PublicForm):
    code = forms.CharField(
        label=_("Check-in code shown at the venue"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(
        label=_("Your name (if you did not sign up)"), max_length=100, required=False
    )
    phone = forms.CharField(
        label=_("Phone number (if you did not sign up)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"])


class FeedbackForm(PublicForm):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        error_messages={
            "required": _("Choose a rating from 1 to 5."),
            "invalid_choice": _("Choose a rating from 1 to 5."),
        },
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
