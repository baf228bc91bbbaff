import json
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from kepu.core.errors import DomainError, Forbidden
from kepu.core.text import mask_phone
from kepu.organisations import scoping

from .models import AuditEntry


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


def forbidden(request, message: str = ""):
    """A clean 403 page for people without the role a workbench page needs."""
    return render(request, "core/forbidden.html", {"message": message}, status=403)


def add_domain_error(form, exc: DomainError) -> None:
    """Show a service's refusal on the form: on the fields it names, else above the form."""
    fields = getattr(exc, "fields", None) or {}
    if not fields:
        form.add_error(None, exc.message)
    for name, errors in fields.items():
        form.add_error(name if name in form.fields else None, errors)


def refused(request, exc: DomainError, form=None):
    """A workbench view's answer to a service's refusal: the 403 page for Forbidden (returned),
    otherwise None after putting the message above ``form`` or, without a form, in the
    messages shown on the next page."""
    if isinstance(exc, Forbidden):
        return forbidden(request, exc.message)
    if form is not None:
        form.add_error(None, exc.message)
    else:
        messages.error(request, exc.message)
    return None


def staff_required(perm: str | None = None):
    """Workbench guard: sign-in first (back here afterwards), then a membership (and ``perm``
    somewhere in the tree when given); without it, the clean 403 page."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not scoping.is_staff_member(user) or (
                perm and not scoping.granted_paths(user, perm)
            ):
                return forbidden(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False, max_length=100)
    actor = forms.CharField(label=_("Who (name)"), required=False, max_length=100)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return data


def audit_values_text(value) -> str:
    """An entry's before/after values as indented JSON for a <pre>; phone numbers masked."""
    if not value:
        return ""
    if isinstance(value, dict):
        value = {
            key: mask_phone(item) if "phone" in key and isinstance(item, str) else item
            for key, item in value.items()
        }
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str)


@staff_required("core.audit")
def audit_list(request):
    """The audit log of the organisations the person may audit (their subtrees), filtered."""
    form = AuditFilterForm(request.GET or None)
    entries = (
        AuditEntry.objects.filter(
            scoping.subtree_q(scoping.granted_paths(request.user, "core.audit"))
        )
        .select_related("actor", "organisation")
        .order_by("-at", "-id")
    )
    if form.is_bound:
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        if data.get("action"):
            entries = entries.filter(action__icontains=data["action"].strip())
        if data.get("actor"):
            entries = entries.filter(actor__name__icontains=data["actor"].strip())
        if data.get("date_from"):
            entries = entries.filter(at__date__gte=data["date_from"])
        if data.get("date_to") and "date_to" not in form.errors:
            entries = entries.filter(at__date__lte=data["date_to"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page:
        entry.before_text = audit_values_text(entry.before)
        entry.after_text = audit_values_text(entry.after)
    return render(request, "core/audit_list.html", {"form": form, "page": page})
