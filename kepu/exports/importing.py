"""The activity import template (XLSX, one per language) and the reader of a filled one.

The reader checks the file is a real XLSX by its content, reads it with openpyxl's read-only
mode, and validates every row with the same form as the workbench (so that an imported activity
obeys exactly the rules of a typed one). Labels are accepted in any of the four languages or as
codes.
"""

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from kepu.activities.forms_work import ActivityForm
from kepu.activities.models import Activity, Audience, Topic
from kepu.campaigns.models import Campaign
from kepu.campaigns.services import joint_actions_for
from kepu.core.text import fold
from kepu.organisations.models import Organisation, Region

from . import writers

MAX_ROWS = 2000
MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
SEPARATORS = re.compile(r"[,;，；、\n]+")

_ONSITE = gettext_lazy("Needed for onsite and hybrid activities.")
_ONLINE = gettext_lazy("Needed for online and hybrid activities.")
_WHEN = gettext_lazy("YYYY-MM-DD HH:MM, in the campaign's time zone.")
_ACTION = gettext_lazy("Its number or title, from below.")

# (form field, heading, required, help) in template order
COLUMNS: list[tuple[str, object, bool, object]] = [
    ("title", gettext_lazy("Title"), True, gettext_lazy("At most 200 characters.")),
    ("description", gettext_lazy("Description"), True, ""),
    ("kind", gettext_lazy("Kind"), True, gettext_lazy("One of the kinds below.")),
    ("format", gettext_lazy("Format"), True, gettext_lazy("One of the formats below.")),
    ("venue", gettext_lazy("Venue"), False, _ONSITE),
    ("region", gettext_lazy("Region"), False, gettext_lazy("A region code or name from below.")),
    ("online_url", gettext_lazy("Online link"), False, _ONLINE),
    ("starts_at", gettext_lazy("Starts"), True, _WHEN),
    ("ends_at", gettext_lazy("Ends"), True, _WHEN),
    ("audiences", gettext_lazy("Audiences"), False, gettext_lazy("Separate several with commas.")),
    ("topics", gettext_lazy("Topics"), False, gettext_lazy("Separate several with commas.")),
    ("capacity", gettext_lazy("Places"), False, gettext_lazy("Leave empty for no limit.")),
    ("signup_required", gettext_lazy("Sign-up needed"), False, gettext_lazy("yes or no")),
    ("is_key", gettext_lazy("Key activity"), False, gettext_lazy("yes or no")),
    ("joint_action", gettext_lazy("Joint action"), False, _ACTION),
    ("contact_name", gettext_lazy("Contact person"), False, ""),
    ("contact_phone", gettext_lazy("Contact phone"), False, ""),
]  # fmt: skip


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _in_every_language(text) -> list[str]:
    out = []
    for lang in _languages():
        with translation.override(lang):
            out.append(str(text))
    return out


def _regions(organisation: Organisation | None):
    if organisation is None or not organisation.region_id:
        return Region.objects.none()
    return Region.objects.filter(path__startswith=organisation.region.path).order_by("path")


def _label_names(label) -> list[str]:
    return [n for n in (label.name_zh_hans, label.name_zh_hant, label.name_vi, label.name_en) if n]


# --- The template ------------------------------------------------------------------------------


def build_template(target, *, campaign: Campaign | None, organisation: Organisation | None) -> None:
    """Write the template in the active language: a sheet to fill and a sheet of instructions
    with every allowed value."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=writers._sheet_title(_("Activities")))
    sheet.append([str(heading) for _f, heading, _r, _h in COLUMNS])
    notes = workbook.create_sheet(title=writers._sheet_title(_("Instructions")))
    notes.append(
        [_("Fill one activity per row of the first sheet, from row 2. Do not change the headings.")]
    )
    notes.append(
        [_("Every activity is created as a draft; nothing is imported while any row has an error.")]
    )
    notes.append([_("At most %(count)s rows.") % {"count": MAX_ROWS}])
    if campaign is not None:
        notes.append([_("Campaign"), campaign.title, _("Time zone"), campaign.time_zone])
    if organisation is not None:
        notes.append([_("Organiser unit"), organisation.name])
    notes.append([])
    notes.append([_("Column"), _("Required"), _("How to fill it")])
    yes, no = _("yes"), _("no")
    for _field, heading, required, help_text in COLUMNS:
        notes.append([str(heading), yes if required else no, str(help_text)])
    sections: list[tuple[str, list[list[str]]]] = [
        (_("Kinds"), [[code, str(label)] for code, label in Activity.Kind.choices]),
        (_("Formats"), [[code, str(label)] for code, label in Activity.Format.choices]),
        (_("Audiences"), [[a.slug, a.name] for a in Audience.objects.order_by("slug")]),
        (_("Topics"), [[t.slug, t.name] for t in Topic.objects.order_by("slug")]),
        (_("Regions"), [[r.code, r.name] for r in _regions(organisation)]),
    ]
    if campaign is not None:
        actions = [[str(a.number), a.title, a.lead] for a in joint_actions_for(campaign)]
        sections.append((_("Joint actions"), actions))
    for title, values in sections:
        notes.append([])
        notes.append([title, _("Code"), _("Name")])
        for value in values:
            notes.append([writers.neutralise(v) for v in ["", *value]])
    workbook.save(target)


# --- Reading a filled template -----------------------------------------------------------------


def is_xlsx(data: bytes) -> bool:
    """An XLSX by content: a ZIP holding a workbook, whatever the file is called."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return False
    names = {info.filename for info in infos}
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        return False  # a "ZIP bomb": far more inside than any 2,000-row sheet holds
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


class _Lookups:
    """Label → value maps for one import, every language folded."""

    def __init__(self, campaign: Campaign, organisation: Organisation):
        self.kind = self._choices(Activity.Kind.choices)
        self.format = self._choices(Activity.Format.choices)
        self.audiences = self._labels(Audience.objects.all())
        self.topics = self._labels(Topic.objects.all())
        self.region = {}
        for region in _regions(organisation):
            self.region[fold(region.code)] = region.pk
            self.region[fold(region.name)] = region.pk
        self.joint_action = {}
        for action in joint_actions_for(campaign):
            self.joint_action[str(action.number)] = action.pk
            self.joint_action[fold(action.title)] = action.pk
        self.boolean = {"1": True, "0": False, "true": True, "false": False, "y": True, "n": False}
        for word, value in (("yes", True), ("no", False)):
            self.boolean[word] = value
            for text in _in_every_language(gettext_lazy(word)):
                self.boolean[fold(text)] = value

    @staticmethod
    def _choices(choices) -> dict[str, str]:
        out = {}
        for code, label in choices:
            out[fold(code)] = code
            for text in _in_every_language(label):
                out[fold(text)] = code
        return out

    @staticmethod
    def _labels(queryset) -> dict[str, int]:
        out = {}
        for label in queryset:
            out[fold(label.slug)] = label.pk
            for name in _label_names(label):
                out[fold(name)] = label.pk
        return out


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text[1:] if text.startswith("'") else text  # our own neutralised export


def _datetime(value):
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return _text(value)  # the form parses "YYYY-MM-DD HH:MM" and reports what it cannot


def _row_data(cells: dict, lookups: _Lookups, unknown: Callable[[str, str], None]) -> dict:
    data = {}
    for field in ("title", "description", "venue", "online_url", "contact_name", "contact_phone"):
        data[field] = _text(cells.get(field))
    for field in ("kind", "format", "region", "joint_action"):
        text = _text(cells.get(field))
        if text:
            value = getattr(lookups, field).get(fold(text))
            if value is None:
                unknown(field, text)
            data[field] = value if value is not None else ""
    for field in ("audiences", "topics"):
        values = []
        for part in SEPARATORS.split(_text(cells.get(field))):
            if part.strip():
                value = getattr(lookups, field).get(fold(part.strip()))
                if value is None:
                    unknown(field, part.strip())
                else:
                    values.append(value)
        data[field] = values
    for field in ("signup_required", "is_key"):
        text = _text(cells.get(field))
        value = lookups.boolean.get(fold(text), None) if text else False
        if value is None:
            unknown(field, text)
        data[field] = bool(value)
    for field in ("starts_at", "ends_at"):
        data[field] = _datetime(cells.get(field))
    data["capacity"] = _text(cells.get("capacity"))
    return data


def read_first_sheet(upload, read_sheet: Callable):
    """``read_sheet(first worksheet)`` of an uploaded XLSX file, which gives ([(row number,
    fields)], [(row number, reason)]); a file too large, not XLSX by its content or unreadable
    is refused as a whole (row 0). Every bulk import of kepu reads its file through here."""
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return [], [(0, _("The file is larger than 10 MB."))]
    if not is_xlsx(data):
        return [], [(0, _("This is not an XLSX file. Download the template and fill it in."))]
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        return [], [(0, _("The XLSX file cannot be read. Save it again from your spreadsheet."))]
    try:
        return read_sheet(workbook.worksheets[0])
    finally:
        workbook.close()


def read_rows(upload, *, user, campaign: Campaign, organisation: Organisation):
    """([(row number, create_activity fields)], [(row number, reason)]) for an uploaded file;
    row 0 is the file as a whole."""
    return read_first_sheet(upload, lambda sheet: _read_sheet(sheet, user, campaign, organisation))


def _read_sheet(sheet, user, campaign, organisation):
    lookups = _Lookups(campaign, organisation)
    names = [field for field, *_rest in COLUMNS]
    labels = {field: str(heading) for field, heading, *_rest in COLUMNS}
    rows, errors = [], []
    count = 0
    for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if not any(_text(v) for v in values):
            continue
        count += 1
        if count > MAX_ROWS:
            return [], [(0, _("The file has more than %(count)s rows.") % {"count": MAX_ROWS})]
        cells = dict(zip(names, values, strict=False))
        reasons: list[str] = []
        unknown_fields: set[str] = set()

        def unknown(field, text, reasons=reasons, unknown_fields=unknown_fields):
            unknown_fields.add(field)
            reasons.append(
                _("%(column)s: unknown value “%(value)s”.")
                % {"column": labels[field], "value": text}
            )

        data = _row_data(cells, lookups, unknown)
        data.update(organisation=organisation.pk, campaign=campaign.pk)
        form = ActivityForm(user, data=data)
        if form.is_valid() and not reasons:
            rows.append((number, form.service_fields()))
            continue
        for field, messages in form.errors.items():
            if field in unknown_fields:
                continue
            column = labels.get(field)
            for message in messages:
                reasons.append(f"{column}: {message}" if column else message)
        errors.append((number, " ".join(dict.fromkeys(reasons))))
    return rows, errors
