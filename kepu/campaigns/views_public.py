"""Public pages of campaigns: the home page, a campaign and its calendar file."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from kepu.activities import pages
from kepu.activities.forms_public import ActivitySearchForm
from kepu.activities.models import Activity
from kepu.activities.selectors import public_activities
from kepu.activities.views_public import (
    canonical_url,
    ics_response,
    load_cards,
    page_qr,
    page_window,
)
from kepu.core.cache import public_page

from .models import Campaign, Phase
from .services import effective_deadline, joint_actions_for

PAGE_SIZE = 20
HOME_CAMPAIGNS = 30
HOME_ACTIVITIES = 6
# A calendar file is for people's calendars, not an export (the API and XLSX are for that).
CALENDAR_LIMIT = 2000


@public_page(topics=pages.listing_topics, listing=True)
def home(request):
    campaigns = (
        Campaign.objects.public()
        .current()
        .select_related("parent")
        .order_by("starts_on", "title")[:HOME_CAMPAIGNS]
    )
    upcoming = (
        public_activities()
        .filter(ends_at__gte=timezone.now())
        .order_by("starts_at", "id")[:HOME_ACTIVITIES]
    )
    return render(
        request,
        "campaigns/public/home.html",
        {
            "campaigns": campaigns,
            "upcoming": upcoming,
            "search_form": ActivitySearchForm(),
        },
    )


def _public_campaign_or_404(slug: str) -> Campaign:
    campaign = (
        Campaign.objects.public().select_related("parent", "organiser").filter(slug=slug).first()
    )
    if campaign is None:
        raise Http404
    return campaign


@public_page(topics=pages.listing_topics, listing=True)
def campaign_detail(request, slug: str):
    campaign = _public_campaign_or_404(slug)
    # One page in start order without counting them all; see activities.views_public.
    activities = Activity.objects.public().in_campaign_tree(campaign).order_by("starts_at", "id")
    page = page_window(activities, request.GET.get("page"), per_page=PAGE_SIZE, load=load_cards)
    qr_url = canonical_url(request, {"page": page.number if page.number > 1 else ""})
    deadlines = [
        (Phase(phase).label, effective_deadline(campaign, phase)) for phase in Phase.values
    ]
    return render(
        request,
        "campaigns/public/campaign_detail.html",
        {
            "campaign": campaign,
            "tz": campaign.tz,
            "theme": campaign.effective_theme,
            "deadlines": [(label, when) for label, when in deadlines if when is not None],
            "joint_actions": joint_actions_for(campaign),
            "children": campaign.children.filter(is_public=True).order_by("starts_on", "title"),
            "page_obj": page,
            "activities": page.object_list,
            "page_qr": lambda: page_qr(qr_url),
            "commendation": _public_commendation(campaign),
        },
    )


def _public_commendation(campaign):
    """The campaign's commendation list once it is public (publicised or final), else None."""
    from kepu.awards.models import Commendation

    return (
        Commendation.objects.public()
        .filter(campaign=campaign)
        .only("status", "objections_until")
        .first()
    )


@public_page(topics=pages.listing_topics, listing=True)
def campaign_calendar(request, slug: str):
    campaign = _public_campaign_or_404(slug)
    activities = (
        Activity.objects.public()
        .in_campaign_tree(campaign)
        .select_related("organisation")
        .order_by("starts_at", "id")[:CALENDAR_LIMIT]
    )
    return ics_response(
        request, activities, name=campaign.title, filename=f"kepu-{campaign.slug}.ics"
    )
