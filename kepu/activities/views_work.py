"""The staff workbench (工作台) for activities: report, review, publish, sign-ups, check-in.

Every page needs a membership (``staff_required``) and reads only through the scoping helpers
and selectors; every change goes through one service in ``services``.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kepu.campaigns.models import Campaign
from kepu.core.errors import DomainError, Forbidden
from kepu.core.models import AuditEntry
from kepu.core.qr import qr_svg
from kepu.core.text import mask_phone
from kepu.core.views import add_domain_error, audit_values_text, forbidden, staff_required
from kepu.organisations import scoping
from kepu.organisations.models import Membership

from . import selectors, services
from .forms_work import (
    ActivityFilterForm,
    ActivityForm,
    CapacityForm,
    CheckinForm,
    FeedbackVisibilityForm,
    ReasonForm,
)
from .models import Activity, CheckIn, Feedback, Registration

Status = Activity.Status
RegStatus = Registration.Status

# action → (service, needs a reason, message on success)
TRANSITIONS = {
    "submit": (services.submit_activity, False, gettext_lazy("Submitted for review.")),
    "approve": (services.approve_activity, False, gettext_lazy("Approved.")),
    "return": (
        services.return_activity,
        True,
        gettext_lazy("Returned to the unit with your reason."),
    ),
    "publish": (services.publish_activity, False, gettext_lazy("Published on the public site.")),
    "finish": (services.finish_activity, False, gettext_lazy("Marked as finished.")),
    "cancel": (
        services.cancel_activity,
        True,
        gettext_lazy("Cancelled. Everyone signed up has been told."),
    ),
}
TRANSITION_LABELS = {
    "submit": gettext_lazy("Submit for review"),
    "approve": gettext_lazy("Approve"),
    "return": gettext_lazy("Return to the unit"),
    "publish": gettext_lazy("Publish"),
    "finish": gettext_lazy("Mark as finished"),
    "cancel": gettext_lazy("Cancel the activity"),
}


def _activity_or_404(user, pk: int, perm: str = "activities.view") -> Activity:
    queryset = Activity.objects.select_related(
        "organisation", "campaign__organiser", "joint_action", "region", "created_by"
    )
    return scoping.get_for_user_or_404(queryset, user, perm, pk=pk)


def _can(user, perm: str) -> bool:
    return bool(scoping.granted_paths(user, perm))


# --- Home, list, review queue -----------------------------------------------------------------


@staff_required()
def work_home(request):
    user = request.user
    now = timezone.now()
    counts = (
        selectors.activities_for_staff(user)
        .order_by()
        .aggregate(
            drafts=Count("pk", filter=Q(status=Status.DRAFT)),
            returned=Count("pk", filter=Q(status=Status.RETURNED)),
            upcoming=Count("pk", filter=Q(status=Status.PUBLISHED, ends_at__gte=now)),
        )
    )
    counts["awaiting_review"] = selectors.activities_awaiting_review(user).count()
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__path", "role")
    )
    return render(
        request,
        "activities/work/home.html",
        {
            "memberships": memberships,
            "counts": counts,
            "campaigns": _my_campaigns(memberships),
            "can_report": _can(user, "activities.report"),
            "can_review": _can(user, "activities.review"),
            "can_manage_campaigns": _can(user, "campaigns.manage"),
            "can_audit": _can(user, "core.audit"),
            "can_submit": _can(user, "reports.submit"),
            "can_evaluate": _can(user, "awards.evaluate"),
            "can_award": _can(user, "awards.manage"),
            "can_quiz": _can(user, "quizzes.manage"),
        },
    )


def _my_campaigns(memberships) -> list[Campaign]:
    """The latest campaigns that concern the person's organisations: run by one of them, by an
    organisation above them, or below them (their statistics, summaries, awards). Past ones too:
    results, summaries and commendations come after a campaign's last day."""
    paths = [m.organisation.path for m in memberships]
    if not paths:
        return []
    return list(
        Campaign.objects.filter(scoping.line_q(paths))
        .select_related("organiser")
        .order_by("-starts_on", "title")[:20]
    )


@staff_required()
def activity_list(request):
    activities = selectors.activities_for_staff(request.user)
    form = ActivityFilterForm(selectors.staff_campaign_choices(activities), request.GET or None)
    if form.is_bound:
        form.is_valid()  # invalid values are reported on the form and simply not applied
        data = form.cleaned_data
        activities = selectors.filter_staff_activities(
            activities,
            status=data.get("status") or "",
            campaign=data.get("campaign"),
            q=data.get("q") or "",
        )
    page = Paginator(activities, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/work/activity_list.html",
        {
            "form": form,
            "page": page,
            "can_report": _can(request.user, "activities.report"),
        },
    )


@staff_required("activities.review")
def review_queue(request):
    activities = selectors.activities_awaiting_review(request.user)
    page = Paginator(activities, 50).get_page(request.GET.get("page"))
    return render(request, "activities/work/review_queue.html", {"page": page})


# --- Create and edit --------------------------------------------------------------------------


@staff_required("activities.report")
def activity_create(request):
    form = ActivityForm(request.user, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            activity = services.create_activity(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                campaign=form.cleaned_data["campaign"],
                **form.service_fields(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("The activity is saved as a draft. Submit it for review when it is ready."),
            )
            return redirect("activities:work-activity-detail", pk=activity.pk)
    return render(
        request,
        "activities/work/activity_form.html",
        {"form": form, "activity": None},
        status=400 if form.errors else 200,
    )


@staff_required()
def activity_edit(request, pk):
    activity = _activity_or_404(request.user, pk)
    form = ActivityForm(
        request.user, request.POST if request.method == "POST" else None, activity=activity
    )
    if form.is_bound and form.is_valid():
        try:
            services.update_activity(activity, actor=request.user, **form.service_fields())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("activities:work-activity-detail", pk=activity.pk)
    return render(
        request,
        "activities/work/activity_form.html",
        {"form": form, "activity": activity},
        status=400 if form.errors else 200,
    )


# --- Detail and the workflow ------------------------------------------------------------------


def _allowed_actions(user, activity: Activity) -> list[str]:
    report = scoping.has_perm(user, "activities.report", activity.organisation)
    review = services.can_review(user, activity)
    status = activity.status
    allowed = {
        "submit": report and status in (Status.DRAFT, Status.RETURNED),
        "approve": review and status == Status.SUBMITTED,
        "return": review and status in (Status.SUBMITTED, Status.APPROVED),
        "publish": (report or review) and status == Status.APPROVED,
        "finish": report and status == Status.PUBLISHED and activity.has_ended,
        "cancel": report and status not in (Status.FINISHED, Status.CANCELLED),
    }
    return [action for action in TRANSITIONS if allowed[action]]


def _render_detail(request, activity: Activity, *, status: int = 200, forms: dict | None = None):
    user = request.user
    forms = forms or {}
    history = list(
        AuditEntry.objects.filter(
            object_type=Activity._meta.label_lower, object_id=str(activity.pk)
        )
        .select_related("actor")
        .order_by("at", "id")
    )
    for entry in history:
        entry.before_text = audit_values_text(entry.before)
        entry.after_text = audit_values_text(entry.after)
    actions = _allowed_actions(user, activity)
    reason_forms = {
        action: forms.get(action) or ReasonForm(auto_id=f"id_{action}_%s")
        for action in ("return", "cancel")
        if action in actions
    }
    report = scoping.has_perm(user, "activities.report", activity.organisation)
    open_status = activity.status not in (Status.FINISHED, Status.CANCELLED)
    context = {
        "activity": activity,
        "audiences": activity.audiences.all(),
        "topics": activity.topics.all(),
        "history": history,
        "buttons": [(a, TRANSITION_LABELS[a]) for a in actions if a not in reason_forms],
        "reason_forms": [(a, TRANSITION_LABELS[a], f) for a, f in reason_forms.items()],
        "capacity_form": forms.get("capacity")
        or CapacityForm(initial={"capacity": activity.capacity}, auto_id="id_capacity_%s"),
        "can_edit": open_status and (report or services.can_review(user, activity)),
        "can_change_capacity": report and open_status,
        "can_checkin": scoping.has_perm(user, "activities.checkin", activity.organisation),
        "can_moderate": scoping.has_perm(user, "activities.moderate", activity.organisation),
        "feedback": activity.feedback.select_related("user").order_by("-created_at")[:100],
    }
    return render(request, "activities/work/activity_detail.html", context, status=status)


@staff_required()
def activity_detail(request, pk):
    return _render_detail(request, _activity_or_404(request.user, pk))


@staff_required()
@require_POST
def activity_transition(request, pk, action):
    if action not in TRANSITIONS:
        raise Http404
    activity = _activity_or_404(request.user, pk)
    service, needs_reason, done = TRANSITIONS[action]
    kwargs = {}
    form = None
    if needs_reason:
        form = ReasonForm(request.POST, auto_id=f"id_{action}_%s")
        if not form.is_valid():
            return _render_detail(request, activity, status=400, forms={action: form})
        kwargs["reason"] = form.cleaned_data["reason"]
    try:
        service(activity, actor=request.user, **kwargs)
    except Forbidden as exc:
        return forbidden(request, exc.message)
    except DomainError as exc:
        if form is not None:
            form.add_error(None, exc.message)
            return _render_detail(request, activity, status=400, forms={action: form})
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("activities:work-activity-detail", pk=activity.pk)


@staff_required()
@require_POST
def capacity(request, pk):
    activity = _activity_or_404(request.user, pk)
    form = CapacityForm(request.POST, auto_id="id_capacity_%s")
    if form.is_valid():
        started = timezone.now()
        try:
            services.change_capacity(
                activity, actor=request.user, capacity=form.cleaned_data["capacity"]
            )
        except Forbidden as exc:
            return forbidden(request, exc.message)
        except DomainError as exc:
            form.add_error("capacity", exc.message)
        else:
            messages.success(request, _("The number of places is changed."))
            promoted = list(
                activity.registrations.filter(
                    status=RegStatus.CONFIRMED, promoted_at__gte=started
                ).order_by("created_at")
            )
            if promoted:
                people = ", ".join(f"{r.name} ({r.masked_phone})" for r in promoted)
                messages.info(
                    request,
                    ngettext(
                        "%(count)d person was confirmed from the waiting list: %(people)s",
                        "%(count)d people were confirmed from the waiting list: %(people)s",
                        len(promoted),
                    )
                    % {"count": len(promoted), "people": people},
                )
            return redirect("activities:work-activity-detail", pk=activity.pk)
    return _render_detail(request, activity, status=400, forms={"capacity": form})


@staff_required("activities.moderate")
@require_POST
def feedback_hide(request, pk):
    feedback = scoping.get_for_user_or_404(
        Feedback.objects.select_related("activity__organisation"),
        request.user,
        "activities.moderate",
        pk=pk,
    )
    form = FeedbackVisibilityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to hide or show the comment."))
    else:
        hidden = form.cleaned_data["hidden"]
        try:
            services.hide_feedback(feedback, actor=request.user, hidden=hidden)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("The comment is hidden from the public.")
                if hidden
                else _("The comment is shown again."),
            )
    return redirect("activities:work-activity-detail", pk=feedback.activity_id)


# --- Sign-ups and check-in --------------------------------------------------------------------


@staff_required()
def registration_list(request, pk):
    activity = _activity_or_404(request.user, pk)
    wanted = request.GET.get("status", "")
    if wanted not in RegStatus.values:
        wanted = ""
    counts = activity.registrations.aggregate(
        confirmed=Count("pk", filter=Q(status=RegStatus.CONFIRMED)),
        waitlisted=Count("pk", filter=Q(status=RegStatus.WAITLISTED)),
        cancelled=Count("pk", filter=Q(status=RegStatus.CANCELLED)),
        checked_in=Count("checkin"),
    )
    registrations = activity.registrations.annotate(
        rank=Case(
            When(status=RegStatus.CONFIRMED, then=Value(0)),
            When(status=RegStatus.WAITLISTED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        checked_in_at=F("checkin__at"),
    ).order_by("rank", "created_at", "id")
    if wanted:
        registrations = registrations.filter(status=wanted)
    page = Paginator(registrations, 100).get_page(request.GET.get("page"))
    # Waiting-list position: confirmed rows come first in the unfiltered list.
    skip = counts["confirmed"] if not wanted else 0
    for index, registration in enumerate(page, start=page.start_index()):
        if registration.status == RegStatus.WAITLISTED:
            registration.position = index - skip
    return render(
        request,
        "activities/work/registration_list.html",
        {
            "activity": activity,
            "page": page,
            "counts": counts,
            "wanted": wanted,
            "statuses": RegStatus.choices,
        },
    )


def _checkin_refusal(activity: Activity, code: str, exc: DomainError) -> str:
    if exc.code == "unknown_ticket":
        elsewhere = (
            Registration.objects.filter(ticket_code=code.strip().upper())
            .exclude(activity=activity)
            .exists()
        )
        if elsewhere:
            return _("This ticket is for another activity, not this one.")
        return _("Unknown ticket code: no ticket of this activity has it. Check the code.")
    return exc.message


@staff_required()
def checkin(request, pk):
    activity = _activity_or_404(request.user, pk, "activities.checkin")
    form = CheckinForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            done = services.check_in_ticket(activity, actor=request.user, code=code)
        except DomainError as exc:
            messages.error(request, _checkin_refusal(activity, code, exc))
        else:
            messages.success(
                request,
                _("Checked in: %(name)s (%(phone)s).")
                % {"name": done.name, "phone": mask_phone(done.phone)},
            )
        return redirect("activities:work-checkin", pk=activity.pk)
    counts = activity.checkins.aggregate(
        total=Count("pk"), walk_ins=Count("pk", filter=Q(method=CheckIn.Method.WALK_IN))
    )
    return render(
        request,
        "activities/work/checkin.html",
        {
            "activity": activity,
            "form": form,
            "counts": counts,
            "recent": activity.checkins.order_by("-at", "-id")[:30],
            "is_open": activity.status in Activity.PUBLIC_STATUSES,
        },
        status=400 if form.errors else 200,
    )


@staff_required()
@never_cache
def checkin_code(request, pk):
    activity = _activity_or_404(request.user, pk, "activities.checkin")
    now = timezone.now()
    period = settings.KEPU_CHECKIN_CODE_PERIOD
    code = services.rotating_code(activity, at=now)
    path = reverse("activities:checkin-self", args=[activity.pk])
    url = f"{settings.SITE_URL}{path}?{urlencode({'code': code})}"
    return render(
        request,
        "activities/work/checkin_code.html",
        {
            "activity": activity,
            "code": code,
            "url": url,
            "qr": qr_svg(url, scale=8, title=_("Scan to check in")),
            "refresh_seconds": period - int(now.timestamp()) % period + 1,
            "is_open": activity.status in Activity.PUBLIC_STATUSES,
        },
    )
