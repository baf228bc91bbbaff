"""``{% activity_card activity %}``: a public result card, rendered once per what it shows.

A search page is twenty cards, and the same activities come back on page after page (the next
week's activities top most searches). The card's markup depends only on the language and on
the values it shows, so it is kept per process under exactly those values: a sign-up that
changes the places left, a new title or a renamed organisation makes a new key, and nothing
shown is ever stale. The bound keeps a worker's memory small (≈ 1.5 KB a card).
"""

from collections import OrderedDict
from threading import Lock

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import get_template
from django.utils.translation import get_language

from kepu.activities.selectors import CARD_FIELDS

register = template.Library()

CARD_TEMPLATE = "activities/public/_activity_card.html"
MAX_CARDS = 4096

_cards: OrderedDict = OrderedDict()
_lock = Lock()


# The card's fields as attribute paths ("organisation__name" → organisation.name).
_PATHS = [name.split("__") for name in CARD_FIELDS]


def _shown(activity, path: list[str]):
    value = activity
    for part in path:
        value = getattr(value, part)
        if value is None:  # an activity without a region
            return None
    return value


def card_key(activity) -> tuple:
    """The language and everything the card shows: the card's fields (CARD_FIELDS, which the
    lists load for it), so that a field added to the card is part of the key too."""
    return (get_language(), activity.pk, *(_shown(activity, path) for path in _PATHS))


@register.simple_tag
def activity_card(activity):
    key = card_key(activity)
    with _lock:
        html = _cards.get(key)
        if html is not None:
            _cards.move_to_end(key)
            return html
    html = get_template(CARD_TEMPLATE).render({"activity": activity})
    with _lock:
        _cards[key] = html
        if len(_cards) > MAX_CARDS:
            _cards.popitem(last=False)
    return html


@receiver(setting_changed)
def clear(**kwargs) -> None:
    """Forget every card (a setting that changes how cards look: formats, languages, URLs)."""
    with _lock:
        _cards.clear()
