"""Demo results of the 2021 Shapotou Science Day (seed 001 asks units to add "activity
pictures, videos, news links" by 22 October): participants and online views for every
finished activity, a news report and a photo for the main-venue activity. Recorded through the
services as of 20 October 2021 (before the deadline); running it again changes nothing.
Called by ``manage.py seed_demo`` (see ResultsConfig.demo)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from kepu.activities.demo import at
from kepu.activities.models import Activity
from kepu.campaigns.models import Campaign

from . import services
from .models import Outcome

CAMPAIGN = "shapotou-science-day-2021"
# Who reports the results of each unit's activities (a demo person key by organisation key).
REPORTERS = {"school11": "reporter", "spt_water": "reporter_water"}


def demo_photo() -> SimpleUploadedFile:
    """A drawn picture standing in for a photo of the science caravan (no photo of a real
    person or place ships with the demo)."""
    image = Image.new("RGB", (960, 600), (28, 92, 148))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 420, 960, 600), fill=(214, 170, 96))  # the school yard
    draw.rectangle((140, 250, 620, 430), fill=(240, 240, 236))  # the caravan
    draw.rectangle((620, 310, 780, 430), fill=(200, 60, 50))
    for x in (220, 540, 700):
        draw.ellipse((x - 40, 400, x + 40, 480), fill=(40, 40, 40))
    draw.ellipse((760, 60, 880, 180), fill=(250, 220, 90))  # the sun
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return SimpleUploadedFile("kepu-caravan.jpg", out.getvalue(), content_type="image/jpeg")


def build_results_demo(demo, out=print) -> None:
    campaign = Campaign.objects.filter(slug=CAMPAIGN).first()
    if campaign is None:
        return
    activities = list(
        Activity.objects.filter(campaign=campaign, status=Activity.Status.FINISHED)
        .select_related("organisation")
        .order_by("starts_at", "pk")
    )
    if not activities or Outcome.objects.filter(activity__in=activities).exists():
        return
    keys = {org.pk: key for key, org in demo.orgs.items()}
    when = at(2021, 10, 20, 16)
    for number, activity in enumerate(activities):
        actor = demo.people[REPORTERS.get(keys.get(activity.organisation_id), "coordinator")]
        online = activity.format != Activity.Format.ONSITE
        services.set_outcome(
            activity,
            actor=actor,
            participants_onsite=0
            if activity.format == Activity.Format.ONLINE
            else 120 + 45 * number,
            participants_online=300 + 80 * number if online else 0,
            online_views=2_000 + 650 * number if online else 0,
            now=when,
        )
    main = next((a for a in activities if a.organisation_id == demo.orgs["school11"].pk), None)
    if main is not None:
        services.add_link_result(
            main,
            actor=demo.people["reporter"],
            url="https://news.example.org/zhongwei/2021-09-17-science-day",
            title="沙坡头区举办2021年全国科普日主场活动 科普大篷车开进第十一小学",
            outlet="中卫新闻网",
            published_on=at(2021, 9, 18).date(),
            now=when,
        )
        services.add_file_result(
            main,
            actor=demo.people["reporter"],
            upload=demo_photo(),
            caption="科普大篷车进校园(示意图)",
            now=when,
        )
    out(f"Results: {len(activities)} activities of {campaign.title} with participants recorded")
