from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


def ceiling(request):
    """A few fixed bytes through the full middleware stack: the benchmark's ceiling."""
    return HttpResponse(b"ok", content_type="text/plain")


@never_cache
def healthz(request):
    """Liveness and database reachability for the load balancer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """The last resort. It renders without context processors (the fault may be the database);
    a database that is down is answered as 503 here too, for errors raised outside a view
    (in a middleware or while rendering the 404 page)."""
    import sys

    from django.template.loader import render_to_string

    from .middleware import DatabaseUnavailableMiddleware

    exc = sys.exc_info()[1]
    if exc is not None:
        response = DatabaseUnavailableMiddleware.process_exception(None, request, exc)
        if response is not None:
            return response
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "server_error", "message": "Internal error"}, status=500)
    return HttpResponse(render_to_string("500.html"), status=500)


def audit_list(request):
    return HttpResponse(status=501)
