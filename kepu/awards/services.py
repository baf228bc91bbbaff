"""Awards services: indicators, scores, the commendation list, objections, finalisation.

Every change of state goes through one of these functions: one transaction each, permission
checked through kepu.organisations.scoping, an audit entry for staff actions, DomainError codes.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kepu.accounts.models import User
from kepu.activities.models import Activity
from kepu.campaigns.models import Campaign
from kepu.campaigns.services import participates
from kepu.core import cache as page_cache
from kepu.core import ratelimit
from kepu.core.audit import log_action, snapshot
from kepu.core.errors import Conflict, DomainError, NotFound
from kepu.core.text import is_phone, normalise_phone
from kepu.organisations import scoping
from kepu.organisations.models import Organisation

from .models import Commendation, Commended, Indicator, Objection, Score

Measure = Indicator.Measure
Status = Commendation.Status
# Objections per address per hour; settings.KEPU_OBJECTION_LIMIT overrides it.
OBJECTION_LIMIT = (5, 3600)

# Seed 001: "按照活动的重视程度、数量规模、效果亮点、宣传报道等指标" — the four default criteria.
DEFAULT_INDICATORS = [
    {
        "names": {"zh-hans": "重视程度", "zh-hant": "重視程度", "vi": "Mức độ quan tâm"},
        "en": "Attention paid",
        "measure": Measure.SCORED,
        "weight": 20,
    },
    {
        "names": {"zh-hans": "数量规模", "zh-hant": "數量規模", "vi": "Số lượng và quy mô"},
        "en": "Number and scale",
        "measure": Measure.ACTIVITIES,
        "weight": 30,
    },
    {
        "names": {"zh-hans": "效果亮点", "zh-hant": "效果亮點", "vi": "Hiệu quả và điểm nổi bật"},
        "en": "Highlights",
        "measure": Measure.SCORED,
        "weight": 30,
    },
    {
        "names": {"zh-hans": "宣传报道", "zh-hant": "宣傳報道", "vi": "Tuyên truyền, đưa tin"},
        "en": "Publicity",
        "measure": Measure.PUBLICITY,
        "weight": 20,
    },
]


def _commendation(campaign: Campaign, *, lock: bool = False) -> Commendation:
    commendation, _created = Commendation.objects.get_or_create(campaign=campaign)
    if lock:
        commendation = Commendation.objects.select_for_update().get(pk=commendation.pk)
    return commendation


def _require_draft(campaign: Campaign) -> Commendation:
    commendation = _commendation(campaign, lock=True)
    if commendation.status != Status.DRAFT:
        raise Conflict(
            "not_draft",
            _("The commendation list is already publicised; it can no longer be changed."),
        )
    return commendation


# --- Indicators -------------------------------------------------------------------------------


@transaction.atomic
def ensure_indicators(campaign: Campaign, *, actor: User) -> list[Indicator]:
    """The campaign's indicators, creating seed 001's four criteria (in the campaign's language)
    the first time they are asked for. Raises Forbidden without awards.manage."""
    scoping.require(actor, "awards.manage", campaign.organiser)
    existing = list(campaign.indicators.all())
    if existing:
        return existing
    created = [
        Indicator.objects.create(
            campaign=campaign,
            name=item["names"].get(campaign.language, item["en"]),
            measure=item["measure"],
            weight=item["weight"],
            order=number,
        )
        for number, item in enumerate(DEFAULT_INDICATORS, start=1)
    ]
    log_action(
        "awards.indicators.defaulted",
        campaign,
        actor=actor,
        organisation=campaign.organiser,
        after={"indicators": [snapshot(i) for i in created]},
    )
    return created


@transaction.atomic
def set_indicators(campaign: Campaign, *, actor: User, items: list[dict]) -> list[Indicator]:
    """Replace the indicators with ``items`` (dicts of name, description, weight, measure, order
    and, for an existing one, ``id``). Indicators left out are deleted with their scores.

    Raises Forbidden, Conflict("not_draft") once publicised, DomainError("weights_sum") unless
    the weights add up to 100, DomainError("invalid") for an empty list or a bad measure.
    """
    scoping.require(actor, "awards.manage", campaign.organiser)
    _require_draft(campaign)
    if not items:
        raise DomainError("invalid", _("Give at least one indicator."))
    total = sum(int(item["weight"]) for item in items)
    if total != 100:
        raise DomainError(
            "weights_sum",
            _("The weights must add up to 100; they add up to %(total)d.") % {"total": total},
        )
    before = [snapshot(i) for i in campaign.indicators.all()]
    current = {i.pk: i for i in campaign.indicators.all()}
    kept = []
    for number, item in enumerate(items, start=1):
        if item.get("measure") not in Measure.values:
            raise DomainError("invalid", _("Choose how the indicator is measured."))
        indicator = current.get(item.get("id")) or Indicator(campaign=campaign)
        for field in ("name", "description", "weight", "measure"):
            setattr(indicator, field, item.get(field, getattr(indicator, field)))
        indicator.order = item.get("order") or number
        if not (indicator.name or "").strip():
            raise DomainError("invalid", _("Give every indicator a name."))
        indicator.save()
        kept.append(indicator)
    campaign.indicators.exclude(pk__in=[i.pk for i in kept]).delete()
    log_action(
        "awards.indicators.set",
        campaign,
        actor=actor,
        organisation=campaign.organiser,
        before={"indicators": before},
        after={"indicators": [snapshot(i) for i in kept]},
    )
    return kept


# --- Scores -----------------------------------------------------------------------------------


@transaction.atomic
def record_scores(
    campaign: Campaign,
    *,
    actor: User,
    organisation: Organisation,
    values: dict[int, int],
    comment: str = "",
) -> list[Score]:
    """The evaluator's scores (indicator id → 0–100) of one unit; a second call replaces them.

    Raises Forbidden without awards.evaluate on the unit, DomainError("not_participating"),
    DomainError("invalid") for a value outside 0–100 or an indicator that is not scored here,
    Conflict("not_draft") once the commendation list is publicised.
    """
    scoping.require(actor, "awards.evaluate", organisation)
    if not participates(campaign, organisation):
        raise DomainError(
            "not_participating", _("This organisation does not take part in this campaign.")
        )
    _require_draft(campaign)
    indicators = {i.pk: i for i in campaign.indicators.filter(measure=Measure.SCORED)}
    saved = []
    for indicator_id, value in values.items():
        indicator = indicators.get(int(indicator_id))
        if indicator is None:
            raise DomainError("invalid", _("This indicator is not scored by evaluators."))
        if value is None or not 0 <= int(value) <= 100:
            raise DomainError("invalid", _("A score is a whole number from 0 to 100."))
        score, _created = Score.objects.update_or_create(
            indicator=indicator,
            organisation=organisation,
            evaluator=actor,
            defaults={"value": int(value), "comment": comment.strip()[:500]},
        )
        saved.append(score)
    log_action(
        "awards.scores.recorded",
        organisation,
        actor=actor,
        organisation=organisation,
        after={"campaign": campaign.pk, "scores": {s.indicator_id: s.value for s in saved}},
    )
    return saved


# --- The commendation list --------------------------------------------------------------------


@transaction.atomic
def add_commended(
    campaign: Campaign,
    *,
    actor: User,
    organisation: Organisation | None = None,
    activity: Activity | None = None,
    citation: str = "",
) -> Commended:
    """Put an outstanding unit, or an outstanding activity, on the draft list.

    Raises Forbidden, Conflict("not_draft"), DomainError("invalid") when neither or both are
    given or the activity is not a public activity of this campaign, DomainError
    ("not_participating"), Conflict("duplicate") when it is already on the list.
    """
    scoping.require(actor, "awards.manage", campaign.organiser)
    commendation = _require_draft(campaign)
    if (organisation is None) == (activity is None):
        raise DomainError("invalid", _("Choose either a unit or an activity."))
    if activity is not None:
        if (
            not activity.campaign.lineage.startswith(campaign.lineage)
            or activity.status not in Activity.PUBLIC_STATUSES
        ):
            raise DomainError("invalid", _("Only published activities of this campaign qualify."))
        organisation = activity.organisation
    if not participates(campaign, organisation):
        raise DomainError(
            "not_participating", _("This organisation does not take part in this campaign.")
        )
    duplicate = commendation.entries.filter(unit=organisation, activity=activity)
    if activity is None:
        duplicate = commendation.entries.filter(unit=organisation, activity__isnull=True)
    if duplicate.exists():
        raise Conflict("duplicate", _("This is already on the commendation list."))
    entry = Commended.objects.create(
        commendation=commendation, unit=organisation, activity=activity, citation=citation.strip()
    )
    log_action(
        "awards.commended.added",
        entry,
        actor=actor,
        organisation=campaign.organiser,
        after=snapshot(entry, ["unit", "activity", "citation"]),
    )
    return entry


@transaction.atomic
def remove_commended(entry: Commended, *, actor: User) -> None:
    """Take an entry off the draft list. Raises Forbidden, Conflict("not_draft")."""
    campaign = entry.commendation.campaign
    scoping.require(actor, "awards.manage", campaign.organiser)
    _require_draft(campaign)
    before = snapshot(entry, ["unit", "activity", "citation"])
    log_action(
        "awards.commended.removed",
        entry,
        actor=actor,
        organisation=campaign.organiser,
        before=before,
    )
    entry.delete()


@transaction.atomic
def publicise_commendation(campaign: Campaign, *, actor: User, days: int = 3) -> Commendation:
    """Publish the draft list for an objection period of ``days`` days (公示期).

    Raises Forbidden, Conflict("not_draft"), DomainError("empty") for an empty list,
    DomainError("invalid") for a period outside 1–30 days.
    """
    scoping.require(actor, "awards.manage", campaign.organiser)
    commendation = _require_draft(campaign)
    if not 1 <= int(days) <= 30:
        raise DomainError("invalid", _("The objection period lasts from 1 to 30 days."))
    if not commendation.entries.exists():
        raise DomainError("empty", _("Put at least one unit or activity on the list first."))
    now = timezone.now()
    commendation.status = Status.PUBLICISED
    commendation.publicised_at = now
    commendation.objections_until = now + timedelta(days=int(days))
    commendation.save(update_fields=["status", "publicised_at", "objections_until", "updated_at"])
    log_action(
        "awards.commendation.publicised",
        commendation,
        actor=actor,
        organisation=campaign.organiser,
        after=snapshot(commendation, ["status", "objections_until"]),
    )
    page_cache.site_changed()  # the public campaign page links to the list from now on
    return commendation


def _valid_contact(contact: str) -> str:
    contact = (contact or "").strip()
    if is_phone(contact):
        return normalise_phone(contact)
    if "@" in contact and "." in contact.rpartition("@")[2] and " " not in contact:
        return contact
    raise DomainError("invalid_contact", _("Give a phone number or an e-mail address."))


@transaction.atomic
def file_objection(
    commendation: Commendation,
    *,
    name: str,
    contact: str,
    text: str,
    address: str,
    user: User | None = None,
) -> Objection:
    """Anyone files an objection while the list is publicised and the period runs.

    Raises Throttled past OBJECTION_LIMIT per address, Conflict("closed") outside the period,
    DomainError("invalid") for an empty name or text, DomainError("invalid_contact").
    """
    limit, window = getattr(settings, "KEPU_OBJECTION_LIMIT", OBJECTION_LIMIT)
    ratelimit.hit("awards-objection", address, limit=limit, window=window)
    commendation = Commendation.objects.select_for_update().get(pk=commendation.pk)
    if commendation.status != Status.PUBLICISED or timezone.now() >= commendation.objections_until:
        raise Conflict("closed", _("The objection period is over."))
    name, text = (name or "").strip(), (text or "").strip()
    if not name or not text:
        raise DomainError("invalid", _("Give your name and the reason for your objection."))
    objection = Objection.objects.create(
        commendation=commendation,
        user=user if user is not None and user.is_authenticated else None,
        name=name[:100],
        contact=_valid_contact(contact),
        text=text[:3000],
    )
    log_action(
        "awards.objection.filed",
        objection,
        actor=user,
        organisation=commendation.campaign.organiser,
        after=snapshot(objection, ["name", "text"]),
    )
    return objection


@transaction.atomic
def answer_objection(objection: Objection, *, actor: User, answer: str) -> Objection:
    """The organiser answers (or corrects the answer to) an objection before the list is final.

    Raises Forbidden, DomainError("invalid") for an empty answer, Conflict("final").
    """
    objection = (
        Objection.objects.select_for_update()
        .select_related("commendation__campaign__organiser")
        .get(pk=objection.pk)
    )
    campaign = objection.commendation.campaign
    scoping.require(actor, "awards.manage", campaign.organiser)
    if objection.commendation.status == Status.FINAL:
        raise Conflict("final", _("The commendation list is final."))
    answer = (answer or "").strip()
    if not answer:
        raise DomainError("invalid", _("Write an answer."))
    before = snapshot(objection, ["answer"])
    objection.answer = answer[:3000]
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    objection.save(update_fields=["answer", "answered_by", "answered_at", "updated_at"])
    log_action(
        "awards.objection.answered",
        objection,
        actor=actor,
        organisation=campaign.organiser,
        before=before,
        after=snapshot(objection, ["answer"]),
    )
    return objection


@transaction.atomic
def finalise_commendation(campaign: Campaign, *, actor: User) -> Commendation:
    """Make the publicised list final once the period is over and every objection is answered.

    Raises Forbidden, Conflict("not_publicised"), Conflict("period_running"),
    Conflict("unanswered").
    """
    scoping.require(actor, "awards.manage", campaign.organiser)
    try:
        commendation = Commendation.objects.select_for_update().get(campaign=campaign)
    except Commendation.DoesNotExist:
        raise NotFound("not_found", _("There is no commendation list yet.")) from None
    if commendation.status != Status.PUBLICISED:
        raise Conflict("not_publicised", _("Only a publicised list can be made final."))
    if timezone.now() < commendation.objections_until:
        raise Conflict("period_running", _("The objection period has not ended yet."))
    if commendation.objections.unanswered().exists():
        raise Conflict("unanswered", _("Answer every objection before making the list final."))
    commendation.status = Status.FINAL
    commendation.finalised_at = timezone.now()
    commendation.save(update_fields=["status", "finalised_at", "updated_at"])
    log_action(
        "awards.commendation.finalised",
        commendation,
        actor=actor,
        organisation=campaign.organiser,
        after=snapshot(commendation, ["status", "finalised_at"]),
    )
    page_cache.site_changed()
    return commendation
