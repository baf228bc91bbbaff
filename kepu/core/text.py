"""Text helpers: folding for search, phone numbers and masking."""

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

_t2s = OpenCC("t2s")
_SPACE = re.compile(r"\s+")


def strip_diacritics(text: str) -> str:
    """Vietnamese (and any Latin) text without its marks; đ/Đ become d/D."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """The search form of a text: Simplified script, lower case, no diacritics, single spaces.

    The same function folds stored text and the query, so that 沙坡頭 finds 沙坡头 and
    "phong chong" finds "phòng, chống".
    """
    if not text:
        return ""
    text = _t2s.convert(text)
    text = strip_diacritics(text).lower()
    return _SPACE.sub(" ", text).strip()


def search_terms(query: str, *, limit: int = 8, max_length: int = 100) -> list[str]:
    """Folded terms of a free-text query, punctuation dropped, bounded in number and length."""
    folded = fold(query[:max_length])
    terms = [t for t in re.split(r"[\s,.;:!?，。；：！？、]+", folded) if t]
    return terms[:limit]


# Han characters (the CJK Unified Ideographs and their Extension A): the range the database's
# kepu_cjk_bigrams() reads (kepu/activities/migrations/0006_search_bigram_index.py).
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")


def cjk_bigrams(term: str) -> list[str]:
    """The pairs of adjacent Han characters in a folded term: every text that contains the
    term contains them all. "节约用水" → 节约, 约用, 用水; a term without two adjacent Han
    characters gives none."""
    grams = {run[i : i + 2] for run in _HAN_RUN.findall(term) for i in range(len(run) - 1)}
    return sorted(grams)


_PHONE_CLEAN = re.compile(r"[\s\-().]")
PHONE_RE = re.compile(r"^\+?\d{6,15}$")


def normalise_phone(value: str) -> str:
    """Digits only, with a leading + kept; a mainland +86 prefix dropped."""
    value = _PHONE_CLEAN.sub("", value or "")
    if value.startswith("+86") and len(value) == 14:
        value = value[3:]
    return value


def is_phone(value: str) -> bool:
    return bool(PHONE_RE.match(normalise_phone(value)))


def mask_phone(value: str | None) -> str:
    """138****5678: the first three and the last four digits stay, the middle is hidden."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 2) + value[-1:]
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
