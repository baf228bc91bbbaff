"""Fill the two catalogs that follow from others: English (the source text) and Traditional
Chinese (converted from the Simplified catalog with OpenCC's Taiwan phrase table).

Only empty entries are filled: a hand-written Traditional translation is never overwritten.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


def _catalog(language: str) -> polib.POFile:
    return polib.pofile(
        str(Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"),
        wrapwidth=100,
    )


LANGUAGES = {
    "zh_Hans": "Simplified Chinese",
    "zh_Hant": "Traditional Chinese",
    "vi": "Vietnamese",
    "en": "English",
}


class Command(BaseCommand):
    help = "Fill English from the source strings and Traditional Chinese from Simplified."

    def handle(self, *args, **options):
        import opencc

        for language in LANGUAGES:
            catalog = _catalog(language)
            catalog.metadata_is_fuzzy = False
            catalog.metadata.update(
                {
                    "Project-Id-Version": "kepu",
                    "Language": language,
                    "Language-Team": LANGUAGES[language],
                    "Last-Translator": "kepu team",
                }
            )
            catalog.save()

        english = _catalog("en")
        for entry in english:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            else:
                entry.msgstr = entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        english.save()

        convert = opencc.OpenCC("s2twp").convert
        # By context and text: the same English word may be two words in Chinese.
        simplified = {(e.msgctxt, e.msgid): e for e in _catalog("zh_Hans") if e.translated()}
        traditional = _catalog("zh_Hant")
        filled = 0
        for entry in traditional:
            if entry.translated() and "fuzzy" not in entry.flags:
                continue
            source = simplified.get((entry.msgctxt, entry.msgid))
            if source is None:
                continue
            if entry.msgid_plural:
                entry.msgstr_plural = {k: convert(v) for k, v in source.msgstr_plural.items()}
            else:
                entry.msgstr = convert(source.msgstr)
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            filled += 1
        traditional.save()
        self.stdout.write(f"English complete; {filled} Traditional Chinese entries derived")
