"""Reads of kepu.exports."""

from django.db.models import QuerySet
from django.http import Http404

from kepu.campaigns.forms import campaigns_open_to
from kepu.campaigns.models import Campaign
from kepu.organisations import scoping
from kepu.organisations.models import Organisation

from .models import ExportJob


def export_job_of(user, pk: int) -> ExportJob:
    """The person's own job; 404 for anyone else's, as for one that does not exist."""
    job = ExportJob.objects.of(user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def recent_export_jobs(user, limit: int = 20) -> QuerySet[ExportJob]:
    return ExportJob.objects.of(user)[:limit]


def import_campaigns(user) -> QuerySet[Campaign]:
    """The campaigns activities may be reported to (as on the report form)."""
    return campaigns_open_to(user, "activities.report").current().order_by("-starts_on", "title")


def import_organisations(user) -> QuerySet[Organisation]:
    return (
        scoping.organisations_for(user, "activities.report")
        .select_related("region")
        .order_by("path")
    )
