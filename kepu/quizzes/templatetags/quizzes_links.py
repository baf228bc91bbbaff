"""Links to quizzes from pages of other apps: the campaign pages and the home page."""

from django import template

from kepu.quizzes import selectors
from kepu.quizzes.models import Quiz

register = template.Library()


@register.simple_tag
def public_quizzes(campaign) -> list[Quiz]:
    """The campaign's published quizzes, for its public page."""
    return selectors.public_quizzes_of(campaign)


@register.simple_tag
def open_quizzes(limit: int = 6) -> list[Quiz]:
    """Published quizzes open now, for the home page."""
    return selectors.open_quizzes(limit)
