"""What can be exported: each app registers its kinds here (in its AppConfig.ready).

An export kind knows its permission, its column headings (in the active language) and how to
produce its rows for a person, already scoped to what that person may see. The exports app
streams them to CSV or XLSX, at once or as a background job (kepu.exports.services).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ExportKind:
    name: str  # "activities", "registrations", "campaign-statistics"
    title: Callable[[], str]  # a label in the active language, for file names and job lists
    permission: str  # checked with kepu.organisations.scoping, e.g. "stats.view"
    columns: Callable[[dict], list[str]]  # headings for these parameters, active language
    rows: Callable[[Any, dict], Iterable[list]]  # (user, params) → rows, scoped to the user
    count: Callable[[Any, dict], int] | None = None  # rows to expect (progress); None: unknown


_KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    if kind.name in _KINDS and _KINDS[kind.name] != kind:
        raise ValueError(f"export kind {kind.name!r} is registered twice")
    _KINDS[kind.name] = kind
    return kind


def get(name: str) -> ExportKind | None:
    return _KINDS.get(name)


def kinds() -> dict[str, ExportKind]:
    return dict(_KINDS)
