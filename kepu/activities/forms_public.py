"""Forms of the public portal: activity search, sign-up, self check-in and feedback.

They only validate input; the views hand the cleaned values to a selector or one service.
"""

import logging
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

logger = logging.getLogger(__name__)

REGION_CODE = re.compile(r"^[0-9A-Za-z_-]{1,20}$")
# Regions deeper than cities are reachable by code (links, API) but not listed in the select.
REGION_SELECT_DEPTH = 2
REGION_CHOICES_LIMIT = 500
# The places, audiences and topics of the search form change a few times a year: they are read
# from the database at most this often, per language (names of labels are translated).
CHOICES_SECONDS = 300


def _option_html(choices) -> str:
    return format_html_join("", '<option value="{}">{}</option>', choices)


def _build_search_choices() -> dict:
    regions = Region.objects.filter(depth__lte=REGION_SELECT_DEPTH).order_by("path")
    region_choices = [("", str(_("Anywhere")))] + [
        (r.code, ("— " * (r.depth - 1)) + r.name)
        for r in regions.only("code", "name", "depth")[:REGION_CHOICES_LIMIT]
    ]
    return {
        "region_html": _option_html(region_choices),
        "audiences": [(a.slug, a.name) for a in Audience.objects.order_by("slug")],
        "topics": [(t.slug, t.name) for t in Topic.objects.order_by("slug")],
    }


def search_choices() -> dict:
    """The choices of the search form in the current language, cached for a few minutes:
    ``region_html`` (the region <option>s, ~290), ``audiences`` and ``topics`` (slug, name)."""
    key = f"search-form-choices:{get_language() or ''}"
    try:
        choices = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache that is down only costs the queries
        choices = None
    if choices is None:
        choices = _build_search_choices()
        try:
            cache.set(key, choices, CHOICES_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("cache unavailable", exc_info=True)
    return choices


class OptionsSelect(forms.Select):
    """A select whose <option>s are ready-made markup (``options_html``), rendered without a
    template per option; the chosen value is marked ``selected``. Same markup as Django's."""

    options_html = ""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        attrs["name"] = name
        options = str(self.options_html)
        opening = format_html('<option value="{}">', "" if value is None else value)
        options = options.replace(opening, opening[:-1] + " selected>", 1)
        return format_html("<select{}>{}</select>", flatatt(attrs), mark_safe(options))  # noqa: S308


class PublicForm(forms.Form):
    """Labels without a trailing colon: the layout separates label and field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ActivitySearchForm(PublicForm):
    """The public search, from the query string. Every field is optional."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    region = forms.CharField(label=_("Region"), max_length=20, required=False, widget=OptionsSelect)
    kind = forms.MultipleChoiceField(
        label=_("Kind"),
        choices=Activity.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Choices (slug, name) come from search_choices(), cached per language.
    audience = forms.ChoiceField(
        label=_("Audience"),
        required=False,
        error_messages={"invalid_choice": _("Unknown audience.")},
    )
    topic = forms.ChoiceField(
        label=_("Topic"),
        required=False,
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
        choices = search_choices()
        self.fields["region"].widget.options_html = choices["region_html"]
        self.fields["audience"].choices = [("", _("Everyone")), *choices["audiences"]]
        self.fields["topic"].choices = [("", _("All topics")), *choices["topics"]]
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
            audience=data["audience"],
            topic=data["topic"],
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
