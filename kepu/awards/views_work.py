"""Workbench pages of awards: indicators, scoring, the ranked table, the commendation list,
objections and certificates. Thin: fetch through scoping/selectors, call one service, render."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kepu.activities.models import Activity
from kepu.campaigns.models import Campaign
from kepu.core.errors import DomainError
from kepu.core.views import refused, staff_required
from kepu.organisations import scoping

from . import selectors, services
from .certificates import render_certificate
from .forms import AnswerForm, CommendedForm, IndicatorFormSet, PubliciseForm, ScoreForm
from .models import Commendation, Objection


def _managed(user, pk: int) -> Campaign:
    queryset = Campaign.objects.select_related("organiser")
    return scoping.get_for_user_or_404(queryset, user, "awards.manage", pk=pk)


def _commendation(campaign: Campaign) -> Commendation | None:
    return Commendation.objects.filter(campaign=campaign).first()


@staff_required("awards.manage")
def ranking(request, pk):
    campaign = _managed(request.user, pk)
    services.ensure_indicators(campaign, actor=request.user)
    indicators, rows = selectors.ranking(campaign)
    return render(
        request,
        "awards/work/ranking.html",
        {
            "campaign": campaign,
            "indicators": indicators,
            "rows": [(row, row.cells(indicators)) for row in rows],
            "commendation": _commendation(campaign),
        },
    )


@staff_required("awards.manage")
def indicators(request, pk):
    campaign = _managed(request.user, pk)
    current = services.ensure_indicators(campaign, actor=request.user)
    initial = [
        {
            "id": i.pk,
            "name": i.name,
            "description": i.description,
            "measure": i.measure,
            "weight": i.weight,
            "order": i.order,
        }
        for i in current
    ]
    formset = IndicatorFormSet(request.POST or None, initial=initial, prefix="ind")
    status = 200
    if request.method == "POST":
        if formset.is_valid():
            items = [
                form.cleaned_data
                for form in formset.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")
            ]
            try:
                services.set_indicators(campaign, actor=request.user, items=items)
            except DomainError as exc:
                if (response := refused(request, exc)) is not None:
                    return response
                status = 400
            else:
                messages.success(request, _("The indicators are saved."))
                return redirect("awards:work-indicators", pk=campaign.pk)
        else:
            status = 400
    return render(
        request,
        "awards/work/indicators.html",
        {"campaign": campaign, "formset": formset},
        status=status,
    )


@staff_required("awards.evaluate")
def scoring(request, pk):
    campaign = selectors.campaign_for_evaluator_or_404(request.user, pk)
    scored = list(campaign.indicators.filter(measure="scored"))
    units = selectors.units_to_score(campaign, request.user)
    existing = selectors.scores_by(campaign, request.user)
    forms = {
        unit.pk: ScoreForm(
            indicators=scored,
            organisation=unit,
            existing=existing,
            prefix=f"u{unit.pk}",
        )
        for unit in units
    }
    status = 200
    if request.method == "POST":
        unit = next((u for u in units if str(u.pk) == request.POST.get("unit")), None)
        if unit is None:
            messages.error(request, _("Choose a unit to score."))
            return redirect("awards:work-scoring", pk=campaign.pk)
        form = ScoreForm(
            request.POST,
            indicators=scored,
            organisation=unit,
            existing=existing,
            prefix=f"u{unit.pk}",
        )
        forms[unit.pk] = form
        if form.is_valid():
            try:
                services.record_scores(
                    campaign,
                    actor=request.user,
                    organisation=unit,
                    values=form.values(),
                    comment=form.cleaned_data.get("comment", ""),
                )
            except DomainError as exc:
                if (response := refused(request, exc, form)) is not None:
                    return response
                status = 400
            else:
                messages.success(request, _("Your scores for %(unit)s are saved.") % {"unit": unit})
                return redirect("awards:work-scoring", pk=campaign.pk)
        else:
            status = 400
    return render(
        request,
        "awards/work/scoring.html",
        {"campaign": campaign, "scored": scored, "forms": [(u, forms[u.pk]) for u in units]},
        status=status,
    )


def _commendation_page(request, campaign, *, add_form=None, publicise_form=None, status=200):
    commendation = _commendation(campaign)
    units = selectors.campaign_units(campaign)
    activities = (
        Activity.objects.in_campaign_tree(campaign)
        .filter(status__in=Activity.PUBLIC_STATUSES)
        .select_related("organisation")
        .order_by("organisation__path", "starts_at")
    )
    objections = selectors.objections_for(commendation)
    return render(
        request,
        "awards/work/commendation.html",
        {
            "campaign": campaign,
            "commendation": commendation,
            "entries": selectors.commendation_entries(commendation),
            "is_draft": commendation is None or commendation.status == Commendation.Status.DRAFT,
            "add_form": add_form or CommendedForm(units=units, activities=activities),
            "publicise_form": publicise_form or PubliciseForm(),
            "unanswered": sum(1 for o in objections if o.answered_at is None),
        },
        status=status,
    )


@staff_required("awards.manage")
def commendation(request, pk):
    return _commendation_page(request, _managed(request.user, pk))


@staff_required("awards.manage")
@require_POST
def commended_add(request, pk):
    campaign = _managed(request.user, pk)
    units = selectors.campaign_units(campaign)
    activities = Activity.objects.in_campaign_tree(campaign).filter(
        status__in=Activity.PUBLIC_STATUSES
    )
    form = CommendedForm(request.POST, units=units, activities=activities)
    if not form.is_valid():
        return _commendation_page(request, campaign, add_form=form, status=400)
    try:
        services.add_commended(
            campaign,
            actor=request.user,
            organisation=form.cleaned_data.get("organisation"),
            activity=form.cleaned_data.get("activity"),
            citation=form.cleaned_data.get("citation", ""),
        )
    except DomainError as exc:
        if (response := refused(request, exc, form)) is not None:
            return response
        return _commendation_page(request, campaign, add_form=form, status=400)
    messages.success(request, _("Added to the commendation list."))
    return redirect("awards:work-commendation", pk=campaign.pk)


@staff_required("awards.manage")
@require_POST
def commended_remove(request, pk, item):
    campaign = _managed(request.user, pk)
    entry = selectors.commended_in_campaign_or_404(campaign, item)
    try:
        services.remove_commended(entry, actor=request.user)
    except DomainError as exc:
        if (response := refused(request, exc)) is not None:
            return response
    else:
        messages.success(request, _("Removed from the commendation list."))
    return redirect("awards:work-commendation", pk=campaign.pk)


@staff_required("awards.manage")
@require_POST
def commendation_publicise(request, pk):
    campaign = _managed(request.user, pk)
    form = PubliciseForm(request.POST)
    if not form.is_valid():
        return _commendation_page(request, campaign, publicise_form=form, status=400)
    try:
        services.publicise_commendation(
            campaign, actor=request.user, days=form.cleaned_data["days"]
        )
    except DomainError as exc:
        if (response := refused(request, exc, form)) is not None:
            return response
        return _commendation_page(request, campaign, publicise_form=form, status=400)
    messages.success(request, _("The list is published for objections."))
    return redirect("awards:work-commendation", pk=campaign.pk)


@staff_required("awards.manage")
@require_POST
def commendation_finalise(request, pk):
    campaign = _managed(request.user, pk)
    try:
        services.finalise_commendation(campaign, actor=request.user)
    except DomainError as exc:
        if (response := refused(request, exc)) is not None:
            return response
    else:
        messages.success(request, _("The commendation list is final and shown on the public site."))
    return redirect("awards:work-commendation", pk=campaign.pk)


@staff_required("awards.manage")
def objections(request, pk):
    campaign = _managed(request.user, pk)
    commendation = _commendation(campaign)
    return render(
        request,
        "awards/work/objections.html",
        {
            "campaign": campaign,
            "commendation": commendation,
            "objections": [
                (o, AnswerForm(initial={"answer": o.answer}, prefix=f"o{o.pk}"))
                for o in selectors.objections_for(commendation)
            ],
        },
    )


@staff_required("awards.manage")
@require_POST
def objection_answer(request, pk, objection):
    campaign = _managed(request.user, pk)
    item = scoping.get_for_user_or_404(
        Objection.objects.filter(commendation__campaign=campaign),
        request.user,
        "awards.manage",
        pk=objection,
    )
    form = AnswerForm(request.POST, prefix=f"o{item.pk}")
    if not form.is_valid():
        messages.error(request, _("Write an answer."))
        return redirect("awards:work-objections", pk=campaign.pk)
    try:
        services.answer_objection(item, actor=request.user, answer=form.cleaned_data["answer"])
    except DomainError as exc:
        if (response := refused(request, exc)) is not None:
            return response
    else:
        messages.success(request, _("Your answer is saved."))
    return redirect("awards:work-objections", pk=campaign.pk)


@staff_required()
def certificate(request, pk, item):
    entry = selectors.certificate_for_user_or_404(request.user, pk, item)
    if entry.commendation.status != Commendation.Status.FINAL:
        messages.error(request, _("Certificates are issued once the list is final."))
        return redirect("activities:work-home")
    try:
        pdf = render_certificate(entry)
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{entry.certificate_code}.pdf"'
    return response
