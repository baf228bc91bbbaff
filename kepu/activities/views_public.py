"""Placeholder views: replaced by the real pages."""

from django.http import HttpResponse


def activity_list(request, *args, **kwargs):
    return HttpResponse(status=501)


def activity_detail(request, *args, **kwargs):
    return HttpResponse(status=501)


def activity_ics(request, *args, **kwargs):
    return HttpResponse(status=501)


def registration_create(request, *args, **kwargs):
    return HttpResponse(status=501)


def ticket_list(request, *args, **kwargs):
    return HttpResponse(status=501)


def ticket_detail(request, *args, **kwargs):
    return HttpResponse(status=501)


def registration_cancel(request, *args, **kwargs):
    return HttpResponse(status=501)


def checkin_self(request, *args, **kwargs):
    return HttpResponse(status=501)


def feedback_create(request, *args, **kwargs):
    return HttpResponse(status=501)
