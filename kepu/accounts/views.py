"""Placeholder views: replaced by the real pages."""

from django.http import HttpResponse


def login_view(request, *args, **kwargs):
    return HttpResponse(status=501)


def code_request(request, *args, **kwargs):
    return HttpResponse(status=501)


def code_verify(request, *args, **kwargs):
    return HttpResponse(status=501)


def logout_view(request, *args, **kwargs):
    return HttpResponse(status=501)


def profile(request, *args, **kwargs):
    return HttpResponse(status=501)


def password_change(request, *args, **kwargs):
    return HttpResponse(status=501)


def data_export(request, *args, **kwargs):
    return HttpResponse(status=501)


def data_delete(request, *args, **kwargs):
    return HttpResponse(status=501)


def notification_list(request, *args, **kwargs):
    return HttpResponse(status=501)


def notification_read(request, *args, **kwargs):
    return HttpResponse(status=501)


def elder_mode(request, *args, **kwargs):
    return HttpResponse(status=501)
