"""Builders shared by the awards tests and the route × role matrix."""

import datetime as dt

from django.utils import timezone

from kepu.awards import services
from kepu.awards.models import Commendation, Objection


def final_commendation(tree, campaign, activity) -> Commendation:
    """Unit A and one of its activities commended, publicised, answered and final."""
    services.add_commended(
        campaign, actor=tree.admin, organisation=tree.unit_a, citation="工作扎实"
    )
    services.add_commended(campaign, actor=tree.admin, activity=activity, citation="特色鲜明")
    commendation = services.publicise_commendation(campaign, actor=tree.admin, days=3)
    end_period(commendation)
    return services.finalise_commendation(campaign, actor=tree.admin)


def end_period(commendation: Commendation) -> None:
    """The objection period ran out (the clock moved on)."""
    Commendation.objects.filter(pk=commendation.pk).update(
        objections_until=timezone.now() - dt.timedelta(minutes=1)
    )
    commendation.refresh_from_db()


def matrix_world(world):
    """The awards objects the route matrix needs, built once per world."""
    cached = getattr(world, "_awards", None)
    if cached is None:
        commendation = final_commendation(world.tree, world.campaign, world.activity)
        unit_entry = commendation.entries.get(activity__isnull=True)
        objection = Objection.objects.create(
            commendation=commendation, name="公众甲", contact="13800000001", text="有异议"
        )
        cached = {"entry": unit_entry, "objection": objection}
        world._awards = cached
    return cached


def matrix_kwargs(name: str):
    """KWARGS functions for the route matrix, by route name."""

    def kwargs(world):
        objects = matrix_world(world)
        campaign = world.campaign
        if name == "awards:certificate-verify":
            return {"code": objects["entry"].certificate_code}
        if name in ("awards:commendation-detail", "awards:objection-create"):
            return {"slug": campaign.slug}
        values = {"pk": campaign.pk}
        if name == "awards:work-commended-remove" or name == "awards:work-certificate":
            values["item"] = objects["entry"].pk
        if name == "awards:work-objection-answer":
            values["objection"] = objects["objection"].pk
        return values

    return kwargs
