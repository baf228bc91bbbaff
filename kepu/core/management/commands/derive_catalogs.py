"""Fill the two catalogs that follow from others: English (the source text) and Traditional
Chinese (converted from the Simplified catalog with OpenCC's Taiwan phrase table, less the
phrases that table gets wrong for this product: ``KEPT``).

Only empty entries are filled: a hand-written Traditional translation is never overwritten.
"""

import re
from functools import cache
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


# Words the Taiwan phrase table turns into another word that is wrong here, with the
# Traditional form to keep. Its choices are right for software (注销 → 登出 "log out", 代码 →
# 程式碼 "program code", JSON 对象 → 物件), but an account is deleted (註銷), a region has a
# code (代碼), people are commended or invited (對象), a quiz is published (發布, not 釋出
# "released"), an activity is reviewed (審核, not 稽核 "audited"), a community is a
# neighbourhood (社區, not 社群 "online community"); an account is 帳戶 in Taiwan.
# Longer entries are matched first.
KEPT = {
    "Python代码": "Python程式碼",
    "JSON 对象": "JSON 物件",
    "区划代码": "區劃代碼",
    "代码": "代碼",
    "对象": "對象",
    "发布": "發布",
    "审核员": "審核員",
    "审核": "審核",
    "注销": "註銷",
    "社区": "社區",
    "访问权限": "存取權限",
    "权限": "權限",
    "参数": "參數",
    "账户": "帳戶",
    "账号": "帳號",
}


@cache
def _opencc():
    import opencc

    return opencc.OpenCC("s2twp").convert


_KEPT = re.compile("|".join(sorted(map(re.escape, KEPT), key=len, reverse=True)))


def to_traditional(text: str) -> str:
    """Simplified to Taiwan Traditional Chinese, with the words of ``KEPT`` as given there."""
    kept = []

    def hold(match):
        # A private-use character stands in for the word; OpenCC leaves it as it is.
        kept.append(KEPT[match.group()])
        return chr(0xE000 + len(kept) - 1)

    converted = _opencc()(_KEPT.sub(hold, text))
    return re.sub("[\ue000-\uf8ff]", lambda m: kept[ord(m.group()) - 0xE000], converted)


class Command(BaseCommand):
    help = "Fill English from the source strings and Traditional Chinese from Simplified."

    def handle(self, *args, **options):
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

        convert = to_traditional
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
