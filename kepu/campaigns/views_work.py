"""The staff workbench for campaigns: campaigns of my organisations' subtrees, deadlines,
joint actions, reopenings and targets. Every page needs ``campaigns.manage``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kepu.core.errors import DomainError
from kepu.core.views import staff_required
from kepu.organisations import scoping

from . import services
from .forms import CampaignForm, JointActionForm, ReopenForm, TargetForm
from .models import Campaign, Phase

PERM = "campaigns.manage"

# Refusals that concern one field are shown beside it.
FIELD_OF_CODE = {"invited_empty": "invited", "invited_outside_tree": "invited"}


def add_errors(form, exc: Exception) -> None:
    """A service's refusal on the form: DomainError as a form error, a model ValidationError
    on the fields it names (above the form when the form has no such field)."""
    if isinstance(exc, DomainError):
        field = FIELD_OF_CODE.get(exc.code)
        form.add_error(field if field in form.fields else None, exc.message)
        return
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _campaign_or_404(user, pk: int) -> Campaign:
    queryset = Campaign.objects.select_related("organiser", "parent")
    return scoping.get_for_user_or_404(queryset, user, PERM, pk=pk)


@staff_required(PERM)
def campaign_list(request):
    campaigns = (
        Campaign.objects.for_user(request.user, PERM)
        .select_related("organiser", "parent")
        .order_by("organiser__path", "lineage")
    )
    page = Paginator(campaigns, 50).get_page(request.GET.get("page"))
    return render(request, "campaigns/work/campaign_list.html", {"page": page})


@staff_required(PERM)
def campaign_create(request):
    form = CampaignForm(request.user, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            campaign = services.create_campaign(
                actor=request.user,
                organiser=form.cleaned_data["organiser"],
                parent=form.cleaned_data["parent"],
                **form.service_fields(),
            )
        except (DomainError, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The campaign is created."))
            return redirect("campaigns:work-campaign-detail", pk=campaign.pk)
    return render(
        request,
        "campaigns/work/campaign_form.html",
        {"form": form, "campaign": None},
        status=400 if form.errors else 200,
    )


@staff_required(PERM)
def campaign_edit(request, pk):
    campaign = _campaign_or_404(request.user, pk)
    form = CampaignForm(
        request.user, request.POST if request.method == "POST" else None, campaign=campaign
    )
    if form.is_bound and form.is_valid():
        try:
            services.update_campaign(campaign, actor=request.user, **form.service_fields())
        except (DomainError, ValidationError) as exc:
            add_errors(form, exc)
            campaign.refresh_from_db()
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("campaigns:work-campaign-detail", pk=campaign.pk)
    return render(
        request,
        "campaigns/work/campaign_form.html",
        {"form": form, "campaign": campaign},
        status=400 if form.errors else 200,
    )


def _phases(campaign: Campaign) -> list[dict]:
    reopenings = list(campaign.reopenings.select_related("organisation").order_by("until"))
    return [
        {
            "label": label,
            "own": campaign.deadline(value),
            "effective": services.effective_deadline(campaign, value),
            "reopenings": [r for r in reopenings if r.phase == value],
        }
        for value, label in Phase.choices
    ]


def _activity_counts(campaign: Campaign) -> list[tuple[str, int]]:
    """Activities of the campaign and its child campaigns, per status (every status listed).

    Read through the reverse relation, so that campaigns does not import activities."""
    model = campaign.activities.model
    rows = dict(
        model.objects.filter(campaign__lineage__startswith=campaign.lineage)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return [(label, rows.get(value, 0)) for value, label in model.Status.choices]


def _render_detail(request, campaign: Campaign, *, status: int = 200, **forms):
    context = {
        "campaign": campaign,
        "phases": _phases(campaign),
        "joint_actions": services.joint_actions_for(campaign),
        "targets": campaign.targets.order_by("level"),
        "activity_counts": _activity_counts(campaign),
        "children": campaign.children.select_related("organiser").order_by("starts_on"),
        "invited": campaign.invited.order_by("path"),
        "jointaction_form": forms.get("jointaction_form")
        or JointActionForm(campaign, auto_id="id_ja_%s"),
        "reopen_form": forms.get("reopen_form") or ReopenForm(campaign, auto_id="id_reopen_%s"),
        "target_form": forms.get("target_form") or TargetForm(auto_id="id_target_%s"),
    }
    return render(request, "campaigns/work/campaign_detail.html", context, status=status)


@staff_required(PERM)
def campaign_detail(request, pk):
    return _render_detail(request, _campaign_or_404(request.user, pk))


@staff_required(PERM)
def jointaction_create(request, pk):
    campaign = _campaign_or_404(request.user, pk)
    form = JointActionForm(
        campaign, request.POST if request.method == "POST" else None, auto_id="id_ja_%s"
    )
    if form.is_bound and form.is_valid():
        try:
            services.add_joint_action(campaign, actor=request.user, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The joint action is added."))
            return redirect("campaigns:work-campaign-detail", pk=campaign.pk)
    return render(
        request,
        "campaigns/work/jointaction_form.html",
        {"form": form, "campaign": campaign},
        status=400 if form.errors else 200,
    )


@staff_required(PERM)
@require_POST
def phase_reopen(request, pk):
    campaign = _campaign_or_404(request.user, pk)
    form = ReopenForm(campaign, request.POST, auto_id="id_reopen_%s")
    if form.is_valid():
        try:
            services.reopen_phase(campaign, actor=request.user, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The phase is reopened."))
            return redirect("campaigns:work-campaign-detail", pk=campaign.pk)
    return _render_detail(request, campaign, status=400, reopen_form=form)


@staff_required(PERM)
@require_POST
def target_set(request, pk):
    campaign = _campaign_or_404(request.user, pk)
    form = TargetForm(request.POST, auto_id="id_target_%s")
    if form.is_valid():
        try:
            services.set_target(campaign, actor=request.user, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The target is saved."))
            return redirect("campaigns:work-campaign-detail", pk=campaign.pk)
    return _render_detail(request, campaign, status=400, target_form=form)
