"""Placeholder views: replaced by the real pages."""

from django.http import HttpResponse


def home(request, *args, **kwargs):
    return HttpResponse(status=501)


def campaign_detail(request, *args, **kwargs):
    return HttpResponse(status=501)


def campaign_calendar(request, *args, **kwargs):
    return HttpResponse(status=501)
