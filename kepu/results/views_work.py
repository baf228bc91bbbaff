"""The workbench page of an activity's results, and the scoped file views.

Pages read through the scoping helpers and selectors; every change goes through one service in
``services``. Files are never served from MEDIA_URL: only through ``item_file`` and
``item_thumbnail``, which look the result up inside the viewer's scope (404 otherwise).
"""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kepu.activities.models import Activity
from kepu.campaigns.models import Phase
from kepu.campaigns.services import deadline_passed_message, phase_state
from kepu.core.errors import DomainError, Forbidden
from kepu.core.files import serve_stored
from kepu.core.views import forbidden, refused, staff_required
from kepu.organisations import scoping

from . import selectors, services
from .forms import FileResultForm, LinkResultForm, OutcomeForm


def _activity_or_404(user, pk: int, perm: str) -> Activity:
    queryset = Activity.objects.select_related("organisation", "campaign")
    return scoping.get_for_user_or_404(queryset, user, perm, pk=pk)


def _page(request, activity: Activity, *, status: int = 200, **forms):
    can_add = scoping.has_perm(request.user, "results.add", activity.organisation)
    outcome = selectors.outcome_of_activity(activity)
    initial = (
        {
            "participants_onsite": outcome.participants_onsite,
            "participants_online": outcome.participants_online,
            "online_views": outcome.online_views,
        }
        if outcome
        else None
    )
    phase = phase_state(activity.campaign, Phase.RESULTS, organisation=activity.organisation)
    published = activity.status in Activity.PUBLIC_STATUSES
    context = {
        "activity": activity,
        "items": selectors.results_of_activity(activity),
        "outcome": outcome,
        "can_add": can_add,
        "phase": phase,
        "deadline_passed": (
            deadline_passed_message(activity.campaign, Phase.RESULTS, phase.deadline)
            if not phase.open
            else ""
        ),
        "can_add_now": can_add and published and phase.open,
        "published": published,
        "file_form": forms.get("file_form") or FileResultForm(prefix="file"),
        "link_form": forms.get("link_form") or LinkResultForm(prefix="link"),
        "outcome_form": forms.get("outcome_form") or OutcomeForm(prefix="outcome", initial=initial),
    }
    return render(request, "results/work/results.html", context, status=status)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _refused(request, activity, form, form_key: str, exc: DomainError | None = None):
    if exc is not None and (response := refused(request, exc, form)) is not None:
        return response
    status = exc.status if exc is not None else 400
    if _wants_json(request):
        errors = [str(e) for errors in form.errors.values() for e in errors]
        return JsonResponse({"ok": False, "errors": errors}, status=status)
    return _page(request, activity, status=status, **{form_key: form})


def _done(request, activity: Activity, message: str):
    messages.success(request, message)
    url = reverse("results:work-results", args=[activity.pk])
    if _wants_json(request):
        return JsonResponse({"ok": True, "redirect": url})
    return redirect(url)


@never_cache
@staff_required()
def results_page(request, pk):
    activity = _activity_or_404(request.user, pk, "activities.view")
    return _page(request, activity)


@require_POST
@staff_required("results.add")
def result_upload(request, pk):
    activity = _activity_or_404(request.user, pk, "results.add")
    form = FileResultForm(request.POST, request.FILES, prefix="file")
    if not form.is_valid():
        return _refused(request, activity, form, "file_form")
    try:
        item = services.add_file_result(
            activity,
            actor=request.user,
            upload=form.cleaned_data["file"],
            caption=form.cleaned_data["caption"],
        )
    except DomainError as exc:
        return _refused(request, activity, form, "file_form", exc)
    name = item.original_name or item.get_kind_display()
    return _done(request, activity, _("Added: %(name)s.") % {"name": name})


@require_POST
@staff_required("results.add")
def result_link(request, pk):
    activity = _activity_or_404(request.user, pk, "results.add")
    form = LinkResultForm(request.POST, prefix="link")
    if not form.is_valid():
        return _refused(request, activity, form, "link_form")
    try:
        services.add_link_result(activity, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        return _refused(request, activity, form, "link_form", exc)
    return _done(request, activity, _("The news link is added."))


@require_POST
@staff_required("results.add")
def outcome_set(request, pk):
    activity = _activity_or_404(request.user, pk, "results.add")
    form = OutcomeForm(request.POST, prefix="outcome")
    if not form.is_valid():
        return _refused(request, activity, form, "outcome_form")
    try:
        services.set_outcome(activity, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        return _refused(request, activity, form, "outcome_form", exc)
    return _done(request, activity, _("The numbers of participants are saved."))


@require_POST
@staff_required("results.add")
def result_remove(request, pk):
    item = selectors.result_for_user(request.user, pk, "results.add")
    try:
        services.remove_result(item, actor=request.user)
    except Forbidden as exc:
        return forbidden(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The result is removed."))
    return redirect("results:work-results", item.activity_id)


@require_GET
@staff_required()
def item_file(request, pk):
    item = selectors.result_for_user(request.user, pk)
    return _serve(item.file.name, item.content_type, item.original_name or "", item.extension)


@require_GET
@staff_required()
def item_thumbnail(request, pk):
    item = selectors.result_for_user(request.user, pk)
    return _serve(item.thumbnail.name, "image/webp", "", "webp")


def _serve(name: str, content_type: str, original_name: str, extension: str):
    return serve_stored(
        name,
        content_type=content_type,
        filename=original_name or f"result.{extension}",
        inline=content_type.startswith("image/"),
    )
