"""The question bank as XLSX: the import template (in the active language), the reader of a
filled one (every bad row reported with its number and reason) and the export, which writes the
same columns so that an exported bank can be edited and imported again.

The file checks (real XLSX by content, size, ZIP bombs) and the formula neutralisation are
kepu.exports' own.
"""

import re

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from kepu.core.errors import DomainError
from kepu.core.text import fold
from kepu.exports import writers
from kepu.exports.importing import read_first_sheet

from .models import Question

MAX_ROWS = 2000
LETTERS = "ABCDEFGH"
OPTION_COLUMNS = 6
SEPARATORS = re.compile(r"[\s,;，；、]+")

COLUMNS = [
    ("kind", gettext_lazy("Kind"), True, gettext_lazy("single, multiple or true/false")),
    ("language", gettext_lazy("Language"), True, gettext_lazy("zh-hans, zh-hant, vi or en")),
    ("topic", gettext_lazy("Topic"), False, ""),
    ("difficulty", gettext_lazy("Difficulty"), False, gettext_lazy("easy, medium or hard")),
    ("stem", gettext_lazy("Question"), True, gettext_lazy("At most 1,000 characters.")),
    *[
        (f"option_{letter}", gettext_lazy("Option %(letter)s"), letter in "AB", "")
        for letter in LETTERS[:OPTION_COLUMNS]
    ],
    (
        "correct",
        gettext_lazy("Correct answer"),
        True,
        gettext_lazy("The letters of the correct options (A, or A,C); true or false."),
    ),
    ("explanation", gettext_lazy("Explanation"), False, ""),
]


def heading(field: str, text) -> str:
    if field.startswith("option_"):
        return str(text) % {"letter": field[-1]}
    return str(text)


def _in_every_language(text) -> list[str]:
    out = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out.append(str(text))
    return out


def build_template(target) -> None:
    """The template in the active language: a sheet to fill and a sheet of instructions."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=writers._sheet_title(_("Questions")))
    sheet.append([heading(f, h) for f, h, _r, _help in COLUMNS])
    sheet.append(
        [
            "single",
            translation.get_language() or settings.LANGUAGE_CODE,
            _("Epidemic prevention"),
            "easy",
            _("How long should you wash your hands with soap at least?"),
            _("5 seconds"),
            _("20 seconds"),
            "",
            "",
            "",
            "",
            "B",
            _("Rub all surfaces of the hands for at least 20 seconds."),
        ]
    )
    notes = workbook.create_sheet(title=writers._sheet_title(_("Instructions")))
    for line in (
        _("Fill one question per row of the first sheet, from row 2. Do not change the headings."),
        _("Replace the example in row 2. Nothing is imported while any row has an error."),
        _("At most %(count)s rows.") % {"count": MAX_ROWS},
        _("True or false questions need no options: write true or false as the answer."),
    ):
        notes.append([line])
    notes.append([])
    notes.append([_("Column"), _("Required"), _("How to fill it")])
    yes, no = _("yes"), _("no")
    for field, text, required, help_text in COLUMNS:
        notes.append([heading(field, text), yes if required else no, str(help_text)])
    notes.append([])
    notes.append([_("Kinds"), _("Code"), _("Name")])
    for code, label in Question.Kind.choices:
        notes.append(["", code, str(label)])
    notes.append([_("Languages"), _("Code"), _("Name")])
    for code, name in settings.LANGUAGES:
        notes.append(["", code, name])
    workbook.save(target)


class _Lookups:
    def __init__(self):
        self.kind = self._choices(Question.Kind.choices)
        self.kind.update({"tf": "truefalse", "true/false": "truefalse", "判断": "truefalse"})
        self.difficulty = {str(v): v for v in Question.Difficulty.values}
        for code, label in Question.Difficulty.choices:
            for text in _in_every_language(label):
                self.difficulty[fold(text)] = code
        for code, name in zip((1, 2, 3), ("easy", "medium", "hard"), strict=True):
            self.difficulty[name] = code
        self.language = {}
        for code, name in settings.LANGUAGES:
            self.language[fold(code)] = code
            self.language[fold(code.replace("-", "_"))] = code
            self.language[fold(name)] = code
        self.truth = {"true": 0, "false": 1, "t": 0, "f": 1, "a": 0, "b": 1}
        for index, word in enumerate((gettext_lazy("True"), gettext_lazy("False"))):
            for text in _in_every_language(word):
                self.truth[fold(text)] = index
        self.truth.update({"对": 0, "错": 1, "√": 0, "×": 1, "đúng": 0, "sai": 1, "dung": 0})

    @staticmethod
    def _choices(choices) -> dict[str, str]:
        out = {}
        for code, label in choices:
            out[fold(code)] = code
            for text in _in_every_language(label):
                out[fold(text)] = code
        return out


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text[1:] if text.startswith("'") else text


def _correct(text: str, kind: str, options: list[str], lookups: _Lookups) -> list[int] | None:
    if kind == Question.Kind.TRUE_FALSE:
        index = lookups.truth.get(fold(text))
        return None if index is None else [index]
    letters = [p for p in SEPARATORS.split(text.upper()) if p]
    if len(letters) == 1 and len(letters[0]) > 1 and kind == Question.Kind.MULTIPLE:
        letters = list(letters[0])  # "AC"
    positions = []
    for letter in letters:
        if len(letter) != 1 or letter not in LETTERS[: len(options)]:
            return None
        positions.append(LETTERS.index(letter))
    return positions or None


def _row(cells: dict, lookups: _Lookups, labels: dict) -> tuple[dict | None, list[str]]:
    from .services import clean_question

    reasons = []
    values = {}
    for field in ("kind", "language", "difficulty"):
        text = _text(cells.get(field))
        if not text and field == "difficulty":
            values[field] = Question.Difficulty.MEDIUM
            continue
        value = getattr(lookups, field).get(fold(text))
        if value is None:
            reasons.append(
                _("%(column)s: unknown value “%(value)s”.")
                % {"column": labels[field], "value": text}
            )
        values[field] = value
    options = [_text(cells.get(f"option_{letter}")) for letter in LETTERS[:OPTION_COLUMNS]]
    while options and not options[-1]:
        options.pop()
    if "" in options:
        reasons.append(_("Options: fill the option columns from A without gaps."))
    correct = None
    if values.get("kind"):
        correct_text = _text(cells.get("correct"))
        correct = _correct(correct_text, values["kind"], options, lookups)
        if correct is None:
            reasons.append(
                _("%(column)s: unknown value “%(value)s”.")
                % {"column": labels["correct"], "value": correct_text}
            )
    if reasons:
        return None, reasons
    try:
        fields = clean_question(
            kind=values["kind"],
            language=values["language"],
            stem=_text(cells.get("stem")),
            options=options,
            correct=correct,
            explanation=_text(cells.get("explanation")),
            topic=_text(cells.get("topic")),
            difficulty=values["difficulty"],
        )
    except DomainError as exc:
        return None, [exc.message]
    return fields, []


def read_rows(upload) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    """([(row number, question fields)], [(row number, reason)]); row 0 is the whole file."""
    return read_first_sheet(upload, _read_sheet)


def _read_sheet(sheet):
    lookups = _Lookups()
    names = [field for field, *_rest in COLUMNS]
    labels = {field: heading(field, text) for field, text, *_rest in COLUMNS}
    rows, errors = [], []
    count = 0
    for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if not any(_text(v) for v in values):
            continue
        count += 1
        if count > MAX_ROWS:
            return [], [(0, _("The file has more than %(count)s rows.") % {"count": MAX_ROWS})]
        fields, reasons = _row(dict(zip(names, values, strict=False)), lookups, labels)
        if fields is None:
            errors.append((number, " ".join(dict.fromkeys(reasons))))
        else:
            rows.append((number, fields))
    return rows, errors


# --- Export ------------------------------------------------------------------------------------


def export_header() -> list[str]:
    return [heading(f, h) for f, h, _r, _help in COLUMNS] + [_("ID"), _("Retired")]


def export_rows(questions) -> list:
    difficulty = {1: "easy", 2: "medium", 3: "hard"}
    yes, no = _("yes"), _("no")
    for q in questions.iterator(chunk_size=1000):
        texts = [o["text"] for o in q.options]
        if q.kind == Question.Kind.TRUE_FALSE:
            correct = "true" if q.options and q.options[0]["id"] in q.correct else "false"
            texts = []
        else:
            correct = ",".join(LETTERS[i] for i, o in enumerate(q.options) if o["id"] in q.correct)
        options = (texts + [""] * OPTION_COLUMNS)[:OPTION_COLUMNS]
        yield [
            q.kind,
            q.language,
            q.topic,
            difficulty.get(q.difficulty, ""),
            q.stem,
            *options,
            correct,
            q.explanation,
            q.pk,
            yes if q.is_retired else no,
        ]


def write_export(target, questions) -> int:
    return writers.write_xlsx(target, export_header(), export_rows(questions), title=_("Questions"))
