"""Summary services: start, save, correct a row, submit, accept, return.

Each runs in one transaction, checks the actor's permission on the unit (or on the campaign's
organiser for the review), writes an audit entry and raises DomainError with a stable code.
"""

from datetime import datetime

from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kepu.accounts.models import User
from kepu.activities.notifications import notify
from kepu.campaigns.models import Campaign, Phase
from kepu.campaigns.services import check_phase_open, participates
from kepu.core.audit import log_action, snapshot
from kepu.core.errors import Conflict, DomainError, NotFound
from kepu.organisations import scoping
from kepu.organisations.models import Organisation

from . import selectors
from .models import Summary, SummaryAttachment

Status = Summary.Status
MAX_VALUE = 100_000_000


def _lock(summary: Summary) -> Summary:
    try:
        return (
            Summary.objects.select_for_update(of=("self",))
            .select_related("campaign", "organisation")
            .get(pk=summary.pk)
        )
    except Summary.DoesNotExist:
        raise NotFound("not_found", _("This summary does not exist.")) from None


def _require_editable(summary: Summary) -> None:
    if not summary.is_editable:
        raise Conflict(
            "not_editable",
            _("This summary is %(status)s and can no longer be changed.")
            % {"status": summary.get_status_display()},
        )


def _copy_back(target: Summary, source: Summary) -> None:
    """Keep the caller's object in step with the row the service changed."""
    for field in Summary._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


@transaction.atomic
def start_summary(campaign: Campaign, *, organisation: Organisation, actor: User) -> Summary:
    """The unit's summary for the campaign, created as a draft when there is none yet.

    Raises Forbidden without reports.submit on the unit, DomainError("not_participating")."""
    scoping.require(actor, "reports.submit", organisation)
    if not participates(campaign, organisation):
        raise DomainError(
            "not_participating", _("Your organisation does not take part in this campaign.")
        )
    summary, created = Summary.objects.get_or_create(campaign=campaign, organisation=organisation)
    if created:
        log_action(
            "reports.summary.created",
            summary,
            actor=actor,
            organisation=organisation,
            after=snapshot(summary, ["campaign", "organisation", "status"]),
        )
    return summary


@transaction.atomic
def save_summary(summary: Summary, *, actor: User, text: str) -> Summary:
    """Save the text of a draft or returned summary. Raises Forbidden, Conflict("not_editable")."""
    locked = _lock(summary)
    scoping.require(actor, "reports.submit", locked.organisation)
    _require_editable(locked)
    before = snapshot(locked, ["text"])
    locked.text = text.strip()
    locked.save(update_fields=["text", "updated_at"])
    log_action(
        "reports.summary.saved",
        locked,
        actor=actor,
        organisation=locked.organisation,
        before=before,
        after=snapshot(locked, ["text"]),
    )
    _copy_back(summary, locked)
    return summary


@transaction.atomic
def correct_row(
    summary: Summary, *, actor: User, key: str, value: float | None, reason: str = ""
) -> Summary:
    """Correct one computed row of the statistics table; ``value=None`` drops the correction.

    Raises DomainError("unknown_row"), DomainError("reason_required") when a correction comes
    without a reason, DomainError("invalid_value") for a negative or absurd number."""
    locked = _lock(summary)
    scoping.require(actor, "reports.submit", locked.organisation)
    _require_editable(locked)
    if key not in selectors.ROW_KEYS:
        raise DomainError("unknown_row", _("This row is not part of the statistics table."))
    before = dict(locked.corrections)
    corrections = dict(locked.corrections)
    if value is None:
        corrections.pop(key, None)
    else:
        reason = (reason or "").strip()
        if not reason:
            raise DomainError(
                "reason_required", _("Say why the computed figure is wrong: a reason is required.")
            )
        if value < 0 or value > MAX_VALUE or (key == "rating" and value > 5):
            raise DomainError("invalid_value", _("This figure is not possible."))
        if key != "rating":
            value = int(value)
        corrections[key] = {"value": value, "reason": reason[:500]}
    locked.corrections = corrections
    locked.save(update_fields=["corrections", "updated_at"])
    log_action(
        "reports.summary.corrected",
        locked,
        actor=actor,
        organisation=locked.organisation,
        before={"corrections": before},
        after={"corrections": corrections},
        note=key,
    )
    _copy_back(summary, locked)
    return summary


@transaction.atomic
def submit_summary(summary: Summary, *, actor: User, now: datetime | None = None) -> Summary:
    """Submit the summary with a snapshot of the table; marked late after the deadline.

    Raises DomainError("deadline_passed") after the summary deadline unless reopened,
    DomainError("empty") without text, Conflict("not_editable")."""
    locked = _lock(summary)
    scoping.require(actor, "reports.submit", locked.organisation)
    _require_editable(locked)
    if not locked.text.strip():
        raise DomainError("empty", _("Write the summary before you submit it."))
    now = now or timezone.now()
    is_late = check_phase_open(
        locked.campaign, Phase.SUMMARY, organisation=locked.organisation, now=now
    )
    rows = selectors.table_with_corrections(locked)
    before = snapshot(locked, ["status", "is_late"])
    locked.table = {
        row["key"]: {"computed": row["computed"], "value": row["value"], "reason": row["reason"]}
        for row in rows
    }
    locked.status = Status.SUBMITTED
    locked.submitted_at = now
    locked.is_late = is_late
    locked.save()
    log_action(
        "reports.summary.submitted",
        locked,
        actor=actor,
        organisation=locked.organisation,
        before=before,
        after=snapshot(locked, ["status", "is_late", "submitted_at"]),
    )
    _copy_back(summary, locked)
    return summary


def _review(summary: Summary, *, actor: User, status: str, comment: str, action: str) -> Summary:
    locked = _lock(summary)
    scoping.require(actor, "reports.review", locked.campaign.organiser)
    if locked.status != Status.SUBMITTED:
        raise Conflict("not_submitted", _("Only a submitted summary can be reviewed."))
    before = snapshot(locked, ["status", "review_comment"])
    locked.status = status
    locked.review_comment = comment
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.save()
    log_action(
        action,
        locked,
        actor=actor,
        organisation=locked.organisation,
        before=before,
        after=snapshot(locked, ["status", "review_comment"]),
        note=comment,
    )
    _copy_back(summary, locked)
    return locked


ACCEPTED_NOTICE = gettext_lazy("The summary of %(unit)s for %(campaign)s was accepted.")
RETURNED_NOTICE = gettext_lazy(
    "The summary of %(unit)s for %(campaign)s was returned for revision: %(comment)s"
)


def _tell_unit(summary: Summary, template) -> None:
    url = reverse("reports:summary-detail", kwargs={"pk": summary.pk})
    params = {
        "unit": summary.organisation.name,
        "campaign": summary.campaign.title,
        "comment": summary.review_comment,
    }
    for person in selectors.unit_staff(summary.organisation):
        notify(person, template, params, url=url)


@transaction.atomic
def accept_summary(summary: Summary, *, actor: User, comment: str = "") -> Summary:
    """Accept a submitted summary (organiser side) and tell the unit's staff.

    Raises Forbidden without reports.review on the organiser, Conflict("not_submitted")."""
    locked = _review(
        summary,
        actor=actor,
        status=Status.ACCEPTED,
        comment=(comment or "").strip(),
        action="reports.summary.accepted",
    )
    _tell_unit(locked, ACCEPTED_NOTICE)
    return summary


@transaction.atomic
def return_summary(summary: Summary, *, actor: User, comment: str) -> Summary:
    """Return a submitted summary for revision with a comment, and tell the unit's staff.

    Raises DomainError("comment_required"), Forbidden, Conflict("not_submitted")."""
    comment = (comment or "").strip()
    if not comment:
        raise DomainError("comment_required", _("Say what the unit should revise."))
    locked = _review(
        summary,
        actor=actor,
        status=Status.RETURNED,
        comment=comment,
        action="reports.summary.returned",
    )
    _tell_unit(locked, RETURNED_NOTICE)
    return summary


ATTACHMENT_KINDS = {"document", "photo"}
MAX_ATTACHMENTS = 20


def add_attachment(summary: Summary, *, actor: User, upload) -> SummaryAttachment:
    """Attach a PDF or a photo (checked by content; photos stored without EXIF/GPS).

    Raises the codes of ``kepu.results.uploads.inspect`` (unsupported_type, damaged_file,
    file_too_large, ...), Forbidden, Conflict("not_editable"), DomainError("too_many_files").
    On any refusal nothing is stored."""
    from kepu.results import uploads

    scoping.require(actor, "reports.submit", summary.organisation)
    inspected = uploads.inspect(upload, ATTACHMENT_KINDS)  # before the lock: it may be slow
    with uploads.removed_on_failure() as stored, transaction.atomic():
        locked = _lock(summary)
        _require_editable(locked)
        if locked.attachments.count() >= MAX_ATTACHMENTS:
            raise DomainError(
                "too_many_files",
                _("A summary can have at most %(count)s attachments.") % {"count": MAX_ATTACHMENTS},
            )
        attachment = SummaryAttachment(
            summary=locked,
            kind=inspected.kind,
            extension=inspected.extension,
            content_type=inspected.content_type,
            size=inspected.size,
            original_name=uploads.original_name(upload),
            added_by=actor,
        )
        stored.append(uploads.store(attachment.file, inspected, upload))
        attachment.save()
        log_action(
            "reports.summary.attachment_added",
            locked,
            actor=actor,
            organisation=locked.organisation,
            after={"attachment": attachment.pk, "name": attachment.original_name},
        )
    return attachment


@transaction.atomic
def remove_attachment(attachment: SummaryAttachment, *, actor: User) -> None:
    """Remove an attachment of a draft or returned summary. Raises Forbidden, Conflict."""
    locked = _lock(attachment.summary)
    scoping.require(actor, "reports.submit", locked.organisation)
    _require_editable(locked)
    name = attachment.file.name
    log_action(
        "reports.summary.attachment_removed",
        locked,
        actor=actor,
        organisation=locked.organisation,
        before={"attachment": attachment.pk, "name": attachment.original_name},
    )
    attachment.delete()
    transaction.on_commit(lambda: default_storage.delete(name))
