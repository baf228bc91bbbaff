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


# Half-width punctuation where Chinese text has full-width: a comma, semicolon or bracket
# beside a Chinese character, or a colon, question or exclamation mark after one.
_HALF_WIDTH = r"[\u4e00-\u9fff“”] ?[,;(]|[,;)] ?[\u4e00-\u9fff“”]|[\u4e00-\u9fff“”][:?!]"


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant"])
def test_chinese_catalogs_use_full_width_punctuation(language):
    import re

    catalog = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    wrong = []
    for entry in catalog.translated_entries():
        for text in entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]:
            # The draw's hashed text is "seed:i" with an ASCII colon, as the algorithm uses it.
            if re.search(_HALF_WIDTH, text.replace("种子:i", "").replace("種子:i", "")):
                wrong.append(text)
    assert wrong == []


def test_traditional_chinese_keeps_the_products_words():
    """The Taiwan phrase table's software words are wrong for these meanings; the derived
    catalog keeps the right ones (kepu.core.management.commands.derive_catalogs.KEPT)."""
    from kepu.core.management.commands.derive_catalogs import to_traditional

    assert to_traditional("注销账户") == "註銷帳戶"  # delete the account, not 登出 "log out"
    assert to_traditional("参加对象（地区）") == "參加對象（地區）"
    assert to_traditional("请提交 JSON 对象。") == "請提交 JSON 物件。"
    assert to_traditional("活动发布后提交审核") == "活動發布後提交審核"
    assert to_traditional("填写区划代码。Python代码如下：") == "填寫區劃代碼。Python程式碼如下："
    assert to_traditional("社区科普，保存") == "社區科普，儲存"  # the rest as the table has it
    catalog = polib.pofile(str(LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po"))
    text = " ".join(e.msgstr for e in catalog.translated_entries() if not e.msgid_plural)
    for wrong in ("登出帳戶", "登出賬戶", "表彰物件", "參加物件", "釋出", "稽核", "社群", "許可權",
                  "區劃程式碼", "引數", "賬戶"):  # fmt: skip
        assert wrong not in text
