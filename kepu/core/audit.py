"""The audit log: every service that changes state as staff writes one entry through here."""

import datetime
import decimal
import uuid
from typing import Any

from django.db import models

from . import sql
from .models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Plain values of the concrete fields of ``obj`` (foreign keys as ids)."""
    out = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"search_text", "updated_at"}:
            continue
        out[field.attname] = _plain(getattr(obj, field.attname))
    return out


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose value differs, from both sides."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def audit_entry(
    action: str,
    obj: models.Model,
    *,
    actor=None,
    organisation=None,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> AuditEntry:
    """The entry for an action, not yet written (``log_action`` writes it)."""
    return AuditEntry(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        organisation=organisation,
        before=before or {},
        after=after or {},
        note=note,
    )


def log_action(action: str, obj: models.Model, **kwargs) -> AuditEntry:
    """Write one audit entry (arguments as ``audit_entry``). One insert written once
    (kepu.core.sql): busy check-in desks log an entry per scanned ticket."""
    return sql.insert(audit_entry(action, obj, **kwargs))
