"""Workbench pages for summaries: the unit writes and submits, the organiser reviews."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kepu.campaigns.models import Campaign
from kepu.campaigns.services import participates
from kepu.core.errors import DomainError, Forbidden
from kepu.core.files import serve_stored
from kepu.core.views import forbidden, staff_required
from kepu.organisations import scoping

from . import selectors, services
from .forms import AttachmentForm, CorrectionForm, ReviewCommentForm, SummaryTextForm
from .models import Summary, SummaryAttachment


def _summary_or_404(user, pk: int) -> Summary:
    """A summary the person writes for (reports.submit) or reviews (reports.review)."""
    queryset = Summary.objects.select_related("campaign__organiser", "organisation", "reviewed_by")
    visible = queryset.for_user(user, "reports.submit") | queryset.for_user(user, "reports.review")
    summary = visible.filter(pk=pk).first()
    if summary is None:
        raise Http404
    return summary


def _render_detail(request, summary: Summary, *, status: int = 200, **forms):
    user = request.user
    can_write = scoping.has_perm(user, "reports.submit", summary.organisation)
    can_review = scoping.has_perm(user, "reports.review", summary.campaign.organiser)
    context = {
        "summary": summary,
        "rows": selectors.table_with_corrections(summary),
        "can_edit": can_write and summary.is_editable,
        "can_review": can_review and summary.status == Summary.Status.SUBMITTED,
        "text_form": forms.get("text_form") or SummaryTextForm(initial={"text": summary.text}),
        "correction_form": forms.get("correction_form") or CorrectionForm(),
        "review_form": forms.get("review_form") or ReviewCommentForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "attachments": list(summary.attachments.all()),
    }
    return render(request, "reports/work/summary_detail.html", context, status=status)


@staff_required("reports.submit")
def summary_list(request):
    """The person's summaries, and the campaigns their units take part in without one yet."""
    summaries = list(selectors.summaries_for_staff(request.user))
    missing = selectors.summaries_to_start(request.user, summaries)
    return render(
        request, "reports/work/summary_list.html", {"summaries": summaries, "missing": missing}
    )


@staff_required("reports.submit")
def summary_open(request, pk, unit):
    """Open the unit's summary for the campaign; a POST starts it as a draft."""
    organisation = scoping.organisations_for(request.user, "reports.submit").filter(pk=unit).first()
    campaign = Campaign.objects.filter(pk=pk).first()
    # Only a campaign the unit takes part in: another tree's campaigns stay unseen (404).
    if organisation is None or campaign is None or not participates(campaign, organisation):
        raise Http404
    existing = Summary.objects.filter(campaign=campaign, organisation=organisation).first()
    if existing is not None:
        return redirect("reports:summary-detail", pk=existing.pk)
    if request.method == "POST":
        try:
            summary = services.start_summary(
                campaign, organisation=organisation, actor=request.user
            )
        except Forbidden as exc:
            return forbidden(request, exc.message)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("reports:summary-list")
        return redirect("reports:summary-detail", pk=summary.pk)
    return render(
        request,
        "reports/work/summary_start.html",
        {"campaign": campaign, "organisation": organisation},
    )


@staff_required()
def summary_detail(request, pk):
    return _render_detail(request, _summary_or_404(request.user, pk))


@staff_required("reports.submit")
@require_POST
def summary_edit(request, pk):
    summary = _summary_or_404(request.user, pk)
    form = SummaryTextForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, summary, status=400, text_form=form)
    try:
        services.save_summary(summary, actor=request.user, text=form.cleaned_data["text"])
    except Forbidden as exc:
        return forbidden(request, exc.message)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render_detail(request, summary, status=400, text_form=form)
    messages.success(request, _("The summary is saved."))
    return redirect("reports:summary-detail", pk=summary.pk)


@staff_required("reports.submit")
@require_POST
def summary_correct(request, pk):
    summary = _summary_or_404(request.user, pk)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, summary, status=400, correction_form=form)
    value = form.cleaned_data["value"]
    try:
        services.correct_row(
            summary,
            actor=request.user,
            key=form.cleaned_data["key"],
            value=None if value is None else float(value),
            reason=form.cleaned_data["reason"],
        )
    except Forbidden as exc:
        return forbidden(request, exc.message)
    except DomainError as exc:
        form.add_error("reason" if exc.code == "reason_required" else None, exc.message)
        return _render_detail(request, summary, status=400, correction_form=form)
    messages.success(request, _("The statistics table is corrected."))
    return redirect("reports:summary-detail", pk=summary.pk)


@staff_required("reports.submit")
@require_POST
def summary_submit(request, pk):
    summary = _summary_or_404(request.user, pk)
    try:
        services.submit_summary(summary, actor=request.user)
    except Forbidden as exc:
        return forbidden(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if summary.is_late:
            messages.warning(request, _("Submitted after the deadline: it is marked as late."))
        else:
            messages.success(request, _("The summary is submitted to the organiser."))
    return redirect("reports:summary-detail", pk=summary.pk)


REVIEW_ACTIONS = {"accept": services.accept_summary, "return": services.return_summary}


@staff_required("reports.review")
@require_POST
def summary_review(request, pk, action):
    if action not in REVIEW_ACTIONS:
        raise Http404
    summary = _summary_or_404(request.user, pk)
    form = ReviewCommentForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, summary, status=400, review_form=form)
    try:
        REVIEW_ACTIONS[action](summary, actor=request.user, comment=form.cleaned_data["comment"])
    except Forbidden as exc:
        return forbidden(request, exc.message)
    except DomainError as exc:
        form.add_error("comment", exc.message)
        return _render_detail(request, summary, status=400, review_form=form)
    if action == "accept":
        messages.success(request, _("The summary is accepted. The unit has been told."))
    else:
        messages.success(request, _("The summary is returned to the unit with your comment."))
    return redirect("reports:summary-detail", pk=summary.pk)


@staff_required("reports.review")
def campaign_summaries(request, pk):
    """The organiser's overview: every participating unit, its status, late and missing ones."""
    campaign = scoping.get_for_user_or_404(
        Campaign.objects.select_related("organiser"), request.user, "reports.review", pk=pk
    )
    rows = selectors.campaign_overview(campaign)
    counts = {
        "units": len(rows),
        "missing": sum(
            1
            for r in rows
            if r["summary"] is None
            or r["summary"].status in (Summary.Status.DRAFT, Summary.Status.RETURNED)
        ),
        "late": sum(1 for r in rows if r["summary"] is not None and r["summary"].is_late),
    }
    return render(
        request,
        "reports/work/campaign_summaries.html",
        {"campaign": campaign, "rows": rows, "counts": counts},
    )


@staff_required("reports.submit")
@require_POST
def attachment_add(request, pk):
    summary = _summary_or_404(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, summary, status=400, attachment_form=form)
    try:
        services.add_attachment(summary, actor=request.user, upload=form.cleaned_data["file"])
    except Forbidden as exc:
        return forbidden(request, exc.message)
    except DomainError as exc:
        form.add_error("file", exc.message)
        return _render_detail(request, summary, status=400, attachment_form=form)
    messages.success(request, _("The file is attached."))
    return redirect("reports:summary-detail", pk=summary.pk)


def _attachment_or_404(user, pk: int) -> SummaryAttachment:
    queryset = SummaryAttachment.objects.select_related("summary__organisation")
    visible = queryset.for_user(user, "reports.submit") | queryset.for_user(user, "reports.review")
    attachment = visible.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    return attachment


@staff_required("reports.submit")
@require_POST
def attachment_remove(request, pk):
    attachment = _attachment_or_404(request.user, pk)
    try:
        services.remove_attachment(attachment, actor=request.user)
    except Forbidden as exc:
        return forbidden(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The file is removed."))
    return redirect("reports:summary-detail", pk=attachment.summary_id)


@require_GET
@staff_required()
def attachment_file(request, pk):
    """The file, to the unit's staff and the organiser only; never sniffed as another type."""
    attachment = _attachment_or_404(request.user, pk)
    return serve_stored(
        attachment.file.name,
        content_type=attachment.content_type,
        filename=attachment.original_name or f"attachment.{attachment.extension}",
        inline=attachment.content_type.startswith("image/"),
    )
