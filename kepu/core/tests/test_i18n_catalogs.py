"""Every catalog is complete: no untranslated and no fuzzy entries, in all four languages."""

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[3] / "locale"
LANGUAGES = ["zh_Hans", "zh_Hant", "vi", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete_and_has_no_fuzzy_entries(language):
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"missing catalog {path}; run `make messages`"
    catalog = polib.pofile(str(path))
    untranslated = [e.msgid for e in catalog.untranslated_entries()]
    fuzzy = [e.msgid for e in catalog.fuzzy_entries()]
    assert untranslated == [], f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    import re

    catalog = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    named = re.compile(r"%\(\w+\)[sd]")
    wrong = []
    for entry in catalog.translated_entries():
        if entry.msgid_plural:
            continue
        if sorted(named.findall(entry.msgid)) != sorted(named.findall(entry.msgstr)):
            wrong.append(entry.msgid)
    assert wrong == []


# Names under which makemessages (xgettext with Django's keywords) finds translatable strings.
EXTRACTED = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext",
             "pgettext_lazy", "npgettext", "npgettext_lazy", "gettext_noop"}  # fmt: skip


def test_translation_functions_are_imported_under_names_makemessages_extracts():
    """A string marked with an alias makemessages does not know (``gettext_lazy as _lazy``)
    never reaches the catalogs and is shown in English to everyone."""
    import ast

    unknown = []
    for path in (LOCALE.parent / "kepu").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                for alias in node.names:
                    name = alias.asname or alias.name
                    if "gettext" in alias.name and name not in EXTRACTED:
                        unknown.append(f"{path.relative_to(LOCALE.parent)}: {alias.name} as {name}")
    assert unknown == []
