"""Public pages: the commendation list (with the objection form while it is publicised) and the
certificate check behind the QR code. No phone number is ever shown here."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kepu.core.errors import DomainError
from kepu.core.ratelimit import client_address

from . import selectors, services
from .forms import ObjectionForm
from .models import Commendation


def _page(request, commendation: Commendation, form=None, status=200):
    open_for_objections = (
        commendation.status == Commendation.Status.PUBLICISED
        and timezone.now() < commendation.objections_until
    )
    entries = selectors.commendation_entries(commendation)
    return render(
        request,
        "awards/public/commendation.html",
        {
            "commendation": commendation,
            "campaign": commendation.campaign,
            "tz": commendation.campaign.tz,
            "units": [e for e in entries if not e.is_activity],
            "activities": [e for e in entries if e.is_activity],
            "open_for_objections": open_for_objections,
            "form": form or (ObjectionForm() if open_for_objections else None),
        },
        status=status,
    )


def commendation_detail(request, slug):
    return _page(request, selectors.public_commendation_or_404(slug))


@require_POST
def objection_create(request, slug):
    commendation = selectors.public_commendation_or_404(slug)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        return _page(request, commendation, form=form, status=400)
    try:
        services.file_objection(
            commendation,
            address=client_address(request),
            user=request.user,
            **form.cleaned_data,
        )
    except DomainError as exc:
        form.add_error("contact" if exc.code == "invalid_contact" else None, exc.message)
        return _page(request, commendation, form=form, status=exc.status)
    messages.success(request, _("Your objection has been received. The organiser will answer it."))
    return redirect("awards:commendation-detail", slug=slug)


def certificate_verify(request, code):
    entry = selectors.genuine_certificate_or_404(code)
    campaign = entry.commendation.campaign
    return render(
        request,
        "awards/public/certificate.html",
        {"entry": entry, "campaign": campaign, "tz": campaign.tz},
    )
