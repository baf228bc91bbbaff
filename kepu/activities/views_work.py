"""Placeholder views: replaced by the real pages."""

from django.http import HttpResponse


def work_home(request, *args, **kwargs):
    return HttpResponse(status=501)


def activity_list(request, *args, **kwargs):
    return HttpResponse(status=501)


def activity_create(request, *args, **kwargs):
    return HttpResponse(status=501)


def activity_detail(request, *args, **kwargs):
    return HttpResponse(status=501)


def activity_edit(request, *args, **kwargs):
    return HttpResponse(status=501)


def activity_transition(request, *args, **kwargs):
    return HttpResponse(status=501)


def capacity(request, *args, **kwargs):
    return HttpResponse(status=501)


def review_queue(request, *args, **kwargs):
    return HttpResponse(status=501)


def registration_list(request, *args, **kwargs):
    return HttpResponse(status=501)


def checkin(request, *args, **kwargs):
    return HttpResponse(status=501)


def checkin_code(request, *args, **kwargs):
    return HttpResponse(status=501)


def feedback_hide(request, *args, **kwargs):
    return HttpResponse(status=501)
