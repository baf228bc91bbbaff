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

register = template.Library()

CARD_TEMPLATE = "activities/public/_activity_card.html"
MAX_CARDS = 4096

_cards: OrderedDict = OrderedDict()
_lock = Lock()


def card_key(activity) -> tuple:
    """Everything the card template shows, with the language it is shown in."""
    return (
        get_language(),
        activity.pk,
        activity.title,
        activity.kind,
        activity.format,
        activity.status,
        activity.venue,
        activity.starts_at,
        activity.ends_at,
        activity.places_left,
        activity.signup_required,
        str(activity.tz),
        activity.organisation.name,
        activity.region.name if activity.region_id else "",
    )


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
