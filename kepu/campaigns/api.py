"""API handlers for public campaigns and their joint actions."""

import datetime as dt

from django.http import Http404
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.responses import codes_4xx

from kepu.api.errors import ErrorOut
from kepu.api.pagination import PageParams, page_of, paginate

from .models import Campaign, JointAction
from .services import joint_actions_for

router = Router(tags=["campaigns"])


class CampaignOut(Schema):
    slug: str
    title: str
    theme: str
    organiser: str
    parent: str | None
    starts_on: dt.date
    ends_on: dt.date
    time_zone: str
    language: str
    url: str

    @staticmethod
    def resolve_theme(obj: Campaign) -> str:
        return obj.effective_theme

    @staticmethod
    def resolve_organiser(obj: Campaign) -> str:
        return obj.organiser.name

    @staticmethod
    def resolve_parent(obj: Campaign) -> str | None:
        return obj.parent.slug if obj.parent_id else None

    @staticmethod
    def resolve_url(obj: Campaign) -> str:
        return reverse("campaigns:campaign-detail", args=[obj.slug])


class JointActionOut(Schema):
    id: int
    number: int
    title: str
    description: str
    lead_unit: str
    campaign: str

    @staticmethod
    def resolve_lead_unit(obj: JointAction) -> str:
        return obj.lead

    @staticmethod
    def resolve_campaign(obj: JointAction) -> str:
        return obj.campaign.slug


class CampaignDetailOut(CampaignOut):
    description: str
    children: list[CampaignOut]
    joint_actions: list[JointActionOut]

    @staticmethod
    def resolve_children(obj: Campaign) -> list[Campaign]:
        return list(
            obj.children.public().select_related("organiser", "parent").order_by("starts_on")
        )

    @staticmethod
    def resolve_joint_actions(obj: Campaign) -> list[JointAction]:
        return joint_actions_for(obj)


class CampaignFilters(PageParams):
    current: bool = Field(False, description="Only campaigns that have not ended.")


def _public_campaigns():
    return Campaign.objects.public().select_related("organiser", "parent")


@router.get(
    "/campaigns",
    response={200: page_of(CampaignOut), codes_4xx: ErrorOut},
    summary="Public campaigns",
)
def list_campaigns(request, filters: Query[CampaignFilters]):
    campaigns = _public_campaigns()
    if filters.current:
        campaigns = campaigns.current()
    return paginate(campaigns, filters)


@router.get(
    "/campaigns/{slug}",
    response={200: CampaignDetailOut, codes_4xx: ErrorOut},
    summary="A public campaign with its joint actions",
)
def get_campaign(request, slug: str):
    campaign = _public_campaigns().filter(slug=slug[:80]).first()
    if campaign is None:
        raise Http404
    return campaign
