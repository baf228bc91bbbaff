"""Placeholder views: replaced by the real pages."""

from django.http import HttpResponse


def campaign_list(request, *args, **kwargs):
    return HttpResponse(status=501)


def campaign_create(request, *args, **kwargs):
    return HttpResponse(status=501)


def campaign_detail(request, *args, **kwargs):
    return HttpResponse(status=501)


def campaign_edit(request, *args, **kwargs):
    return HttpResponse(status=501)


def jointaction_create(request, *args, **kwargs):
    return HttpResponse(status=501)


def phase_reopen(request, *args, **kwargs):
    return HttpResponse(status=501)


def target_set(request, *args, **kwargs):
    return HttpResponse(status=501)
