"""Links to a campaign's quizzes from the campaign pages (public and workbench)."""

from django import template

from kepu.quizzes.models import Quiz

register = template.Library()


@register.simple_tag
def public_quizzes(campaign) -> list[Quiz]:
    """The campaign's published quizzes, for its public page."""
    return list(Quiz.objects.public().filter(campaign=campaign).order_by("opens_at", "id"))
